#include "logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "config/config_loader.h"

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

bool ParseLogLevel(const std::string& s, config::LogLevel* out) {
  for (config::LogLevel l : {config::LogLevel::kTrace, config::LogLevel::kDebug,
                             config::LogLevel::kInfo, config::LogLevel::kWarn,
                             config::LogLevel::kError}) {
    if (config::LogLevelName(l) == s) {
      *out = l;
      return true;
    }
  }
  return false;
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

StatusOr<LoadedConfig> LoadConfigAndLogging(const std::string& config_file,
                                            const std::string& log_level) {
  auto cfg = config::LoadConfigFile(config_file);
  if (!cfg.ok()) {
    return Status::InvalidArgument("invalid configuration:\n" + cfg.status().message());
  }
  config::LogLevel level = cfg->logging.level;
  if (!log_level.empty() && !ParseLogLevel(log_level, &level)) {
    return Status::InvalidArgument("--log-level: expected trace|debug|info|warn|error, got '" +
                                   log_level + "'");
  }
  LoadedConfig loaded{std::move(*cfg), nullptr};
  if (loaded.config.logging.file.empty()) {
    SetUpLogging(level, loaded.config.logging.format);
  } else {
    auto sink = SetUpFileLogging(level, loaded.config.logging.format, loaded.config.logging.file);
    if (!sink.ok()) {
      return Status::InvalidArgument(config_file + ": logging.file: " + sink.status().message());
    }
    loaded.log_file = std::move(*sink);
  }
  return loaded;
}

}  // namespace mqtt2s3::app
