// ConverterOptions: what the first converter (one object per message, ack after upload)
// needs. Filled from the config file by converter/from_config.h; holds no runtime state.
// Thread-safety: a value.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/status.h"
#include "mqtt/backoff.h"
#include "mqtt/session_options.h"
#include "route/route_options.h"
#include "s3/options.h"

namespace mqtt2s3::converter {

struct ConverterOptions {
  mqtt::SessionOptions session;
  s3::ClientOptions s3;
  route::RouterOptions router;

  // Where messages that cannot be routed (or that S3 rejects for good) are stored.
  std::string dead_letter_bucket = "mqtt2s3-dead-letter";
  std::string dead_letter_prefix = "dead-letter/";
  // Create each bucket (CreateBucket, idempotent) before its first upload.
  bool create_buckets = true;
  // Upload worker threads, each with requests in flight to S3.
  size_t upload_concurrency = 8;
  // Messages received but not yet uploaded. When full the MQTT thread waits: with QoS 1/2 the
  // broker's window (Receive Maximum) then stops the flow, and QoS 0 is held back by TCP.
  size_t max_pending_uploads = 10'000;
  // Delays between attempts of a failed upload (retryable errors are retried without end:
  // an unacknowledged message must not be dropped; the broker keeps it meanwhile).
  mqtt::BackoffOptions upload_retry{std::chrono::milliseconds(200), std::chrono::seconds(30)};
  // On SIGTERM/SIGINT: how long to keep uploading what was received before disconnecting.
  // Messages not uploaded by then stay unacknowledged and are redelivered by the broker.
  std::chrono::milliseconds shutdown_grace{10'000};

  Status Validate() const;
};

}  // namespace mqtt2s3::converter
