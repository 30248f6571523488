// The mqtt2s3 subcommands. Each returns the process exit code:
// 0 success, 1 runtime failure, 2 bad configuration or usage.
#pragma once

#include <string>

namespace mqtt2s3::app {

struct RunFlags {
  std::string config_file;
  std::string log_level;  // overrides logging.level when set
};

int RunConverter(const RunFlags& flags);
int CheckConfig(const std::string& config_file, bool resolve_secrets);

}  // namespace mqtt2s3::app
