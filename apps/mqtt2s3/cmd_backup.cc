// `mqtt2s3 backup --config FILE`: the backup consumer (src/backup/backup_consumer.h).
#include <spdlog/spdlog.h>

#include <iostream>

#include "backup/backup_consumer.h"
#include "backup/from_config.h"
#include "commands.h"
#include "logging.h"
#include "s3/client.h"

namespace mqtt2s3::app {

int RunBackup(const RunFlags& flags) {
  auto loaded = LoadConfigAndLogging(flags.config_file, flags.log_level);
  if (!loaded.ok()) {
    std::cerr << "mqtt2s3: " << loaded.status().message() << "\n";
    return 2;
  }
  // `loaded` keeps logging.file's sink alive while the consumer runs (not reopened on SIGHUP
  // here: that is ServiceRuntime's, which only `run` has).
  const config::Config& cfg = loaded->config;
  auto options = backup::BackupOptionsFromConfig(cfg);
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
