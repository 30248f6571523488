// RetryPolicy: how often and how far apart the uploader repeats one S3 request that failed
// with a retryable error, and RetryBackoff, the full-jitter delay generator behind it.
//
//   RetryBackoff backoff(policy);               // one per worker thread
//   std::chrono::milliseconds d = backoff.Delay(failures);   // failures >= 1
//
// Delay(n) is uniform in [0, min(max_backoff, initial_backoff * 2^(n-1))] ("full jitter",
// AWS architecture blog "Exponential Backoff And Jitter"): uploaders that lost the same RGW
// spread out instead of retrying in lock step.
//
// src/mqtt/backoff.h implements the same curve for reconnects; upload must not depend on the
// mqtt module, so this small copy lives here until a shared one moves to src/common.
//
// Thread-safety: RetryPolicy is a value; a RetryBackoff is used by one thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "common/status.h"

namespace mqtt2s3::upload {

struct RetryPolicy {
  // Cap of the first delay and base of the doubling. Must be > 0.
  std::chrono::milliseconds initial_backoff{200};
  // No single delay exceeds this. Must be >= initial_backoff.
  std::chrono::milliseconds max_backoff{30'000};
  // Attempts of one request (first try included) before the object is parked. Must be >= 1.
  int max_attempts = 10;

  Status Validate() const;
};

class RetryBackoff {
 public:
  // `seed` makes the jitter reproducible in tests; 0 seeds from std::random_device.
  explicit RetryBackoff(RetryPolicy policy, uint64_t seed = 0);

  // Upper bound of the delay after `failures` consecutive failures (>= 1).
  std::chrono::milliseconds Cap(int failures) const;
  // A delay drawn uniformly in [0, Cap(failures)].
  std::chrono::milliseconds Delay(int failures);

 private:
  RetryPolicy policy_;
  std::mt19937_64 rng_;
};

}  // namespace mqtt2s3::upload
