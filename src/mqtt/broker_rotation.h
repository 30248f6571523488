// BrokerRotation: which broker of a failover list a Session connects to next, and whether it
// must wait its reconnect backoff first.
//
//   BrokerRotation rotation(3);              // brokers 0, 1, 2 (SessionOptions::Brokers())
//   connect to rotation.current();
//   on CONNACK accepted:      rotation.Connected();
//   on failure or drop:       bool wait = rotation.Advance();   // now rotation.current() is next
//                             delay = wait ? backoff.Next() : 0;
//
// Round robin: every failed attempt and every dropped connection moves on to the next broker
// (wrapping around), at once, until each broker has failed once in the current round; then the
// caller waits its backoff delay (growing while whole rounds keep failing) and a new round
// starts. A successful connection starts a fresh round on the broker that accepted it, and the
// session stays there until it drops: there is no fail-back to the first broker. With one
// broker every failure waits, which is the single-broker reconnect behaviour.
//
// Lifecycle: a value owned by one session. Thread-safety: not thread-safe; use from one thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mqtt2s3::mqtt {

class BrokerRotation {
 public:
  // `count` brokers, numbered 0..count-1; 0 is treated as 1. Starts on broker 0.
  explicit BrokerRotation(size_t count) : count_(count == 0 ? 1 : count) {}

  // The broker to connect to now.
  size_t current() const { return current_; }
  size_t count() const { return count_; }

  // The attempt on current() failed, or its established connection dropped: moves to the next
  // broker. Returns true when that failure completed a round (every broker failed once since
  // the last accepted connection or the last completed round): wait the backoff delay before
  // connecting to current(). False: connect to current() at once.
  bool Advance();

  // The connection to current() was accepted: the next failure starts a new round.
  void Connected() { failures_in_round_ = 0; }

  // Times the session moved from one broker to another (for stats and tests).
  uint64_t switches() const { return switches_; }
  // Rounds in which every broker failed.
  uint64_t failed_rounds() const { return failed_rounds_; }

 private:
  size_t count_;
  size_t current_ = 0;
  size_t failures_in_round_ = 0;
  uint64_t switches_ = 0;
  uint64_t failed_rounds_ = 0;
};

}  // namespace mqtt2s3::mqtt
