// PendingSet: the backup consumer's bookkeeping of kept messages that the converter has not
// confirmed yet. Pure logic: every call takes the current time, so tests drive a fake clock.
//
//   PendingSet pending({.confirm_timeout_ms = 300'000});
//   if (pending.ConsumeEarly(id, now)) { Ack(); return; }   // confirmed before it arrived
//   pending.Add(id, wal_seq, receive_ms);                     // kept in the WAL
//   ...
//   if (auto seq = pending.Confirm(id, now)) Forget(*seq);   // at most one occurrence
//   pending.TakeExpired(now, &seqs);                          // unconfirmed too long: upload
//   pending.lowest_sequence();                                // commit floor
//
// An id may be pending several times (identical messages, a redelivery): a confirmation
// removes one occurrence, the oldest. A confirmation for an id that is not pending is kept as
// an "early confirmation" for confirm_timeout (the converter can store and confirm a message
// before the backup's own copy arrives); the next Add-candidate with that id consumes it. Early
// confirmations are bounded by max_early_confirmations (the oldest goes first).
//
// Lifecycle: one per backup consumer. Thread-safety: none (the consumer's io thread owns it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mqtt2s3::backup {

struct PendingSetOptions {
  // A message kept this long without confirmation is handed out by TakeExpired; an early
  // confirmation is remembered this long. > 0.
  int64_t confirm_timeout_ms = 300'000;
  // Most early confirmations remembered at once. > 0.
  size_t max_early_confirmations = 1'000'000;
};

struct PendingSetStats {
  uint64_t added = 0;             // kept messages
  uint64_t confirmed = 0;         // pending occurrences removed by a confirmation
  uint64_t early = 0;             // confirmations that found nothing pending (remembered)
  uint64_t early_matched = 0;     // messages dropped because an early confirmation awaited them
  uint64_t early_expired = 0;     // early confirmations forgotten after confirm_timeout
  uint64_t early_evicted = 0;     // forgotten because max_early_confirmations was reached
  uint64_t expired = 0;           // handed out by TakeExpired
  size_t pending = 0;             // occurrences pending now
  size_t early_now = 0;           // early confirmations remembered now
};

class PendingSet {
 public:
  explicit PendingSet(PendingSetOptions options) : options_(options) {}

  // True (and the early confirmation is used up) when a confirmation for `id` arrived before
  // this message: the caller need not keep it.
  bool ConsumeEarly(std::string_view id, int64_t now_ms);

  // Records a kept message. `sequence` is unique and increasing across calls (its WAL
  // sequence); `receive_ms` is when it was received (its timeout starts then).
  void Add(std::string_view id, uint64_t sequence, int64_t receive_ms);

  // Removes the oldest pending occurrence of `id` and returns its sequence; if none is
  // pending, remembers an early confirmation and returns nullopt.
  std::optional<uint64_t> Confirm(std::string_view id, int64_t now_ms);

  // Appends to *sequences (ascending) the pending messages received at or before
  // now - confirm_timeout, in sequence order up to the first one still in time, and forgets
  // them; also forgets expired early confirmations.
  void TakeExpired(int64_t now_ms, std::vector<uint64_t>* sequences);

  // The smallest pending sequence, or nullopt when nothing is pending.
  std::optional<uint64_t> lowest_sequence() const;

  // When the next message expires (receive time of the oldest + timeout), nullopt if none.
  std::optional<int64_t> next_expiry_ms() const;

  PendingSetStats stats() const;

 private:
  struct Entry {
    int64_t receive_ms = 0;
    std::string id;
  };
  // Pops early_order_'s (non-empty) front; forgets its confirmation and returns true unless
  // it was consumed already.
  bool PopEarlyFront();
  void ForgetEarly(int64_t now_ms);

  PendingSetOptions options_;
  std::map<uint64_t, Entry> by_sequence_;                            // pending, by sequence
  std::unordered_map<std::string, std::deque<uint64_t>> by_id_;      // id -> sequences, oldest first
  // Early confirmations: id -> their expiry times, oldest first; and every one in arrival
  // order (entries already consumed stay in early_order_ until popped).
  std::unordered_map<std::string, std::deque<int64_t>> early_;
  std::deque<std::pair<int64_t, std::string>> early_order_;
  size_t early_live_ = 0;
  PendingSetStats stats_;
};

}  // namespace mqtt2s3::backup
