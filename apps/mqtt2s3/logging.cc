#include "logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace mqtt2s3::app {

void SetUpLogging(config::LogLevel level, config::LogFormat format) {
  auto logger = spdlog::stderr_logger_mt("mqtt2s3");
  switch (level) {
    case config::LogLevel::kTrace: logger->set_level(spdlog::level::trace); break;
    case config::LogLevel::kDebug: logger->set_level(spdlog::level::debug); break;
    case config::LogLevel::kInfo: logger->set_level(spdlog::level::info); break;
    case config::LogLevel::kWarn: logger->set_level(spdlog::level::warn); break;
    case config::LogLevel::kError: logger->set_level(spdlog::level::err); break;
  }
  if (format == config::LogFormat::kJson) {
    // Messages are ours and never carry raw payload bytes; hostile topics are percent-encoded
    // before they reach a log line, so quotes and control characters cannot occur in them
    // except '"' and '\' from topics, which the pattern cannot escape: keep text the default.
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_default_logger(logger);
}

}  // namespace mqtt2s3::app
