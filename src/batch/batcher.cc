#include "batch/batcher.h"

#include <algorithm>
#include <cassert>
#include <string>

namespace mqtt2s3::batch {

Status BatcherOptions::Validate() const {
  if (max_buffered_bytes == 0) {
    return Status::InvalidArgument("batcher: max_buffered_bytes must be > 0");
  }
  if (max_open_batches == 0) {
    return Status::InvalidArgument("batcher: max_open_batches must be > 0");
  }
  return default_policy.Validate().WithContext("batcher default policy");
}

Batcher::Batcher(BatcherOptions options, const SteadyClock* clock)
    : options_(std::move(options)), clock_(clock != nullptr ? clock : &SteadyClock::Real()) {
  assert(options_.Validate().ok());
  sequence_floor_ = options_.first_sequence;
}

Batcher::~Batcher() = default;

Status Batcher::Append(std::string_view partition_id, std::string_view bucket, int route_index,
                       const FlushPolicy& policy, const MessageIn& msg, std::vector<Batch>* ready) {
  assert(policy.Validate().ok());
  M2S_RETURN_IF_ERROR(Batch::CheckMessage(msg));
  Partition* p = FindOrCreate(partition_id);
  Batch& b = p->batch;
  const size_t msg_bytes = msg.topic.size() + msg.payload.size() + msg.extra.size();

  if (!b.empty()) {
    if (b.route_index() != route_index || b.bucket() != bucket) {
      return Status::InvalidArgument(
          "batcher: partition '" + std::string(partition_id) + "' is open for bucket '" +
          b.bucket() + "' route " + std::to_string(b.route_index()) + ", got bucket '" +
          std::string(bucket) + "' route " + std::to_string(route_index));
    }
    // Cut before overflowing, so only a lone oversize message ever exceeds max_bytes. This
    // counts the topic even when the batch holds it already (Batch stores it once): a batch may
    // be cut up to one topic's length early, never late.
    if ((policy.max_bytes != 0 && b.size_bytes() + msg_bytes > policy.max_bytes) || !b.Fits(msg)) {
      FlushPartition(p, FlushReason::kBytes, ready);
    }
  }
  p->policy = policy;
  if (b.empty()) {
    // Time partitions (and late or replayed data) can open a batch per hour per partition:
    // at the bound, the open batch due soonest (else the largest) goes first.
    if (by_memory_.size() >= options_.max_open_batches) {
      FlushPartition(deadlines_.empty() ? by_memory_.top() : deadlines_.top(),
                     FlushReason::kOpenLimit, ready);
    }
    Open(p, bucket, route_index);
  }

  const size_t before = b.size_bytes();
  b.Add(msg);
  const size_t stored = b.size_bytes() - before;  // less than msg_bytes for a repeated topic
  buffered_messages_ += 1;
  buffered_bytes_ += stored;
  buffered_memory_ += stored + sizeof(MessageEntry);
  counters_.messages_appended += 1;
  counters_.bytes_appended += msg_bytes;
  by_memory_.Raised(p);
  if (msg.qos > 0) {
    buffered_unacked_ += 1;
    by_unacked_.Raised(p);
  }

  if (msg.flush_after) {
    FlushPartition(p, FlushReason::kUserProperty, ready);
  } else if (policy.max_messages != 0 && b.message_count() >= policy.max_messages) {
    FlushPartition(p, FlushReason::kCount, ready);
  } else if (policy.max_bytes != 0 && b.size_bytes() >= policy.max_bytes) {
    FlushPartition(p, FlushReason::kBytes, ready);
  }
  RelievePressure(ready);
  if (idle_count_ > options_.max_idle_partitions) ForgetIdle();
  return Status::Ok();
}

Batcher::Partition* Batcher::FindOrCreate(std::string_view partition_id) {
  auto it = partitions_.find(partition_id);
  if (it != partitions_.end()) return &it->second;
  it = partitions_.try_emplace(std::string(partition_id)).first;
  Partition* p = &it->second;
  p->id = it->first;
  p->next_sequence = sequence_floor_;
  IdlePush(p);
  return p;
}

void Batcher::Open(Partition* p, std::string_view bucket, int route_index) {
  // Reuse a completed batch's arenas; taken only at open so idle partitions hold no memory.
  // p->batch is a fresh Batch here (FlushPartition replaced the one it handed out).
  if (!recycled_.empty()) {
    recycled_capacity_ -= recycled_.back().capacity_bytes();
    p->batch = std::move(recycled_.back());
    recycled_.pop_back();
  }
  const time_point now = clock_->Now();
  p->batch.Reset(p->id, bucket, route_index, now);
  // The previous batch may have been one oversize message or a recovery batch: reserve no
  // more than a batch of this policy may hold, nor more than a slice of the memory cap.
  size_t cap = options_.max_buffered_bytes / 8;
  if (p->policy.max_bytes != 0) cap = std::min(cap, p->policy.max_bytes);
  p->batch.Reserve(std::min(p->last_payload_bytes, cap), std::min(p->last_meta_bytes, cap),
                   std::min(p->last_messages, cap / sizeof(MessageEntry)));
  IdleUnlink(p);
  by_memory_.Push(p);
  by_unacked_.Push(p);
  if (p->policy.max_age.count() > 0) {
    p->deadline = now + p->policy.max_age;
    deadlines_.Push(p);
  }
}

void Batcher::FlushPartition(Partition* p, FlushReason reason, std::vector<Batch>* ready) {
  Batch& b = p->batch;
  assert(!b.empty());
  buffered_messages_ -= b.message_count();
  buffered_bytes_ -= b.size_bytes();
  buffered_memory_ -= b.memory_bytes();
  buffered_unacked_ -= b.unacked_count();
  in_flight_unacked_ += b.unacked_count();
  counters_.batches_flushed += 1;
  counters_.batches_by_reason[static_cast<size_t>(reason)] += 1;
  counters_.messages_flushed += b.message_count();

  if (decltype(deadlines_)::Contains(p)) deadlines_.Remove(p);
  by_memory_.Remove(p);
  by_unacked_.Remove(p);

  p->last_payload_bytes = b.payload_bytes();
  p->last_meta_bytes = b.meta_bytes();
  p->last_messages = b.message_count();
  b.set_sequence(p->next_sequence++);
  b.set_flush_reason(reason);
  ready->push_back(std::move(b));
  p->batch = Batch();
  IdlePush(p);
}

void Batcher::RelievePressure(std::vector<Batch>* ready) {
  while (buffered_memory_ > options_.max_buffered_bytes && !by_memory_.empty()) {
    FlushPartition(by_memory_.top(), FlushReason::kMemoryPressure, ready);
  }
  const size_t window = options_.max_unacked_messages;
  if (window == 0 || buffered_unacked_ + in_flight_unacked_ < window) return;
  // A flush moves messages from buffered to in flight without changing the sum, so "until
  // below the window" would flush everything. Cutting the buffered share to half the window
  // frees at least half of it for the next round of uploads while the small partitions keep
  // filling; and if the caller never calls Complete(), it still degrades to batches of half
  // the window rather than one message each.
  while (buffered_unacked_ > window / 2) {
    FlushPartition(by_unacked_.top(), FlushReason::kWindowPressure, ready);
  }
}

bool Batcher::Flush(std::string_view partition_id, FlushReason reason, std::vector<Batch>* ready) {
  auto it = partitions_.find(partition_id);
  if (it == partitions_.end() || it->second.batch.empty()) return false;
  FlushPartition(&it->second, reason, ready);
  if (idle_count_ > options_.max_idle_partitions) ForgetIdle();
  return true;
}

size_t Batcher::FlushAll(FlushReason reason, std::vector<Batch>* ready) {
  std::vector<Partition*> victims = by_memory_.items();  // every open partition
  return FlushSorted(&victims, reason, ready);
}

size_t Batcher::FlushMatching(const std::function<bool(const Batch&)>& pred, FlushReason reason,
                              std::vector<Batch>* ready) {
  std::vector<Partition*> victims;
  for (Partition* p : by_memory_.items()) {
    if (pred(p->batch)) victims.push_back(p);
  }
  return FlushSorted(&victims, reason, ready);
}

size_t Batcher::FlushSorted(std::vector<Partition*>* victims, FlushReason reason,
                            std::vector<Batch>* ready) {
  // Heap order depends on history; id order makes the output easy to predict and compare.
  std::sort(victims->begin(), victims->end(),
            [](const Partition* a, const Partition* b) { return a->id < b->id; });
  for (Partition* p : *victims) FlushPartition(p, reason, ready);
  if (idle_count_ > options_.max_idle_partitions) ForgetIdle();
  return victims->size();
}

std::optional<Batcher::time_point> Batcher::NextDeadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.top()->deadline;
}

