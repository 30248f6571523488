// Maps the loaded configuration onto BackupOptions: the converter's mapping
// (converter/from_config.h) for broker, S3, routes, format and uploads, then the backup
// section, delivery.confirm_topic and the wal section's sizes. Pure function; thread-safe.
#pragma once

#include "backup/backup_options.h"
#include "common/status.h"
#include "config/config.h"

namespace mqtt2s3::backup {

// Fails naming the config key: delivery.confirm_topic unset, backup.sync unknown, or what the
// converter's mapping refuses.
StatusOr<BackupOptions> BackupOptionsFromConfig(const config::Config& cfg);

}  // namespace mqtt2s3::backup
