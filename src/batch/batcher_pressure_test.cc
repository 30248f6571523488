// The Batcher under memory and in-flight-window pressure, and its determinism.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "batch/batcher.h"

namespace mqtt2s3::batch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Portable deterministic generator (std distributions differ between libraries).
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : s_(seed) {}
  uint32_t Next(uint32_t bound) {
    s_ = s_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>((s_ >> 33) % bound);
  }

 private:
  uint64_t s_;
};

MessageIn Msg(std::string_view payload, uint8_t qos) {
  MessageIn m;
  m.topic = "sensors/x";
  m.payload = payload;
  m.qos = qos;
  return m;
}

// Payload "<partition>:<index>:" padded with '.' to `size` (at least the header).
std::string Payload(int partition, int index, size_t size) {
  std::string s = std::to_string(partition) + ":" + std::to_string(index) + ":";
  if (s.size() < size) s.append(size - s.size(), '.');
  return s;
}

std::pair<int, int> ParsePayload(std::string_view p) {
  const size_t a = p.find(':');
  const size_t b = p.find(':', a + 1);
  return {std::stoi(std::string(p.substr(0, a))),
          std::stoi(std::string(p.substr(a + 1, b - a - 1)))};
}

TEST(BatcherPressureTest, FloodStaysUnderTheMemoryCapAndLosesOrDuplicatesNothing) {
  constexpr int kPartitions = 50;
  constexpr int kMessages = 200000;
  BatcherOptions o;
  o.max_buffered_bytes = size_t{1} << 20;
  FlushPolicy policy;
  policy.max_messages = 5000;
  policy.max_bytes = 256 << 10;
  policy.max_age = milliseconds(0);
  FakeSteadyClock clock;
  Batcher batcher(o, &clock);

  std::vector<std::string> ids;
  for (int p = 0; p < kPartitions; ++p) ids.push_back("part-" + std::to_string(p));
  std::vector<int> next_expected(kPartitions, 0);
  std::vector<uint64_t> next_sequence(kPartitions, 0);
  size_t emitted = 0;
  std::vector<Batch> ready;
  auto drain = [&] {
    for (Batch& b : ready) {
      const int part = std::stoi(b.partition_id().substr(5));
      ASSERT_EQ(b.sequence(), next_sequence[part]++);
      ASSERT_TRUE(b.size_bytes() <= policy.max_bytes || b.message_count() == 1);
      ASSERT_LE(b.message_count(), policy.max_messages);
      for (const MessageView m : b) {
        const auto [mp, index] = ParsePayload(m.payload);
        ASSERT_EQ(mp, part);
        ASSERT_EQ(index, next_expected[part]) << "partition " << part;  // order, no loss/dup
        ++next_expected[part];
        ++emitted;
      }
      batcher.Complete(std::move(b));
    }
    ready.clear();
  };

  Lcg rng(42);
  std::vector<int> appended(kPartitions, 0);
  for (int i = 0; i < kMessages; ++i) {
    // Skewed: half the traffic goes to 5 partitions, so the largest is not always the same.
    const int part =
        rng.Next(2) == 0 ? static_cast<int>(rng.Next(5)) : static_cast<int>(rng.Next(kPartitions));
    const size_t size = 8 + rng.Next(rng.Next(100) == 0 ? 20000 : 400);
    const std::string payload = Payload(part, appended[part]++, size);
    ASSERT_TRUE(batcher.Append(ids[part], "bkt", 0, policy, Msg(payload, 1), &ready).ok());
    ASSERT_LE(batcher.stats().buffered_memory_bytes, o.max_buffered_bytes) << "message " << i;
    drain();
  }
  batcher.FlushAll(FlushReason::kShutdown, &ready);
  drain();
  EXPECT_EQ(emitted, static_cast<size_t>(kMessages));
  for (int p = 0; p < kPartitions; ++p) EXPECT_EQ(next_expected[p], appended[p]);
  const BatcherStats s = batcher.stats();
  EXPECT_GT(s.batches_by_reason[static_cast<size_t>(FlushReason::kMemoryPressure)], 0u);
  EXPECT_EQ(s.buffered_messages, 0u);
  EXPECT_EQ(s.buffered_memory_bytes, 0u);
  EXPECT_EQ(s.messages_flushed, static_cast<uint64_t>(kMessages));
}

