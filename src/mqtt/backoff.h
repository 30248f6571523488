// Backoff: delays between reconnect attempts, exponential with "full jitter".
//
//   Backoff backoff({.min_delay = 100ms, .max_delay = 30s});
//   auto delay = backoff.Next();   // uniform in [0, min(max, min * 2^attempt)]
//   ...connected...
//   backoff.Reset();
//
// Full jitter (AWS architecture blog, "Exponential Backoff And Jitter") spreads a fleet of
// clients that lost the same broker so they do not reconnect in lock step. The first delay
// after Reset() is at most min_delay, so a single dropped connection is retried quickly.
//
// Lifecycle: a value owned by one session. Thread-safety: not thread-safe; use from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "common/status.h"

namespace mqtt2s3::mqtt {

struct BackoffOptions {
  // Cap of the first delay and the base of the exponential growth. Must be > 0.
  std::chrono::milliseconds min_delay{100};
  // No delay exceeds this. Must be >= min_delay.
  std::chrono::milliseconds max_delay{30'000};

  Status Validate() const;
};

class Backoff {
 public:
  // `seed` makes the jitter sequence reproducible in tests; 0 seeds from std::random_device.
  explicit Backoff(BackoffOptions options, uint64_t seed = 0);

  // The delay before the next attempt; each call counts one more failed attempt.
  std::chrono::milliseconds Next();

  // The cap Next() would draw below, without drawing (for logs and tests).
  std::chrono::milliseconds CurrentCap() const;

  // Call after a successful connection: the next delay is short again.
  void Reset() { attempt_ = 0; }

  uint32_t attempt() const { return attempt_; }

 private:
  BackoffOptions options_;
  uint32_t attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace mqtt2s3::mqtt
