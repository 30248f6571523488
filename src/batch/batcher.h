// Batcher: turns a stream of routed messages into per-partition batches and decides when each
// batch is complete. It does no I/O: completed batches come back in a caller-owned vector.
//
//   Batcher batcher(options);                       // options.Validate() first
//   std::vector<Batch> ready;                       // reused; clear() keeps capacity
//   M2S_RETURN_IF_ERROR(batcher.Append(partition, bucket, route, policy, msg, &ready));
//   for (Batch& b : ready) uploader.Submit(std::move(b));
//   ready.clear();
//   // later, on this thread, once an uploaded batch's acks are released:
//   batcher.Complete(std::move(done));              // frees its window share, reuses arenas
//   if (auto d = batcher.NextDeadline()) timer.expires_at(*d);
//   // on timer:   batcher.FlushExpired(clock.Now(), &ready);
//   // on control: batcher.Flush(partition, FlushReason::kControl, &ready) / FlushAll(...)
//
// Triggers, checked after each Append (the triggering message is in the flushed batch):
//   - flush_after (user property), then max_messages (a batch reaches exactly N), then
//     max_bytes. Before appending, a message that would push the open batch past max_bytes
//     flushes it first, so a batch never exceeds max_bytes unless it is a single larger message.
//   - Memory: while buffered memory_bytes() across partitions > max_buffered_bytes, the
//     partition holding the most bytes is flushed (kMemoryPressure); after Append returns the
//     total is <= the cap. Largest first: one upload frees the most memory, and the batch cut
//     short is the one closest to its full size anyway (fewest small objects).
//   - Window: when unacked buffered messages (QoS > 0) plus the unacked messages of flushed
//     batches not yet Complete()d reach max_unacked_messages, the broker will send no more
//     until uploads finish, so the partitions holding the most unacked messages are flushed
//     (kWindowPressure), largest first -- most window freed per upload -- until at most half
//     the window is buffered. Counting flushed-but-not-completed batches matters: with a window
//     of 1,000 split as 600 in flight and 400 buffered, buffered alone never reaches 1,000.
//     With the window on the caller MUST Complete() every batch.
//   - Open batches: opening a batch beyond max_open_batches first flushes the open batch whose
//     deadline is nearest (kOpenLimit).
//   - Age: a partition's deadline is its first message's arrival + max_age. NextDeadline() is
//     the earliest over all partitions (O(1), heap-indexed); FlushExpired() flushes all due ones,
//     so a quiet partition is flushed by the caller's timer without any new arrival.
//
// Partitions: a partition id must always name the same (bucket, route_index) while it has an
// open batch (otherwise Append returns InvalidArgument). Idle partition records (no open batch,
// no arena; ~400 bytes with map node and id) are kept so sequence numbers continue; past
// max_idle_partitions the longest-idle ones are forgotten, and a forgotten partition that
// returns resumes above every sequence number a forgotten partition reached, so a partition's
// sequence numbers never repeat within the Batcher's life (they may skip).
//
// Memory reuse: a flushed Batch leaves by move with its arenas. Complete() takes it back into a
// small free list (bounded by max_recycled_bytes of capacity) from which the next opened batch
// of any partition takes its arenas: in steady state Append allocates nothing.
//
// Lifecycle: one per converter ingest loop, for the process life; FlushAll(kShutdown) at stop.
// Thread-safety: NOT thread-safe; owned and called by the converter's ingest thread only.
// Batches handed out may be used on other threads; Complete() is again on the owner's thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "batch/batch.h"
#include "batch/flush_policy.h"
#include "batch/partition.h"
#include "batch/steady_clock.h"
#include "common/status.h"

namespace mqtt2s3::batch {

struct BatcherOptions {
  // Cap on Batch::memory_bytes() summed over all open batches. Must be > 0.
  size_t max_buffered_bytes = size_t{256} << 20;
  // Broker in-flight window share for this Batcher (acks released after upload): unacked
  // messages buffered or in not-yet-Complete()d batches. 0 = off.
  size_t max_unacked_messages = 0;
  // Used by the Append overload without a policy.
  FlushPolicy default_policy;
  // Open batches at most: opening one more first flushes the open batch whose age deadline is
  // nearest (the largest when none has a deadline), reason kOpenLimit. Event-time partitions
  // ({first:%H} in a directory) open one batch per hour of data present, so late or replayed
  // data could otherwise open thousands of small batches. Must be > 0.
  size_t max_open_batches = 10000;
  // Idle partition records kept for their sequence numbers (oldest forgotten first).
  size_t max_idle_partitions = 10000;
  // Capacity of completed batches kept for reuse. 0 = no recycling.
  size_t max_recycled_bytes = size_t{64} << 20;
  // Sequence number of a partition's first batch.
  uint64_t first_sequence = 0;

