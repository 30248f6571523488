// Converter: the first end-to-end job. Subscribes, routes every message to (bucket, key),
// uploads it as one object, and only then releases its MQTT acknowledgement. A message that
// matches no route, misses a template field, or that S3 rejects for good, is stored under the
// dead-letter prefix instead (counted, never dropped).
//
//   Converter conv(options, std::move(client));   // client from s3::Client::Create
//   M2S_RETURN_IF_ERROR(conv.Run());              // blocks until Shutdown() / SIGTERM / SIGINT
//
// Threads: Run() drives the MQTT session on the calling thread (Boost.Asio io_context);
// upload_concurrency worker threads take jobs from a bounded queue and call S3; Release()
// hands acks back to the session thread. The routing scratch lives on the session thread.
//
// Shutdown: Shutdown() (any thread) or a signal stops taking new messages (those arriving
// now stay unacknowledged and are redelivered by the broker to the next session), lets the
// workers finish what is queued within shutdown_grace, releases their acks, sends DISCONNECT.
//
// Object naming: the {seq} placeholder counts from the process start time in microseconds, so
// keys stay unique across restarts without persistent state (until the WAL phase makes them
// deterministic).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "converter/converter_options.h"
#include "s3/client.h"

namespace mqtt2s3::converter {

struct ConverterStats {
  uint64_t received = 0;         // messages handed over by the session
  uint64_t uploaded = 0;         // objects stored under their route's key
  uint64_t dead_lettered = 0;    // objects stored under the dead-letter prefix
  uint64_t upload_bytes = 0;     // payload bytes stored
  uint64_t upload_retries = 0;   // retryable failures followed by another attempt
  uint64_t acks_released = 0;    // QoS 1/2 acknowledgements handed to the session
  uint64_t deferred_on_shutdown = 0;   // arrived while stopping: left for redelivery
  uint64_t abandoned_on_shutdown = 0;  // queued but not stored within the grace period
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

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::converter
