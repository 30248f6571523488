// mqtt2s3: moves MQTT messages into S3-compatible object storage without losing any.
//
//   mqtt2s3 run --config welding.yaml
//   mqtt2s3 backup --config welding.yaml
//   mqtt2s3 check-config welding.yaml
//   mqtt2s3 ls --config welding.yaml --bucket welding --from "2018-10-01 17:00"
//   mqtt2s3 inspect --endpoint http://127.0.0.1:8000 --bucket welding --key K
//   mqtt2s3 get --config welding.yaml --bucket welding --key K --device robot-03
//   mqtt2s3 simulate --port 1883 --plants 3 --devices 10 --duration 1h --qos 1
//   mqtt2s3 serve --config welding.yaml --listen 127.0.0.1:8089
//   mqtt2s3 --version
#include <malloc.h>

#include <CLI/CLI.hpp>

#include <boost/version.hpp>

#include <iostream>

#include "commands.h"

namespace {

using mqtt2s3::app::ReadFlags;

#ifdef __clang__
constexpr const char* kCompiler = "clang";
#else
constexpr const char* kCompiler = "gcc";
#endif

// Where S3 is and which bucket: shared by ls, inspect and get.
void AddConnectionFlags(CLI::App* cmd, ReadFlags* f) {
  auto* config = cmd->add_option("-c,--config", f->config_file,
                                 "YAML configuration file; its s3 section gives the endpoint, "
                                 "region and credentials (secrets via *_env / *_file as for "
                                 "run)")
                     ->check(CLI::ExistingFile);
  auto* endpoint = cmd->add_option(
      "--endpoint", f->endpoint,
      "S3 endpoint URL instead of --config, e.g. http://127.0.0.1:8000; credentials from "
      "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else S3_ACCESS_KEY/S3_SECRET_KEY");
  config->excludes(endpoint);
  cmd->add_option("--region", f->region, "Signing region with --endpoint")
      ->capture_default_str()
      ->needs(endpoint);
  cmd->add_option("-b,--bucket", f->bucket, "Bucket to read")->required();
}

void AddTimeFlags(CLI::App* cmd, ReadFlags* f, const std::string& what) {
  const std::string spelling =
      " (UTC: '2018-10-01 17:00', 2018-10-01T17:00:00Z, or Unix milliseconds)";
  cmd->add_option("--from", f->from, what + " at or after this time" + spelling);
  cmd->add_option("--to", f->to, what + " before this time" + spelling);
}

}  // namespace

namespace {

// Batch arenas and object bodies are megabytes each, allocated and freed once per batch.
// glibc raises its mmap threshold to the size of every mmap'ed block freed (up to 32 MiB), after
// which such blocks come from the heap, where freed ones stay resident and fragment: peak RSS
// then grows to about twice the buffered bytes. A fixed threshold keeps every block of 1 MiB
// or more in its own mapping, returned to the system when freed (docs/decisions/memory.md).
// Below it live the per-batch scratch blocks of encoding (index columns, string table, zlib
// output: 40 KiB-1 MiB each, freed a moment later); on the heap they are reused warm instead of
// being mapped, faulted in page by page and unmapped per batch, and the trim threshold keeps
// the heap's top from being handed back and faulted in again on every batch.
void ConfigureAllocator() {
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
}

}  // namespace

