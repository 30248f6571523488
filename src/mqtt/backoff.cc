#include "mqtt/backoff.h"

#include <algorithm>
#include <string>

namespace mqtt2s3::mqtt {

Status BackoffOptions::Validate() const {
  if (min_delay.count() <= 0) {
    return Status::InvalidArgument("backoff min_delay must be > 0 ms, got " +
                                   std::to_string(min_delay.count()));
  }
  if (max_delay < min_delay) {
    return Status::InvalidArgument("backoff max_delay (" + std::to_string(max_delay.count()) +
                                   " ms) must be >= min_delay (" +
                                   std::to_string(min_delay.count()) + " ms)");
  }
  return Status::Ok();
}

Backoff::Backoff(BackoffOptions options, uint64_t seed)
    : options_(options), rng_(seed != 0 ? seed : std::random_device{}()) {}

std::chrono::milliseconds Backoff::CurrentCap() const {
  // Doubling stops once past max_delay, so the shift never overflows whatever the attempt.
  int64_t cap = options_.min_delay.count();
  const int64_t max = options_.max_delay.count();
  for (uint32_t i = 0; i < attempt_ && cap < max; ++i) cap *= 2;
  return std::chrono::milliseconds(std::min(cap, max));
}

std::chrono::milliseconds Backoff::Next() {
  const int64_t cap = CurrentCap().count();
  if (attempt_ < UINT32_MAX) ++attempt_;
  std::uniform_int_distribution<int64_t> dist(0, cap);
  return std::chrono::milliseconds(dist(rng_));
}

}  // namespace mqtt2s3::mqtt
