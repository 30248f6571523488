#include "logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace mqtt2s3::app {

namespace {

void Configure(const std::shared_ptr<spdlog::logger>& logger, config::LogLevel level,
               config::LogFormat format) {
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

}  // namespace

void SetUpLogging(config::LogLevel level, config::LogFormat format) {
  Configure(spdlog::stderr_logger_mt("mqtt2s3"), level, format);
}

StatusOr<std::shared_ptr<metrics::ReopenableFileSink>> SetUpFileLogging(
    config::LogLevel level, config::LogFormat format, const std::string& file) {
  M2S_ASSIGN_OR_RETURN(std::shared_ptr<metrics::ReopenableFileSink> sink,
                       metrics::ReopenableFileSink::Open(file));
  auto logger = std::make_shared<spdlog::logger>("mqtt2s3", sink);
  Configure(logger, level, format);
  return sink;
}

}  // namespace mqtt2s3::app
