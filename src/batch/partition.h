// Internal to the Batcher: one partition's state, and the indexed binary heaps that let the
// Batcher find the next age deadline, the partition holding the most bytes and the one holding
// the most unacknowledged messages in O(1), with O(log n) updates.
//
// Each Partition records its position in every heap, so removing it (flushed by count before
// its deadline) or re-ordering it (grew by one message) is O(log n) with no stale entries and
// no search. The heap vectors grow to the largest number of open partitions and then no longer
// allocate.
//
// Lifecycle: Partitions live in the Batcher's map (stable addresses); heaps hold raw pointers
// to them and must drop a partition before it is erased. Thread-safety: none (Batcher's thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "batch/batch.h"
#include "batch/flush_policy.h"

namespace mqtt2s3::batch::internal {

enum HeapSlot : int { kDeadlineHeap = 0, kMemoryHeap = 1, kUnackedHeap = 2, kHeapSlots = 3 };
inline constexpr uint32_t kNotInHeap = 0xffffffffu;

struct Partition {
  std::string_view id;                               // the map key; stable for the partition's life
  Batch batch;                                       // the open batch; empty while idle
  FlushPolicy policy;                                // from the latest Append
  std::chrono::steady_clock::time_point deadline{};  // created_at + max_age, when aged
  uint64_t next_sequence = 0;
  // Sizes of the partition's previous batch: the next one reserves them up front, so a batch
  // fills without regrowing (no copies, no 2x capacity slack).
  size_t last_payload_bytes = 0;
  size_t last_meta_bytes = 0;
  size_t last_messages = 0;
  uint32_t heap_pos[kHeapSlots] = {kNotInHeap, kNotInHeap, kNotInHeap};
  // Idle list (no open batch), oldest first, for bounded retention of idle records.
  Partition* idle_prev = nullptr;
  Partition* idle_next = nullptr;
  bool idle = false;
};

struct EarlierDeadline {
  bool operator()(const Partition* a, const Partition* b) const {
    return a->deadline < b->deadline;
  }
};
struct MoreMemory {
  bool operator()(const Partition* a, const Partition* b) const {
    return a->batch.memory_bytes() > b->batch.memory_bytes();
  }
};
struct MoreUnacked {
  bool operator()(const Partition* a, const Partition* b) const {
    return a->batch.unacked_count() > b->batch.unacked_count();
  }
};

// A binary heap of Partition* whose top is the element for which `Higher` holds against all
// others. Ties keep an order fixed by the operation sequence, so results are deterministic.
template <HeapSlot Slot, typename Higher>
class PartitionHeap {
 public:
  bool empty() const { return v_.empty(); }
  size_t size() const { return v_.size(); }
  Partition* top() const { return v_.front(); }
  const std::vector<Partition*>& items() const { return v_; }
  static bool Contains(const Partition* p) { return p->heap_pos[Slot] != kNotInHeap; }

  void Push(Partition* p) {
    v_.push_back(p);
    p->heap_pos[Slot] = static_cast<uint32_t>(v_.size() - 1);
    SiftUp(v_.size() - 1);
  }

  void Remove(Partition* p) {
    const size_t i = p->heap_pos[Slot];
    const size_t last = v_.size() - 1;
    p->heap_pos[Slot] = kNotInHeap;
    if (i != last) {
      Place(i, v_[last]);
      v_.pop_back();
      if (!SiftUp(i)) SiftDown(i);
    } else {
      v_.pop_back();
    }
  }

  // The key of `p` moved towards the top (more bytes, more unacked).
  void Raised(Partition* p) { SiftUp(p->heap_pos[Slot]); }

 private:
  void Place(size_t i, Partition* p) {
    v_[i] = p;
    p->heap_pos[Slot] = static_cast<uint32_t>(i);
  }
  bool SiftUp(size_t i) {
    Partition* p = v_[i];
    const size_t start = i;
    while (i > 0) {
      const size_t parent = (i - 1) / 2;
      if (!Higher()(p, v_[parent])) break;
      Place(i, v_[parent]);
      i = parent;
    }
    Place(i, p);
    return i != start;
  }
  void SiftDown(size_t i) {
    Partition* p = v_[i];
    const size_t n = v_.size();
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Higher()(v_[child + 1], v_[child])) ++child;
      if (!Higher()(v_[child], p)) break;
      Place(i, v_[child]);
      i = child;
    }
    Place(i, p);
  }

  std::vector<Partition*> v_;
};

}  // namespace mqtt2s3::batch::internal
