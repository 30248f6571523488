// SteadyClock: the Batcher's source of "now" for batch ages. Production uses Real(); tests
// plug in a fake through this interface (FakeSteadyClock below).
//
// The Batcher reads the clock only when a partition opens a batch, never per message.
// Lifecycle: Real() lives for the process; a fake must outlive the Batcher using it.
// Thread-safety: Real() is safe from any thread; FakeSteadyClock is not thread-safe.
#pragma once

#include <chrono>

namespace mqtt2s3::batch {

class SteadyClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~SteadyClock() = default;
  virtual time_point Now() const = 0;

  static const SteadyClock& Real();
};

// A clock that moves only when told to. For tests.
class FakeSteadyClock final : public SteadyClock {
 public:
  time_point Now() const override { return now_; }
  void Advance(std::chrono::steady_clock::duration d) { now_ += d; }
  void Set(time_point t) { now_ = t; }

 private:
  time_point now_{std::chrono::hours(1)};  // not the epoch, so "zero" bugs show
};

}  // namespace mqtt2s3::batch
