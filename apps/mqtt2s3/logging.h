// Process-wide log set-up: spdlog's default logger on stderr, text or JSON lines.
// Call once from main before any other thread starts.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "config/config.h"
#include "metrics/log_file_sink.h"

namespace mqtt2s3::app {

void SetUpLogging(config::LogLevel level, config::LogFormat format);

// As SetUpLogging, but lines go to `file` (appended; created if missing) instead of stderr.
// The returned sink is what SIGHUP reopens (ServiceRuntime). Error: the file cannot be opened.
StatusOr<std::shared_ptr<metrics::ReopenableFileSink>> SetUpFileLogging(
    config::LogLevel level, config::LogFormat format, const std::string& file);

// What a long-running command (run, backup) has once its configuration is loaded and its
// logging is set up.
struct LoadedConfig {
  config::Config config;
  // The logging.file sink; null when logging goes to stderr. Keep it alive while the command
  // runs; it is what SIGHUP reopens where the command has a ServiceRuntime.
  std::shared_ptr<metrics::ReopenableFileSink> log_file;
};

// Loads `config_file`, applies the --log-level override `log_level` (empty: the file's
// logging.level) and sets up logging (stderr, or logging.file). Error: an InvalidArgument
// whose message is the whole diagnostic for the user, without the "mqtt2s3: " prefix (the
// caller prints it and exits 2): the configuration is invalid, `log_level` is not a level,
// or logging.file cannot be opened.
StatusOr<LoadedConfig> LoadConfigAndLogging(const std::string& config_file,
                                            const std::string& log_level);

}  // namespace mqtt2s3::app
