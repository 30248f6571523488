// The mqtt2s3 subcommands. Each returns the process exit code:
// 0 success, 1 runtime failure, 2 bad configuration or usage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace mqtt2s3::app {

struct RunFlags {
  std::string config_file;
  std::string log_level;  // overrides logging.level when set
};

// Flags of the read subcommands (ls, inspect, get); each uses the fields its --help lists.
struct ReadFlags {
  // Where S3 is: a config file's s3 section, or an endpoint with credentials from the env.
  std::string config_file;
  std::string endpoint;
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;                 // ls: object key prefix
  std::string from, to;               // event-time range, any ParseTimeArg spelling
  std::vector<std::string> keys;      // inspect: one; get: one or more objects
  std::string index_key;              // get: exact index key
  std::string index_prefix;           // get: index key prefix
  std::string device;                 // get: index key component
  size_t device_component = 0;        // get: which component --device matches
  std::string out_file;               // get: write here instead of stdout
  bool payload_only = false;          // get: print payloads only
  bool dedupe = false;                // get: drop repeated dedupe ids
  uint64_t max_gap_bytes = 64 * 1024; // get: range coalescing
  std::string list_prefix;            // get without --key: list objects under this prefix
  size_t concurrency = 8;             // get: objects read at once
  bool no_directory = false;          // get: always read through the index
  bool verify_body = false;           // inspect: GET the body and check its sha256
  size_t max_clusters = 50;           // inspect: clusters printed
};

// Flags of simulate (cmd_simulate.cc registers them with their help).
struct SimulateFlags {
  std::string config_file;  // broker section only
  std::string host;
  uint16_t port = 0;        // 0 = 1883 or the config's
  std::string protocol;     // "4" / "5"; empty = 5 or the config's
  std::string client_id;
  int qos = 1;              // like scripts/demo/publish_welding.py
  double rate = 0;          // messages per second; 0 = as fast as possible
  std::string root = "COMPANY-X";
  uint32_t plants = 1;
  uint32_t devices = 3;
  uint64_t count = 5;       // per device
  std::string duration;     // simulated, instead of count
  std::string start = "2018-10-01 17:00:00";
  std::string step = "1s";
  uint64_t seed = 42;
  bool compressed = false;
  std::string replay_file;
  std::string replay_topic;
  std::string flush_property;  // --flush-last
  std::string flush_topic;
  uint32_t window = 2000;
  std::string sync_topic = "mqtt2s3/sim/sync";
  std::string timeout = "10m";
};

// Flags of serve (cmd_serve.cc registers them with their help).
struct ServeFlags {
  std::string config_file;  // its s3 section, and the route named by `route`
  std::string route;        // empty: only the weld-spot fields are named
  std::string listen = "127.0.0.1:8089";
  std::string bucket_template = "company-x-plant-{plant}";
  std::vector<std::string> plants = {"1", "2", "3"};
  size_t device_component = 0;
  std::string key_prefix;
  std::string web_dir;  // empty: the source tree's web/ (set by AddServeCommand)
  std::string lib_dir;  // empty: the source tree's .cache/web/node_modules/uplot/dist
  size_t threads = 4;
  size_t max_objects = 2000;
  size_t cached_objects = 64;
  bool no_directory = false;  // always read through each object's index
};

int RunConverter(const RunFlags& flags);
// `mqtt2s3 backup`: the backup consumer (src/backup), same flags as run.
int RunBackup(const RunFlags& flags);
int ListObjectsCommand(const ReadFlags& flags);
int InspectCommand(const ReadFlags& flags);
int GetCommand(const ReadFlags& flags);
int CheckConfig(const std::string& config_file, bool resolve_secrets);
CLI::App* AddSimulateCommand(CLI::App* app, SimulateFlags* flags);
int SimulateCommand(const SimulateFlags& flags);
CLI::App* AddServeCommand(CLI::App* app, ServeFlags* flags);
int ServeCommand(const ServeFlags& flags);

}  // namespace mqtt2s3::app
