// `mqtt2s3 backup --config FILE`: the backup consumer (src/backup/backup_consumer.h).
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "backup/backup_consumer.h"
#include "backup/from_config.h"
#include "commands.h"
#include "config/config_loader.h"
#include "logging.h"
#include "s3/client.h"

namespace mqtt2s3::app {
namespace {

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

int RunBackup(const RunFlags& flags) {
  auto cfg = config::LoadConfigFile(flags.config_file);
  if (!cfg.ok()) {
    std::cerr << "mqtt2s3: invalid configuration:\n" << cfg.status().message() << "\n";
    return 2;
  }
  config::LogLevel level = cfg->logging.level;
  if (!flags.log_level.empty() && !ParseLogLevel(flags.log_level, &level)) {
    std::cerr << "mqtt2s3: --log-level: expected trace|debug|info|warn|error, got '"
              << flags.log_level << "'\n";
    return 2;
  }
  // Kept alive while the consumer runs (logging.file; not reopened on SIGHUP here).
  std::shared_ptr<metrics::ReopenableFileSink> log_file;
  if (cfg->logging.file.empty()) {
    SetUpLogging(level, cfg->logging.format);
  } else {
    auto sink = SetUpFileLogging(level, cfg->logging.format, cfg->logging.file);
    if (!sink.ok()) {
      std::cerr << "mqtt2s3: " << flags.config_file << ": logging.file: "
                << sink.status().message() << "\n";
      return 2;
    }
    log_file = std::move(*sink);
  }
  auto options = backup::BackupOptionsFromConfig(*cfg);
  if (!options.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << options.status().message() << "\n";
    return 2;
  }
  if (Status st = options->Validate(); !st.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << st.message() << "\n";
    return 2;
  }
  auto client = s3::Client::Create(options->s3);
  if (!client.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << client.status().message() << "\n";
    return 2;
  }
  backup::BackupConsumer consumer(std::move(*options), std::move(*client));
  Status st = consumer.Run(/*handle_signals=*/true);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return 1;
  }
  return 0;
}

}  // namespace mqtt2s3::app
