#include "batch/flush_policy.h"

#include <limits>
#include <string>

namespace mqtt2s3::batch {

Status FlushPolicy::Validate() const {
  if (max_messages == 0 && max_bytes == 0) {
    // Age alone would let a busy partition grow without bound between timer ticks.
    return Status::InvalidArgument(
        "flush policy: at least one of max_messages and max_bytes must be non-zero");
  }
  if (max_bytes > std::numeric_limits<uint32_t>::max()) {
    // Arena offsets are 32-bit (Batch keeps 48-byte entries); 4 GiB objects are not a goal.
    return Status::InvalidArgument("flush policy: max_bytes " + std::to_string(max_bytes) +
                                   " exceeds 4 GiB - 1");
  }
  if (max_age.count() < 0) {
    return Status::InvalidArgument("flush policy: max_age must not be negative");
  }
  return Status::Ok();
}

std::string_view FlushReasonName(FlushReason reason) {
  switch (reason) {
    case FlushReason::kCount:
      return "count";
    case FlushReason::kBytes:
      return "bytes";
    case FlushReason::kAge:
      return "age";
    case FlushReason::kControl:
      return "control";
    case FlushReason::kUserProperty:
      return "user_property";
    case FlushReason::kShutdown:
      return "shutdown";
    case FlushReason::kMemoryPressure:
      return "memory_pressure";
    case FlushReason::kWindowPressure:
      return "window_pressure";
    case FlushReason::kRecovery:
      return "recovery";
    case FlushReason::kOpenLimit:
      return "open_limit";
  }
  return "unknown";
}

}  // namespace mqtt2s3::batch
