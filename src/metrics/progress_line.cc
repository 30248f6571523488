#include "metrics/progress_line.h"

#include <fmt/format.h>

namespace mqtt2s3::metrics {

std::string ProgressLine(const converter::ConverterStats& before,
                         const converter::ConverterStats& now,
                         std::chrono::duration<double> elapsed) {
  const double seconds = elapsed.count();
  const double rate = seconds > 0 && now.received >= before.received
                          ? static_cast<double>(now.received - before.received) / seconds
                          : 0.0;
  // Same definition as the mqtt2s3_messages_buffered gauge.
  const uint64_t settled =
      now.messages_uploaded + now.dead_lettered + now.deferred_on_shutdown + now.left_unacked;
  const uint64_t buffered = now.received > settled ? now.received - settled : 0;
  return fmt::format(
      "progress: received {} ({:.1f}/s), stored {}, acked {}, buffered {}, dead-lettered {}, "
      "wal appended {} commits {}",
      now.received, rate, now.messages_uploaded, now.acks_released, buffered, now.dead_lettered,
      now.wal_appended, now.wal_commits);
}

}  // namespace mqtt2s3::metrics
