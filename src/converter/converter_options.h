// ConverterOptions: what the converter needs: the session, the S3 client, the router, the
// batcher and the uploader, plus its own settings. Filled from the config file by
// converter/from_config.h; holds no runtime state. Thread-safety: a value.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "batch/batcher.h"
#include "batch/flush_policy.h"
#include "common/status.h"
#include "format/format_options.h"
#include "mqtt/session_options.h"
#include "route/route_options.h"
#include "s3/options.h"
#include "upload/uploader_options.h"
#include "wal/log.h"

namespace mqtt2s3::converter {

// Bytes of the metadata budget the converter (and the backup consumer) keep for their own
// fields (route, flush reason): min(budget / 4, kOwnMetadataBytes). The object writer needs at
// least kMinWriterMetadataBytes of what is left (docs/FORMAT.md §3), so a configured budget
// must be at least kMinMetadataBudget.
inline constexpr size_t kOwnMetadataBytes = 256;
inline constexpr size_t kMinWriterMetadataBytes = 1024;
inline constexpr size_t kMinMetadataBudget = kMinWriterMetadataBytes + kOwnMetadataBytes;

// The format budget left for the object writer of a configured `budget`.
inline size_t WriterMetadataBudget(size_t budget) {
  return budget - (budget / 4 < kOwnMetadataBytes ? budget / 4 : kOwnMetadataBytes);
}
// InvalidArgument naming the key when `budget` leaves the writer less than it needs.
Status CheckMetadataBudget(size_t budget);

// When a message's acknowledgement goes to the broker (docs/WAL.md).
enum class AckMode : uint8_t {
  kOnWal,      // once appended to the write-ahead log and synced per its policy
  kOnUpload,   // once its object is stored; batches cut to fit the broker window
  kOnReceive,  // at once; what is buffered is lost if the process dies
};
std::string_view AckModeName(AckMode m);           // "on-wal", "on-upload", "on-receive"
StatusOr<AckMode> ParseAckMode(std::string_view name);

struct ConverterOptions {
  AckMode ack_mode = AckMode::kOnWal;
  // The write-ahead log; used with kOnWal (dir required then).
  wal::LogOptions wal;
  // Topic on which a confirmation (confirm/confirmation.h) is published after every stored
  // object, for the backup consumer; "" = none.
  std::string confirm_topic;

  mqtt::SessionOptions session;
  s3::ClientOptions s3;
  route::RouterOptions router;
  // Global batching defaults and memory cap. max_unacked_messages is set from the broker
  // window by the converter when left 0 (acks wait for the upload in this phase).
  batch::BatcherOptions batcher;
  // One flush policy per route (same order as router.routes); missing entries use
  // batcher.default_policy.
  std::vector<batch::FlushPolicy> route_policies;
  upload::UploaderOptions uploader;

  // Where messages that cannot be routed (or that S3 rejects for good) are stored.
  std::string dead_letter_bucket = "mqtt2s3-dead-letter";
  std::string dead_letter_prefix = "dead-letter/";
  // Topic on which producers request flushes (converter/flush_command.h); "" = off. The
  // converter subscribes to it itself.
  std::string flush_control_topic;
  // MQTT 5 user property on a data message meaning "flush its batch after this one"; "" = off.
  std::string flush_user_property = "mqtt2s3-flush";
  // Object format (docs/FORMAT.md): separator, metadata budget, index object naming. Each
  // route's cluster settings (RouteOptions::cluster, cluster_components) override the
  // clustering fields per route. The object writer gets WriterMetadataBudget() of the
  // budget; the rest is for the converter's own fields (route, flush reason).
  format::FormatOptions format = DefaultFormat();

  // The format defaults, with companion index objects under "_index/" so that listing a data
  // prefix (a time range) returns data objects only.
  static format::FormatOptions DefaultFormat() {
    format::FormatOptions f;
    f.index_object_prefix = "_index/";
    return f;
  }
  // On SIGTERM/SIGINT: how long to keep uploading flushed batches before disconnecting.
  // Messages not stored by then stay unacknowledged and are redelivered by the broker.
  std::chrono::milliseconds shutdown_grace{30'000};

  // The policy for route `i`.
  const batch::FlushPolicy& PolicyFor(size_t route_index) const {
    return route_index < route_policies.size() ? route_policies[route_index]
                                               : batcher.default_policy;
  }

  Status Validate() const;
};

}  // namespace mqtt2s3::converter
