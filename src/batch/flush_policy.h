// FlushPolicy: when one partition's open batch is complete (count, bytes, age), and
// FlushReason: why a batch was flushed (names appear in logs, metrics and object metadata).
//
//   FlushPolicy p;                      // 10,000 messages / 64 MiB / 60 s
//   p.max_age = std::chrono::seconds(5);
//   M2S_RETURN_IF_ERROR(p.Validate());
//   FlushReasonName(FlushReason::kAge)  // "age"
//
// Lifecycle: plain values, filled from config once. Thread-safety: values; safe to copy.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::batch {

struct FlushPolicy {
  // A batch is flushed when it holds this many messages (the triggering message included, so a
  // batch holds at most exactly this many). 0 = no count trigger.
  size_t max_messages = 10000;
  // A batch never holds more than this many message bytes (topic + payload + extra, see
  // Batch::size_bytes()); a message that would overflow it starts the next batch, and a single
  // message larger than this forms a batch of its own. 0 = no bytes trigger (a batch is still
  // cut before its arena would pass 4 GiB). At least one of max_messages / max_bytes is on.
  size_t max_bytes = size_t{64} << 20;
  // A batch is flushed this long after its first message arrived (steady clock), even if no
  // further message arrives: the Batcher exposes the deadline for a timer. 0 = no age trigger.
  std::chrono::milliseconds max_age = std::chrono::seconds(60);

  Status Validate() const;

  friend bool operator==(const FlushPolicy&, const FlushPolicy&) = default;
};

enum class FlushReason : uint8_t {
  kCount = 0,       // max_messages reached
  kBytes,           // max_bytes reached, or the next message would overflow it
  kAge,             // max_age passed since the first message (timer)
  kControl,         // explicit request on the control topic (one partition or all)
  kUserProperty,    // a data message carried "flush after this one"
  kShutdown,        // process stopping
  kMemoryPressure,  // total buffered bytes passed BatcherOptions::max_buffered_bytes
  kWindowPressure,  // unacknowledged messages reached BatcherOptions::max_unacked_messages
  kRecovery,        // re-formed at start-up from the write-ahead log (a batch cut before a
                    // crash and not known to be stored)
  kOpenLimit,       // BatcherOptions::max_open_batches open batches, and another was needed
};
inline constexpr size_t kFlushReasonCount = 10;

// "count", "bytes", "age", "control", "user_property", "shutdown", "memory_pressure",
// "window_pressure", "recovery", "open_limit".
std::string_view FlushReasonName(FlushReason reason);

}  // namespace mqtt2s3::batch
