// Proves Append allocates nothing per message in steady state once completed batches are
// handed back (Batcher::Complete), while a replaced global operator new counts heap
// allocations. This binary owns operator new, so it holds only these tests.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "batch/batcher.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// The replacements pair malloc with free, which is correct; GCC 12 at -O2 inlines them into
// callers and then misreports a new/free mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

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

  const long before = g_allocations.load();
  AppendRoundRobin(batcher, feed, 100000, 50000, &ready);
  const long allocations = g_allocations.load() - before;
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

  const long before = g_allocations.load();
  AppendRoundRobin(batcher, feed, 160000, 16000, &ready);
  const long allocations = g_allocations.load() - before;
  const uint64_t batches = batcher.stats().batches_flushed;
  // Geometric growth: a few dozen reallocations per 1000-message batch, far below 1 per message.
  EXPECT_LT(allocations, 160000 / 10);
  EXPECT_GT(batches, 100u);
}

}  // namespace
}  // namespace mqtt2s3::batch
