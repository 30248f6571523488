// mqtt2s3: moves MQTT messages into S3-compatible object storage without losing any.
//
//   mqtt2s3 run --config welding.yaml
//   mqtt2s3 check-config welding.yaml
//   mqtt2s3 --version
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (version) {
    std::cout << "mqtt2s3 " << MQTT2S3_VERSION << "\n";
    return 0;
  }
  if (run->parsed()) return mqtt2s3::app::RunConverter(run_flags);
  if (check->parsed()) return mqtt2s3::app::CheckConfig(check_file, !no_secrets);
  std::cout << app.help();
  return 0;
}
