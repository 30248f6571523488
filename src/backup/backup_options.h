// BackupOptions: what the backup consumer (`mqtt2s3 backup`, backup_consumer.h) needs: its
// own persistent session, S3, the converter's routes and object format, its own write-ahead
// log, and its own settings. Filled from the config file by backup/from_config.h; holds no
// runtime state. Thread-safety: a value.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "batch/flush_policy.h"
#include "common/status.h"
#include "format/format_options.h"
#include "mqtt/session_options.h"
#include "route/route_options.h"
#include "s3/options.h"
#include "upload/uploader_options.h"
#include "wal/log.h"

namespace mqtt2s3::backup {

struct BackupOptions {
  // Its own session: its own client id, clean_start false, plain (never shared)
  // subscriptions so it sees every message. The consumer adds confirm_topic at QoS 1.
  mqtt::SessionOptions session;
  s3::ClientOptions s3;
  // The converter's routes and instance id: the same routes place the backup's objects and
  // compute the same dedupe ids. Object names carry BackupInstance().
  route::RouterOptions router;
  // Per route (same order as router.routes): max_messages / max_bytes cut backup objects;
  // missing entries use default_policy. Ages do not apply (objects are cut at the timeout).
  std::vector<batch::FlushPolicy> route_policies;
  batch::FlushPolicy default_policy;
  upload::UploaderOptions uploader;
  format::FormatOptions format;
  // Its own log (one partition, "backup"); a message is acked once durable in it.
  wal::LogOptions wal;

  // Where the converter publishes upload confirmations (confirm/confirmation.h). Required.
  std::string confirm_topic;
  // The converter's flush command topic: not data, acked and ignored. "" = none.
  std::string flush_control_topic;
  // A kept message unconfirmed this long after it was received is uploaded by the backup.
  std::chrono::milliseconds confirm_timeout{std::chrono::minutes(5)};
  // Prefixed to the key the route renders for a backup object.
  std::string key_prefix = "backup/";
  // Unroutable messages (and objects S3 rejects for good) go here, as the converter's do.
  std::string dead_letter_bucket = "mqtt2s3-dead-letter";
  std::string dead_letter_prefix = "dead-letter/";
  // Early confirmations (arrived before the backup's own copy) remembered at most.
  size_t max_early_confirmations = 1'000'000;
  // How often the counters are logged.
  std::chrono::milliseconds summary_interval{std::chrono::seconds(30)};
  // On SIGTERM/SIGINT: how long uploads in flight may finish. What is not uploaded stays in
  // the log and is recovered by the next start.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(30)};

  // "<router.instance_id>-backup": the instance in the backup's object and dead-letter names.
  std::string BackupInstance() const { return router.instance_id + "-backup"; }

  // The policy cutting route `i`'s objects.
  const batch::FlushPolicy& PolicyFor(size_t i) const {
    return i < route_policies.size() ? route_policies[i] : default_policy;
  }

  Status Validate() const;
};

}  // namespace mqtt2s3::backup
