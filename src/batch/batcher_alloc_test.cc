// Proves Append allocates nothing per message in steady state once completed batches are
// handed back (Batcher::Complete), while m2s_alloc_counter's replaced global operator new
// counts heap allocations. This binary owns operator new, so it holds only these tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "batch/batcher.h"

namespace mqtt2s3::batch {
namespace {

constexpr int kPartitions = 16;

struct Feed {
  std::vector<std::string> ids;
  std::vector<std::string> payloads;
  Feed() {
    for (int p = 0; p < kPartitions; ++p)
      ids.push_back("site/" + std::to_string(p) + "/long-partition-id");
    for (int i = 0; i < 64; ++i) payloads.push_back(std::string(50 + i * 5, 'x'));
  }
};

// Appends `n` messages round-robin over the partitions; completes every ready batch at once.
void AppendRoundRobin(Batcher& batcher, const Feed& feed, int n, int start,
                      std::vector<Batch>* ready) {
  for (int i = start; i < start + n; ++i) {
    MessageIn m;
    m.topic = "site/7/sensor/temperature";
    m.payload = feed.payloads[static_cast<size_t>(i) % feed.payloads.size()];
    m.extra = "dedupe-id-0123456789abcdef";
    m.qos = static_cast<uint8_t>(i % 2);
    m.ack_ref = static_cast<uint64_t>(i);
    m.flush_after = i % 997 == 0;
    const std::string& id = feed.ids[static_cast<size_t>(i * 7) % feed.ids.size()];
    if (!batcher.Append(id, "telemetry-bucket-name", 0, m, ready).ok()) std::abort();
    for (Batch& b : *ready) batcher.Complete(std::move(b));
    ready->clear();
  }
}

TEST(BatcherAllocTest, AppendDoesNotAllocateInSteadyStateWithRecycling) {
  BatcherOptions o;
  o.default_policy.max_messages = 100;
  o.default_policy.max_bytes = 64 << 10;
  o.default_policy.max_age = std::chrono::seconds(60);
  o.max_buffered_bytes = 512 << 10;  // memory pressure flushes happen too
  o.max_unacked_messages = 1000;
  Batcher batcher(o);
  const Feed feed;
  std::vector<Batch> ready;
  ready.reserve(64);
  AppendRoundRobin(batcher, feed, 50000, 0,
                   &ready);  // warm-up: arenas, heaps, maps reach their size

  const mqtt2s3::testing::AllocationScope scope;
  AppendRoundRobin(batcher, feed, 100000, 50000, &ready);
  const long allocations = scope.count();
  EXPECT_EQ(allocations, 0);
  const BatcherStats s = batcher.stats();
  EXPECT_GT(s.batches_flushed, 1000u);
  EXPECT_GT(s.batches_by_reason[static_cast<size_t>(FlushReason::kUserProperty)], 0u);
}

TEST(BatcherAllocTest, WithoutRecyclingAllocationsArePerBatchNotPerMessage) {
  BatcherOptions o;
  o.default_policy.max_messages = 1000;
  o.default_policy.max_age = std::chrono::seconds(0);
  o.max_recycled_bytes = 0;
  Batcher batcher(o);
  const Feed feed;
  std::vector<Batch> ready;
  ready.reserve(64);
  AppendRoundRobin(batcher, feed, 16000, 0, &ready);

  const mqtt2s3::testing::AllocationScope scope;
  AppendRoundRobin(batcher, feed, 160000, 16000, &ready);
  const long allocations = scope.count();
  const uint64_t batches = batcher.stats().batches_flushed;
  // Geometric growth: a few dozen reallocations per 1000-message batch, far below 1 per message.
  EXPECT_LT(allocations, 160000 / 10);
  EXPECT_GT(batches, 100u);
}

}  // namespace
}  // namespace mqtt2s3::batch
