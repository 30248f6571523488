// The indexed heaps behind NextDeadline() and the pressure flushes, against a brute-force scan.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "batch/partition.h"

namespace mqtt2s3::batch::internal {
namespace {

TEST(PartitionHeapTest, RandomPushRemoveAndRaiseAlwaysKeepTheEarliestOnTop) {
  constexpr int kPartitions = 300;
  std::vector<std::unique_ptr<Partition>> parts;
  for (int i = 0; i < kPartitions; ++i) parts.push_back(std::make_unique<Partition>());
  PartitionHeap<kDeadlineHeap, EarlierDeadline> heap;
  uint64_t s = 12345;
  auto next = [&s](uint64_t bound) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return (s >> 33) % bound;
  };
  std::vector<Partition*> members;
  for (int step = 0; step < 20000; ++step) {
    Partition* p = parts[next(kPartitions)].get();
    const bool in = decltype(heap)::Contains(p);
    if (!in) {
      p->deadline = std::chrono::steady_clock::time_point(std::chrono::milliseconds(next(1000)));
      heap.Push(p);
      members.push_back(p);
    } else if (next(3) == 0) {
      // Raise: an earlier deadline moves towards the top.
      p->deadline -= std::chrono::milliseconds(next(100));
      heap.Raised(p);
    } else {
      heap.Remove(p);
      members.erase(std::find(members.begin(), members.end(), p));
    }
    ASSERT_EQ(heap.size(), members.size());
    if (members.empty()) continue;
    const auto best = std::min_element(members.begin(), members.end(), EarlierDeadline());
    ASSERT_EQ(heap.top()->deadline, (*best)->deadline) << "step " << step;
    for (size_t i = 0; i < heap.items().size(); ++i) {
      ASSERT_EQ(heap.items()[i]->heap_pos[kDeadlineHeap], i);
    }
  }
}

}  // namespace
}  // namespace mqtt2s3::batch::internal
