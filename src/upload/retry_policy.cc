#include "upload/retry_policy.h"

#include <algorithm>
#include <string>

namespace mqtt2s3::upload {

Status RetryPolicy::Validate() const {
  if (initial_backoff.count() <= 0) {
    return Status::InvalidArgument("upload retry initial_backoff must be > 0 ms, got " +
                                   std::to_string(initial_backoff.count()));
  }
  if (max_backoff < initial_backoff) {
    return Status::InvalidArgument("upload retry max_backoff (" +
                                   std::to_string(max_backoff.count()) +
                                   " ms) must be >= initial_backoff (" +
                                   std::to_string(initial_backoff.count()) + " ms)");
  }
  if (max_attempts < 1) {
    return Status::InvalidArgument("upload retry max_attempts must be >= 1, got " +
                                   std::to_string(max_attempts));
  }
  return Status::Ok();
}

RetryBackoff::RetryBackoff(RetryPolicy policy, uint64_t seed)
    : policy_(policy), rng_(seed != 0 ? seed : std::random_device{}()) {}

std::chrono::milliseconds RetryBackoff::Cap(int failures) const {
  // Doubling stops once past max_backoff, so no shift can overflow whatever `failures` is.
  int64_t cap = policy_.initial_backoff.count();
  const int64_t max = policy_.max_backoff.count();
  for (int i = 1; i < failures && cap < max; ++i) cap *= 2;
  return std::chrono::milliseconds(std::min(cap, max));
}

std::chrono::milliseconds RetryBackoff::Delay(int failures) {
  std::uniform_int_distribution<int64_t> dist(0, Cap(failures).count());
  return std::chrono::milliseconds(dist(rng_));
}

}  // namespace mqtt2s3::upload
