// The mqtt2s3 subcommands. Each returns the process exit code:
// 0 success, 1 runtime failure, 2 bad configuration or usage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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
  bool verify_body = false;           // inspect: GET the body and check its sha256
  size_t max_clusters = 50;           // inspect: clusters printed
};

int RunConverter(const RunFlags& flags);
int ListObjectsCommand(const ReadFlags& flags);
int InspectCommand(const ReadFlags& flags);
int GetCommand(const ReadFlags& flags);
int CheckConfig(const std::string& config_file, bool resolve_secrets);

}  // namespace mqtt2s3::app