size_t Batcher::FlushExpired(time_point now, std::vector<Batch>* ready) {
  size_t flushed = 0;
  while (!deadlines_.empty() && deadlines_.top()->deadline <= now) {
    FlushPartition(deadlines_.top(), FlushReason::kAge, ready);
    ++flushed;
  }
  if (idle_count_ > options_.max_idle_partitions) ForgetIdle();
  return flushed;
}

void Batcher::Complete(Batch&& batch) {
  in_flight_unacked_ -= std::min(in_flight_unacked_, batch.unacked_count());
  const size_t capacity = batch.capacity_bytes();
  if (capacity == 0 || recycled_capacity_ + capacity > options_.max_recycled_bytes) return;
  batch.Clear();
  recycled_capacity_ += capacity;
  recycled_.push_back(std::move(batch));
}

void Batcher::SetNextSequence(std::string_view partition_id, uint64_t next_sequence) {
  FindOrCreate(partition_id)->next_sequence = next_sequence;
  if (idle_count_ > options_.max_idle_partitions) ForgetIdle();
}

void Batcher::IdlePush(Partition* p) {
  assert(!p->idle);
  p->idle = true;
  p->idle_prev = idle_tail_;
  p->idle_next = nullptr;
  if (idle_tail_ != nullptr) {
    idle_tail_->idle_next = p;
  } else {
    idle_head_ = p;
  }
  idle_tail_ = p;
  ++idle_count_;
}