TEST(BatcherPressureTest, MemoryPressureFlushesThePartitionHoldingTheMostBytes) {
  BatcherOptions o;
  o.max_buffered_bytes = 3000;
  Batcher batcher(o);
  std::vector<Batch> ready;
  const std::string kb(1000, 'x');
  const std::string small(100, 'y');
  ASSERT_TRUE(batcher.Append("small", "b", 0, Msg(small, 0), &ready).ok());
  ASSERT_TRUE(batcher.Append("big", "b", 0, Msg(kb, 0), &ready).ok());
  ASSERT_TRUE(batcher.Append("big", "b", 0, Msg(kb, 0), &ready).ok());
  ASSERT_TRUE(batcher.Append("small", "b", 0, Msg(small, 0), &ready).ok());
  EXPECT_TRUE(ready.empty());
  ASSERT_TRUE(batcher.Append("small", "b", 0, Msg(kb, 0), &ready).ok());  // > 3000 now
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].partition_id(), "big");
  EXPECT_EQ(ready[0].flush_reason(), FlushReason::kMemoryPressure);
  EXPECT_EQ(batcher.stats().buffered_messages, 3u);
}

TEST(BatcherPressureTest, WindowPressureFlushesTheLargestWhenUnackedReachTheLimit) {
  BatcherOptions o;
  o.max_unacked_messages = 10;
  Batcher batcher(o);
  std::vector<Batch> ready;
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(batcher.Append(i % 3 == 0 ? "a" : "b", "bk", 0, Msg("m", 1), &ready).ok());
  }
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(batcher.stats().buffered_unacked, 9u);
  ASSERT_TRUE(batcher.Append("a", "bk", 0, Msg("m", 2), &ready).ok());  // 10th: a=4, b=6
  ASSERT_EQ(ready.size(), 1u);  // b alone brings the buffered share down to half the window
  EXPECT_EQ(ready[0].partition_id(), "b");
  EXPECT_EQ(ready[0].message_count(), 6u);
  EXPECT_EQ(ready[0].flush_reason(), FlushReason::kWindowPressure);
  EXPECT_EQ(batcher.stats().buffered_unacked, 4u);
  EXPECT_EQ(batcher.stats().in_flight_unacked, 6u);
}

TEST(BatcherPressureTest, WindowPressureFlushesLargestFirstUntilHalfTheWindowIsBuffered) {
  BatcherOptions o;
  o.max_unacked_messages = 10;
  Batcher batcher(o);
  std::vector<Batch> ready;
  for (const char* p : {"a", "b", "c", "d"}) {
    ASSERT_TRUE(batcher.Append(p, "bk", 0, Msg("m", 1), &ready).ok());
    ASSERT_TRUE(batcher.Append(p, "bk", 0, Msg("m", 1), &ready).ok());
  }
  ASSERT_TRUE(batcher.Append("e", "bk", 0, Msg("m", 1), &ready).ok());
  EXPECT_TRUE(ready.empty());
  ASSERT_TRUE(batcher.Append("e", "bk", 0, Msg("m", 1), &ready).ok());  // 10 unacked, 2 each
  ASSERT_EQ(ready.size(), 3u);                                          // 10 -> 8 -> 6 -> 4
  for (const Batch& b : ready) EXPECT_EQ(b.message_count(), 2u);
  EXPECT_EQ(batcher.stats().buffered_unacked, 4u);
  EXPECT_EQ(batcher.stats().open_partitions, 2u);
}

