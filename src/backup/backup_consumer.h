// BackupConsumer: `mqtt2s3 backup`. A second, independent subscriber that keeps its own copy
// of every message on local disk and uploads what the converter does not confirm in time, so
// losing the converter's machine (and its WAL) loses nothing (docs/DELIVERY.md).
//
//   auto options = backup::BackupOptionsFromConfig(cfg);      // or fill BackupOptions
//   backup::BackupConsumer consumer(std::move(*options), std::move(s3_client));
//   Status st = consumer.Run(/*handle_signals=*/true);          // until SIGTERM / Shutdown()
//
// Data path, on one io thread:
//   - every data message is routed with the converter's routes to compute its dedupe id
//     (route/dedupe_id.h; the content hash when no route takes it), appended to the backup's
//     own WAL (partition "backup", extra = dedupe id), and acked once the WAL's sync policy
//     covers it; a message whose confirmation already arrived is acked without being kept;
//   - every confirmation on confirm_topic (confirm/confirmation.h) removes one pending copy
//     per listed id (PendingSet);
//   - what stays unconfirmed for confirm_timeout is routed again, cut into objects per
//     partition (route policies' max_messages / max_bytes), written with the object format
//     and uploaded under key_prefix + the route's key, instance "<instance_id>-backup" and
//     partition_seq = the first WAL sequence of the object (a re-upload after a crash rewrites
//     the same name); unroutable messages go to the dead-letter prefix, one object each;
//   - the WAL is committed up to the lowest sequence still pending or uploading, minus one,
//     and obsolete segments are deleted. A restart recovers the rest from the WAL.
// At-least-once: a message confirmed above the commit floor before a crash is pending again
// after it and may be uploaded a second time (same dedupe id).
//
// Lifecycle: construct, Run() once (blocks), Shutdown() from any thread or a signal stops it:
// the session disconnects (unacked messages are redelivered to the next session), uploads in
// flight get shutdown_grace, the WAL is synced and closed. Thread-safety: Shutdown(),
// WaitSubscribed() and stats() are safe from any thread; Run() from one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "backup/backup_options.h"
#include "common/status.h"
#include "s3/client.h"

namespace mqtt2s3::backup {

struct BackupStats {
  uint64_t received = 0;              // data messages handed over by the session
  uint64_t kept = 0;                  // appended to the WAL and pending
  uint64_t recovered = 0;             // pending copies recovered from the WAL at start
  uint64_t confirmations = 0;         // confirmation payloads received
  uint64_t confirmation_errors = 0;   // payloads that did not parse (ignored)
  uint64_t confirmed = 0;             // pending copies removed by a confirmation
  uint64_t early_confirmations = 0;   // ids confirmed before the backup's copy arrived
  uint64_t early_matched = 0;         // arriving messages dropped thanks to those
  uint64_t expired = 0;               // unconfirmed past the timeout, handed to upload
  uint64_t uploaded = 0;              // of those, stored in backup objects
  uint64_t objects = 0;               // backup objects stored
  uint64_t dead_lettered = 0;         // messages stored under the dead-letter prefix
  uint64_t upload_failures = 0;       // objects S3 refused for good (then dead-lettered)
  uint64_t wal_full = 0;              // appends refused by a full WAL budget (then retried)
  uint64_t redeliveries = 0;          // broker redeliveries of kept messages (not kept twice)
  uint64_t acks_released = 0;
  uint64_t commits = 0;               // WAL commit markers written
  uint64_t segments_deleted = 0;
};

class BackupConsumer {
 public:
  BackupConsumer(BackupOptions options, std::unique_ptr<s3::Client> client);
  ~BackupConsumer();
  BackupConsumer(const BackupConsumer&) = delete;
  BackupConsumer& operator=(const BackupConsumer&) = delete;

  // Opens and recovers the WAL, checks S3, connects, and serves until Shutdown() (or SIGTERM
  // / SIGINT with handle_signals). Errors: invalid options, WAL open or I/O failure, S3
  // unreachable at start.
  Status Run(bool handle_signals);
  void Shutdown();
  // True once the session's subscriptions were acknowledged (for tests and tools).
  bool WaitSubscribed(std::chrono::milliseconds timeout) const;
  BackupStats stats() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::backup
