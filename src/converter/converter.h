// Converter: the end-to-end job. Subscribes, routes every message to a partition (bucket +
// rendered key prefix), appends it to that partition's batch, flushes batches by count,
// bytes, age (a timer, also on quiet partitions), a producer's flush request (control topic
// or MQTT 5 user property), memory or window pressure, or shutdown; uploads each batch as one
// object under a key rendered from the batch (time range, partition sequence), and only then
// releases the MQTT acknowledgements of its messages. A message that matches no route or
// misses a template field, and a batch that S3 rejects for good, are stored under the
// dead-letter prefix instead (counted, never dropped).
//
//   Converter conv(options, std::move(client));   // client from s3::Client::Create
//   M2S_RETURN_IF_ERROR(conv.Run());              // blocks until Shutdown() / SIGTERM / SIGINT
//
// Threads: Run() drives the MQTT session, routing, batching and the age timer on the calling
// thread (Boost.Asio io_context); the uploader's threads call S3 and release acks. Ingest
// never waits on S3: a full upload queue holds the batch and lets the broker window push
// back.
//
// Shutdown: Shutdown() (any thread) or a signal stops taking new messages (those arriving
// now stay unacknowledged and are redelivered by the broker to the next session), flushes
// every batch, lets the uploads finish within shutdown_grace, releases their acks, sends
// DISCONNECT.
//
// Object naming: partition sequence numbers start from the process start time (milliseconds
// since the epoch x 100), lifted above every number the WAL recorded, so keys stay unique
// across restarts; batches re-formed from the WAL keep their recorded numbers (same keys).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "batch/flush_policy.h"
#include "common/status.h"
#include "converter/converter_options.h"
#include "s3/client.h"

namespace mqtt2s3::converter {

// Typed-column values of a Parquet route stored as null, by route::NullReason (absent, type,
// payload); mqtt2s3_parquet_null_values_total.
struct ColumnNullStats {
  std::string route;
  std::string column;
  uint64_t nulls[3] = {};
};

struct ConverterStats {
  uint64_t received = 0;            // data messages handed over by the session
  uint64_t messages_uploaded = 0;   // messages stored in their route's objects
  uint64_t batches_uploaded = 0;    // objects stored under their route's keys
  uint64_t dead_lettered = 0;       // messages stored under the dead-letter prefix
  uint64_t upload_bytes = 0;        // object body bytes stored
  uint64_t acks_released = 0;       // QoS 1/2 acknowledgements handed to the session
  uint64_t event_time_fallbacks = 0;  // event time missing/unparsable: receive time used
  uint64_t event_time_out_of_window = 0;  // event time outside the route's window: receive
                                          // time used (out_of_window: receive_time)
  uint64_t control_commands = 0;    // flush commands executed
  uint64_t control_errors = 0;      // malformed flush commands (logged, acked)
  uint64_t flushes[batch::kFlushReasonCount] = {};         // batches flushed, by batch::FlushReason
  uint64_t upload_blocked = 0;      // uploader queue full: batch held until a slot frees
  uint64_t index_objects = 0;       // companion index objects stored (index over the budget)
  uint64_t deferred_on_shutdown = 0;   // arrived while stopping: left for redelivery
  // Write-ahead log (ack mode on-wal).
  uint64_t wal_appended = 0;        // messages appended (and acked once synced)
  uint64_t wal_rejected = 0;        // not appended (disk budget full): acked after upload
  uint64_t redeliveries_recognised = 0;  // DUP PUBLISHes the WAL already held: acked, not stored
  uint64_t wal_commits = 0;         // batches recorded as stored
  uint64_t recovered_messages = 0;  // replayed from the log at start-up
  uint64_t recovered_batches = 0;   // sealed batches re-formed at start-up
  uint64_t confirmations = 0;       // upload confirmations published (delivery.confirm_topic)
  // Gauges and session counters, refreshed when stats() is read or by the WAL timer.
  uint64_t wal_disk_bytes = 0;      // bytes of all live WAL segments
  uint64_t wal_segments = 0;        // live WAL segments
  uint64_t buffered_bytes = 0;      // message bytes in open batches
  uint64_t buffered_messages = 0;   // messages in open batches
  uint64_t broker_connects = 0;     // broker connections accepted (CONNACK)
  uint64_t broker_disconnects = 0;  // established broker connections lost
  // Messages sent to the dead-letter prefix at routing time, by route::DeadLetterReason.
  uint64_t dead_letter_reasons[8] = {};
  uint64_t left_unacked = 0;  // not stored (shutdown grace over, or refused for good): the
                              // broker redelivers them to the next session
  std::vector<ColumnNullStats> parquet_nulls;  // one per typed column of every Parquet route
};

class Converter {
 public:
  // `client` must come from s3::Client::Create(options.s3) (or a test transport).
  Converter(ConverterOptions options, std::unique_ptr<s3::Client> client);
  ~Converter();
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  // Validates, checks S3 credentials with a first request (a permanent failure such as a wrong
  // secret key ends Run with that error; an unreachable endpoint is logged and retried), then
  // runs until Shutdown(). Installs SIGINT/SIGTERM handlers when `handle_signals` is true.
  Status Run(bool handle_signals = true);

  // Begins the graceful stop described above. Safe from any thread, idempotent.
  void Shutdown();

  // Blocks until the session has connected once (or `timeout` passes). For tests and tools.
  bool WaitConnected(std::chrono::milliseconds timeout) const;

  ConverterStats stats() const;

  // True while the session holds an accepted broker connection (readiness). Any thread.
  bool BrokerConnected() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::converter