TEST(BatcherPressureTest, QosZeroMessagesDoNotCountAgainstTheWindow) {
  BatcherOptions o;
  o.max_unacked_messages = 10;
  Batcher batcher(o);
  std::vector<Batch> ready;
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(batcher.Append("a", "bk", 0, Msg("m", 0), &ready).ok());
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(batcher.stats().buffered_unacked, 0u);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(batcher.Append("b", "bk", 0, Msg("m", 1), &ready).ok());
  EXPECT_TRUE(ready.empty());
  ASSERT_TRUE(batcher.Append("b", "bk", 0, Msg("m", 1), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);
  // "a" holds more messages but none unacked: the window flush picks "b".
  EXPECT_EQ(ready[0].partition_id(), "b");
}

TEST(BatcherPressureTest, FlushedBatchesHoldTheirWindowShareUntilCompleted) {
  BatcherOptions o;
  o.max_unacked_messages = 4;
  Batcher batcher(o);
  std::vector<Batch> ready;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(batcher.Append("a", "bk", 0, Msg("m", 1), &ready).ok());
  ASSERT_EQ(ready.size(), 1u);  // window full: 4 in flight
  // The window stays full while those 4 wait for their upload. Counting only buffered
  // messages, 3 buffered < 4 would wait for the age timer; counting the in-flight ones, the
  // buffered share is cut back to half the window.
  ASSERT_TRUE(batcher.Append("a", "bk", 0, Msg("m", 1), &ready).ok());
  ASSERT_TRUE(batcher.Append("a", "bk", 0, Msg("m", 1), &ready).ok());
  EXPECT_EQ(ready.size(), 1u);
  ASSERT_TRUE(batcher.Append("a", "bk", 0, Msg("m", 1), &ready).ok());
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[1].message_count(), 3u);
  EXPECT_EQ(ready[1].flush_reason(), FlushReason::kWindowPressure);
  batcher.Complete(std::move(ready[0]));
  batcher.Complete(std::move(ready[1]));
  ready.clear();
  EXPECT_EQ(batcher.stats().in_flight_unacked, 0u);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(batcher.Append("a", "bk", 0, Msg("m", 1), &ready).ok());
  EXPECT_TRUE(ready.empty());
}

// Runs a scripted mix of all triggers and returns a digest of every batch it produced.
std::string RunScript() {
  FakeSteadyClock clock;
  BatcherOptions o;
  o.max_buffered_bytes = 56 << 10;
  o.max_unacked_messages = 250;
  Batcher batcher(o, &clock);
  std::vector<Batch> ready;
  std::string digest;
  Lcg rng(7);
  FlushPolicy policies[2];
  policies[0].max_messages = 20;
  policies[0].max_age = milliseconds(1000);
  policies[1].max_messages = 0;
  policies[1].max_bytes = 4000;
  policies[1].max_age = milliseconds(2000);
  std::vector<Batch> in_flight;
  for (int i = 0; i < 20000; ++i) {
    // A quarter of the traffic spreads over 34 rarely-seen partitions: those age out.
    const int part = static_cast<int>(rng.Next(4) == 0 ? 6 + rng.Next(34) : rng.Next(6));
    const std::string id = "p" + std::to_string(part);
    const std::string payload = Payload(part, i, 4 + rng.Next(300));
    MessageIn m = Msg(payload, static_cast<uint8_t>(rng.Next(3)));
    m.flush_after = rng.Next(500) == 0;
    (void)batcher.Append(id, "b", part % 2, policies[part % 2], m, &ready);
    clock.Advance(milliseconds(rng.Next(3)));
    if (rng.Next(100) == 0) batcher.FlushExpired(clock.Now(), &ready);
    if (rng.Next(2000) == 0) batcher.Flush(id, FlushReason::kControl, &ready);
    for (Batch& b : ready) {
      digest += b.partition_id() + "#" + std::to_string(b.sequence()) + "/" +
                std::string(FlushReasonName(b.flush_reason())) + "/" +
                std::to_string(b.message_count()) + "/" + std::to_string(b.size_bytes()) + ";";
      in_flight.push_back(std::move(b));
    }
    ready.clear();
    if (in_flight.size() > 5) {
      batcher.Complete(std::move(in_flight.front()));
      in_flight.erase(in_flight.begin());
    }
  }
  batcher.FlushAll(FlushReason::kShutdown, &ready);
  for (const Batch& b : ready)
    digest += b.partition_id() + "#" + std::to_string(b.sequence()) + ";";
  return digest;
}

TEST(BatcherPressureTest, SameInputsGiveTheSameBatches) {
  const std::string first = RunScript();
  EXPECT_GT(first.size(), 1000u);
  for (const char* reason : {"count", "bytes", "age", "control", "user_property", "memory_pressure",
                             "window_pressure"}) {
    EXPECT_NE(first.find(std::string("/") + reason + "/"), std::string::npos) << reason;
  }
  EXPECT_EQ(first, RunScript());
}

}  // namespace
}  // namespace mqtt2s3::batch