int main(int argc, char** argv) {
  ConfigureAllocator();
  CLI::App app{
      "mqtt2s3: subscribes to MQTT topics and stores every message in S3-compatible object "
      "storage (Ceph RGW, AWS S3). A message is acknowledged to the broker only once stored."};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version and exit");

  mqtt2s3::app::RunFlags run_flags;
  CLI::App* run = app.add_subcommand(
      "run", "Run the converter until SIGTERM/SIGINT (which finish uploads, then disconnect)");
  run->add_option("-c,--config", run_flags.config_file,
                  "YAML configuration file (every key: docs/CONFIG.md)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--log-level", run_flags.log_level,
                  "Override logging.level: trace, debug, info, warn or error");

  mqtt2s3::app::RunFlags backup_flags;
  CLI::App* backup = app.add_subcommand(
      "backup",
      "Run the backup consumer until SIGTERM/SIGINT: its own session receives every message, "
      "keeps it on local disk (backup.dir) and uploads, under backup.key_prefix, what the "
      "converter does not confirm on delivery.confirm_topic within backup.confirm_timeout");
  backup->add_option("-c,--config", backup_flags.config_file,
                     "YAML configuration file, the converter's (every key: docs/CONFIG.md)")
      ->required()
      ->check(CLI::ExistingFile);
  backup->add_option("--log-level", backup_flags.log_level,
                     "Override logging.level: trace, debug, info, warn or error");

  std::string check_file;
  bool no_secrets = false;
  CLI::App* check = app.add_subcommand(
      "check-config",
      "Validate a configuration file and print the effective configuration, secrets masked. "
      "Every error names the file, line and key. Exit 0 if valid, 2 if not");
  check->add_option("file", check_file, "YAML configuration file")->required();
  check->add_flag("--no-secrets", no_secrets,
                  "Do not require the credential variables/files to exist (check on another "
                  "machine)");

  ReadFlags ls_flags;
  CLI::App* ls = app.add_subcommand(
      "ls",
      "List batch objects whose event-time range (encoded in their names) overlaps --from/--to. "
      "Reads the listing only, no HEAD. Prints first event, last event, size, writer "
      "instance, partition sequence and key; keys that are not object names go to stderr");
  AddConnectionFlags(ls, &ls_flags);
  ls->add_option("-p,--prefix", ls_flags.prefix, "Only keys starting with this S3 key prefix");
  AddTimeFlags(ls, &ls_flags, "Objects with an event");

  ReadFlags inspect_flags;
  CLI::App* inspect = app.add_subcommand(
      "inspect",
      "HEAD one object and load its index (inline, or one GET of the companion index object; "
      "sha256 verified). Prints format version, message count, event-time range, body size, "
      "index location, clusters with their byte ranges and the request count");
  AddConnectionFlags(inspect, &inspect_flags);
  inspect->add_option("-k,--key", inspect_flags.keys, "Object key")->required()->expected(1);
  inspect->add_flag("--verify-body", inspect_flags.verify_body,
                    "Also GET the whole body and check its sha256 against the metadata");
  inspect->add_option("--max-clusters", inspect_flags.max_clusters,
                      "Print at most this many clusters")
      ->capture_default_str();

  ReadFlags get_flags;
  CLI::App* get = app.add_subcommand(
      "get",
      "Print the messages that match all given filters, one per line: event time, index key, "
      "topic, payload (tab separated; newlines in payloads escaped). Objects are the --key "
      "ones, or found by listing the bucket (--list-prefix, --from/--to); they are read in "
      "parallel, only the byte ranges wanted, one device of an object with HEAD + one ranged "
      "GET when it has a group directory. Request and byte counts go to stderr");
  AddConnectionFlags(get, &get_flags);
  get->add_option("-k,--key", get_flags.keys,
                  "Object key; repeat for several objects. Without --key, the objects under "
                  "--list-prefix whose names overlap --from/--to");
  get->add_option("--list-prefix", get_flags.list_prefix,
                  "Without --key: list objects under this key prefix (e.g. 2018/10/01/)");
  get->add_option("--concurrency", get_flags.concurrency, "Objects read at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  get->add_flag("--no-directory", get_flags.no_directory,
                "Always read through each object's index (messages then carry their topic, "
                "own event time and dedupe id even for whole-device reads)");
  get->add_option("--index-key", get_flags.index_key,
                  "Only messages whose index key equals this, e.g. robot-03/WELD/1/Timestamp");
  get->add_option("-p,--prefix", get_flags.index_prefix,
                  "Only messages whose index key starts with this");
  get->add_option("--device", get_flags.device,
                  "Only messages whose index key component number --device-component equals "
                  "this (the device in robot-03/WELD/1/Timestamp)");
  get->add_option("--device-component", get_flags.device_component,
                  "Which '/'-separated index key component --device matches, 0 = first")
      ->capture_default_str();
  AddTimeFlags(get, &get_flags, "Messages with an event time");
  get->add_option("-o,--out", get_flags.out_file,
                  "Write the lines to this file instead of stdout");
  get->add_flag("--payload-only", get_flags.payload_only,
                "Print only the payloads, byte for byte, each followed by a newline");
  get->add_flag("--dedupe", get_flags.dedupe,
                "Drop messages whose dedupe id was already printed (across --key objects)");
  get->add_option("--max-gap", get_flags.max_gap_bytes,
                  "Fetch two wanted byte ranges with one GET when at most this many bytes "
                  "apart")
      ->capture_default_str();

  mqtt2s3::app::SimulateFlags simulate_flags;
  CLI::App* simulate = mqtt2s3::app::AddSimulateCommand(&app, &simulate_flags);

  mqtt2s3::app::ServeFlags serve_flags;
  CLI::App* serve = mqtt2s3::app::AddServeCommand(&app, &serve_flags);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (version) {
    // Line 1 is the version alone (scripts parse it); line 2 says how this binary was built.
    std::cout << "mqtt2s3 " << MQTT2S3_VERSION << "\n"
              << "build: " << (*MQTT2S3_BUILD_TYPE ? MQTT2S3_BUILD_TYPE : "unspecified")
              << ", compiler " << kCompiler << " " << __VERSION__ << ", C++ " << __cplusplus << ", Boost "
              << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000
              << ", built " << __DATE__ << "\n";
    return 0;
  }
  if (run->parsed()) return mqtt2s3::app::RunConverter(run_flags);
  if (backup->parsed()) return mqtt2s3::app::RunBackup(backup_flags);
  if (check->parsed()) return mqtt2s3::app::CheckConfig(check_file, !no_secrets);
  if (ls->parsed()) return mqtt2s3::app::ListObjectsCommand(ls_flags);
  if (inspect->parsed()) return mqtt2s3::app::InspectCommand(inspect_flags);
  if (get->parsed()) return mqtt2s3::app::GetCommand(get_flags);
  if (simulate->parsed()) return mqtt2s3::app::SimulateCommand(simulate_flags);
  if (serve->parsed()) return mqtt2s3::app::ServeCommand(serve_flags);
  std::cout << app.help();
  return 0;
}