  Status Validate() const;
};

struct BatcherStats {
  uint64_t messages_appended = 0;
  uint64_t bytes_appended = 0;  // topic + payload + extra of appended messages (before a
                                // repeated topic is shared)
  uint64_t batches_flushed = 0;
  std::array<uint64_t, kFlushReasonCount> batches_by_reason{};  // index: FlushReason
  uint64_t messages_flushed = 0;
  uint64_t partitions_forgotten = 0;
  size_t buffered_messages = 0;
  size_t buffered_bytes = 0;         // size_bytes() of open batches
  size_t buffered_memory_bytes = 0;  // memory_bytes() of open batches (what the cap bounds)
  size_t buffered_unacked = 0;       // QoS > 0 messages in open batches
  size_t in_flight_unacked = 0;      // QoS > 0 messages in flushed, not Complete()d batches
  size_t open_partitions = 0;
  size_t known_partitions = 0;  // open + idle records
  size_t recycled_batches = 0;
  size_t recycled_capacity_bytes = 0;
};

struct PartitionStats {
  size_t messages = 0;
  size_t bytes = 0;  // size_bytes()
  size_t unacked = 0;
  std::chrono::steady_clock::time_point created_at{};
  std::optional<std::chrono::steady_clock::time_point> deadline;
  uint64_t next_sequence = 0;
};

class Batcher {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // `options` must be valid (Validate()). `clock` must outlive the Batcher; null = real clock.
  explicit Batcher(BatcherOptions options, const SteadyClock* clock = nullptr);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Appends a copy of `msg` to the partition's open batch (opening one if needed); completed
  // batches are appended to *ready. `policy` must be valid; count and bytes use the latest
  // call's policy, the age deadline the policy of the batch's first message. InvalidArgument
  // (nothing appended, nothing flushed) for a message Batch::CheckMessage rejects or a
  // bucket/route mismatch.
  Status Append(std::string_view partition_id, std::string_view bucket, int route_index,
                const FlushPolicy& policy, const MessageIn& msg, std::vector<Batch>* ready);
  Status Append(std::string_view partition_id, std::string_view bucket, int route_index,
                const MessageIn& msg, std::vector<Batch>* ready) {
    return Append(partition_id, bucket, route_index, options_.default_policy, msg, ready);
  }

  // Flushes one partition's open batch; false when it has none.
  bool Flush(std::string_view partition_id, FlushReason reason, std::vector<Batch>* ready);
  // Flushes every open batch, in partition id order. Returns how many.
  size_t FlushAll(FlushReason reason, std::vector<Batch>* ready);
  // Flushes the open batches for which pred(batch) is true (e.g. one bucket), in id order.
  size_t FlushMatching(const std::function<bool(const Batch&)>& pred, FlushReason reason,
                       std::vector<Batch>* ready);

  // Earliest age deadline of any open batch; nullopt when none is aged.
  std::optional<time_point> NextDeadline() const;
  // Flushes (kAge) every batch whose deadline <= now, earliest first. Returns how many.
  size_t FlushExpired(time_point now, std::vector<Batch>* ready);

  // Hands back a flushed batch whose messages' acks are released (or that was given up):
  // its QoS > 0 messages leave the window count and its arenas may be reused.
  void Complete(Batch&& batch);

  // Sets the sequence number of the partition's next flushed batch (its open one, if any).
  void SetNextSequence(std::string_view partition_id, uint64_t next_sequence);

  // Calls fn(batch) for every open batch (metrics), in no particular order.
  void ForEachOpenBatch(const std::function<void(const Batch&)>& fn) const {
    for (const Partition* p : by_memory_.items()) fn(p->batch);
  }

  BatcherStats stats() const;
  std::optional<PartitionStats> partition_stats(std::string_view partition_id) const;
  const BatcherOptions& options() const { return options_; }

 private:
  using Partition = internal::Partition;
  // Not noexcept on purpose: libstdc++ then caches each node's hash, so a lookup skips
  // non-matching nodes without touching (cache-missing) their key bytes.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  Partition* FindOrCreate(std::string_view partition_id);
  void Open(Partition* p, std::string_view bucket, int route_index);
  void FlushPartition(Partition* p, FlushReason reason, std::vector<Batch>* ready);
  void RelievePressure(std::vector<Batch>* ready);
  size_t FlushSorted(std::vector<Partition*>* victims, FlushReason reason,
                     std::vector<Batch>* ready);
  void IdlePush(Partition* p);
  void IdleUnlink(Partition* p);
  void ForgetIdle();

  const BatcherOptions options_;
  const SteadyClock* const clock_;

  std::unordered_map<std::string, Partition, StringHash, std::equal_to<>> partitions_;
  internal::PartitionHeap<internal::kDeadlineHeap, internal::EarlierDeadline> deadlines_;
  internal::PartitionHeap<internal::kMemoryHeap, internal::MoreMemory> by_memory_;
  internal::PartitionHeap<internal::kUnackedHeap, internal::MoreUnacked> by_unacked_;
  Partition* idle_head_ = nullptr;  // longest idle
  Partition* idle_tail_ = nullptr;
  size_t idle_count_ = 0;
  uint64_t sequence_floor_ = 0;  // above every sequence a forgotten partition reached

  std::vector<Batch> recycled_;
  size_t recycled_capacity_ = 0;

  size_t buffered_messages_ = 0;
  size_t buffered_bytes_ = 0;
  size_t buffered_memory_ = 0;
  size_t buffered_unacked_ = 0;
  size_t in_flight_unacked_ = 0;
  BatcherStats counters_;  // the monotonic fields only
};

}  // namespace mqtt2s3::batch