void Batcher::IdleUnlink(Partition* p) {
  if (!p->idle) return;
  (p->idle_prev != nullptr ? p->idle_prev->idle_next : idle_head_) = p->idle_next;
  (p->idle_next != nullptr ? p->idle_next->idle_prev : idle_tail_) = p->idle_prev;
  p->idle_prev = p->idle_next = nullptr;
  p->idle = false;
  --idle_count_;
}

// Runs only at the end of public calls: inside Append a partition flushed by a bytes cut is
// idle for a moment and must not be erased under the caller.
void Batcher::ForgetIdle() {
  while (idle_count_ > options_.max_idle_partitions) {
    Partition* p = idle_head_;
    IdleUnlink(p);
    sequence_floor_ = std::max(sequence_floor_, p->next_sequence);
    partitions_.erase(partitions_.find(p->id));
    counters_.partitions_forgotten += 1;
  }
}

BatcherStats Batcher::stats() const {
  BatcherStats s = counters_;
  s.buffered_messages = buffered_messages_;
  s.buffered_bytes = buffered_bytes_;
  s.buffered_memory_bytes = buffered_memory_;
  s.buffered_unacked = buffered_unacked_;
  s.in_flight_unacked = in_flight_unacked_;
  s.open_partitions = by_memory_.size();
  s.known_partitions = partitions_.size();
  s.recycled_batches = recycled_.size();
  s.recycled_capacity_bytes = recycled_capacity_;
  return s;
}

std::optional<PartitionStats> Batcher::partition_stats(std::string_view partition_id) const {
  auto it = partitions_.find(partition_id);
  if (it == partitions_.end()) return std::nullopt;
  const Partition& p = it->second;
  PartitionStats s;
  s.messages = p.batch.message_count();
  s.bytes = p.batch.size_bytes();
  s.unacked = p.batch.unacked_count();
  s.created_at = p.batch.created_at();
  if (decltype(deadlines_)::Contains(&p)) s.deadline = p.deadline;
  s.next_sequence = p.next_sequence;
  return s;
}

}  // namespace mqtt2s3::batch
