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

}  // namespace mqtt2s3::app
