// Every flush trigger of the Batcher, one at a time, with a fake steady clock.
#include "batch/batcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqtt2s3::batch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

MessageIn Msg(std::string_view payload, uint8_t qos = 1, bool flush_after = false) {
  MessageIn m;
  m.topic = "t";
  m.payload = payload;
  m.event_time_ms = 1000;
  m.receive_time_ms = 2000;
  m.qos = qos;
  m.ack_ref = 7;
  m.flush_after = flush_after;
  return m;
}

FlushPolicy Policy(size_t max_messages, size_t max_bytes, milliseconds max_age) {
  FlushPolicy p;
  p.max_messages = max_messages;
  p.max_bytes = max_bytes;
  p.max_age = max_age;
  return p;
}

std::vector<std::string> Payloads(const Batch& b) {
  std::vector<std::string> out;
  for (const MessageView m : b) out.emplace_back(m.payload);
  return out;
}

class BatcherTest : public ::testing::Test {
 protected:
  Batcher& Make(BatcherOptions o = {}) {
    batcher_.emplace(o, &clock_);
    return *batcher_;
  }
  void Append(std::string_view partition, const FlushPolicy& policy, const MessageIn& m) {
    ASSERT_TRUE(batcher_->Append(partition, "bucket", 0, policy, m, &ready_).ok());
  }

  FakeSteadyClock clock_;
  std::optional<Batcher> batcher_;
  std::vector<Batch> ready_;
};

TEST_F(BatcherTest, CountTriggerFlushesWithExactlyMaxMessagesIncludingTheLastOne) {
  Make();
  const FlushPolicy policy = Policy(3, 0, milliseconds(0));
  for (int i = 0; i < 7; ++i) Append("a", policy, Msg(std::to_string(i)));
  ASSERT_EQ(ready_.size(), 2u);
  EXPECT_EQ(Payloads(ready_[0]), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(Payloads(ready_[1]), (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ(ready_[0].flush_reason(), FlushReason::kCount);
  EXPECT_EQ(ready_[0].sequence(), 0u);
  EXPECT_EQ(ready_[1].sequence(), 1u);
  EXPECT_EQ(batcher_->stats().buffered_messages, 1u);
  EXPECT_EQ(batcher_->stats().batches_by_reason[static_cast<size_t>(FlushReason::kCount)], 2u);
}

TEST_F(BatcherTest, BatchesNeverExceedMaxBytesAndAreCutOnlyWhenTheNextMessageWouldNotFit) {
  Make();
  const FlushPolicy policy = Policy(0, 100, milliseconds(0));
  std::vector<size_t> sizes;
  for (int i = 0; i < 200; ++i) sizes.push_back(static_cast<size_t>((i * 37) % 60));
  for (size_t s : sizes) Append("a", policy, Msg(std::string(s, 'x')));
  batcher_->FlushAll(FlushReason::kShutdown, &ready_);

  size_t next = 0;  // index into sizes of the first message of each batch
  for (size_t i = 0; i < ready_.size(); ++i) {
    const Batch& b = ready_[i];
    EXPECT_LE(b.size_bytes(), 100u) << "batch " << i;  // 1-byte topic + payload
    next += b.message_count();
    if (i + 1 < ready_.size() && b.flush_reason() == FlushReason::kBytes && b.size_bytes() < 100) {
      EXPECT_GT(b.size_bytes() + 1 + sizes[next], 100u) << "batch " << i << " cut too early";
    }
  }
  EXPECT_EQ(next, sizes.size());
}

TEST_F(BatcherTest, AMessageLargerThanMaxBytesFormsABatchOfItsOwn) {
  Make();
  const FlushPolicy policy = Policy(0, 100, milliseconds(0));
  Append("a", policy, Msg(std::string(30, 'a')));
  Append("a", policy, Msg(std::string(500, 'b')));
  Append("a", policy, Msg(std::string(30, 'c')));
  ASSERT_EQ(ready_.size(), 2u);
  EXPECT_EQ(ready_[0].message_count(), 1u);
  EXPECT_EQ(ready_[0].payload_bytes(), 30u);
  EXPECT_EQ(ready_[1].message_count(), 1u);
  EXPECT_EQ(ready_[1].payload_bytes(), 500u);
  EXPECT_EQ(ready_[1].flush_reason(), FlushReason::kBytes);
  EXPECT_EQ(batcher_->stats().buffered_messages, 1u);
}

TEST_F(BatcherTest, ABatchExactlyAtMaxBytesIsFlushedAtOnce) {
  Make();
  const FlushPolicy policy = Policy(0, 10, milliseconds(0));
  Append("a", policy, Msg("1234"));  // 5 bytes with the topic
  EXPECT_TRUE(ready_.empty());
  MessageIn second = Msg("abcd");
  second.topic = "u";  // a new topic: 5 more bytes (a repeated one would be stored once)
  Append("a", policy, second);
  ASSERT_EQ(ready_.size(), 1u);
  EXPECT_EQ(ready_[0].size_bytes(), 10u);
  EXPECT_EQ(batcher_->stats().buffered_messages, 0u);
}

TEST_F(BatcherTest, AgeTimerFlushesAQuietPartitionWithoutAnyNewArrival) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  const auto t0 = clock_.Now();
  EXPECT_FALSE(batcher_->NextDeadline().has_value());
  Append("quiet", policy, Msg("q"));
  clock_.Advance(seconds(10));
  Append("busy", policy, Msg("b"));
  ASSERT_TRUE(batcher_->NextDeadline().has_value());
  EXPECT_EQ(*batcher_->NextDeadline(), t0 + seconds(60));

  EXPECT_EQ(batcher_->FlushExpired(t0 + seconds(60) - milliseconds(1), &ready_), 0u);
  EXPECT_TRUE(ready_.empty());
  EXPECT_EQ(batcher_->FlushExpired(t0 + seconds(60), &ready_), 1u);
  ASSERT_EQ(ready_.size(), 1u);
  EXPECT_EQ(ready_[0].partition_id(), "quiet");
  EXPECT_EQ(ready_[0].flush_reason(), FlushReason::kAge);
  EXPECT_EQ(ready_[0].created_at(), t0);
  EXPECT_EQ(*batcher_->NextDeadline(), t0 + seconds(70));
  EXPECT_EQ(batcher_->FlushExpired(t0 + seconds(3600), &ready_), 1u);
  EXPECT_FALSE(batcher_->NextDeadline().has_value());
}

TEST_F(BatcherTest, AgeIsMeasuredFromTheFirstMessageNotTheLatest) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(5));
  const auto t0 = clock_.Now();
  Append("a", policy, Msg("1"));
  clock_.Advance(seconds(4));
  Append("a", policy, Msg("2"));
  EXPECT_EQ(*batcher_->NextDeadline(), t0 + seconds(5));
  batcher_->FlushExpired(t0 + seconds(5), &ready_);
  ASSERT_EQ(ready_.size(), 1u);
  EXPECT_EQ(ready_[0].message_count(), 2u);
}

TEST_F(BatcherTest, DeadlineDisappearsWhenTheBatchIsFlushedByCount) {
  Make();
  const FlushPolicy policy = Policy(2, 0, seconds(60));
  Append("a", policy, Msg("1"));
  EXPECT_TRUE(batcher_->NextDeadline().has_value());
  Append("a", policy, Msg("2"));
  EXPECT_FALSE(batcher_->NextDeadline().has_value());
  EXPECT_EQ(batcher_->FlushExpired(clock_.Now() + seconds(120), &ready_), 0u);
  EXPECT_EQ(ready_.size(), 1u);
}

TEST_F(BatcherTest, DeadlinesOfManyPartitionsExpireEarliestFirst) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(1));
  const auto t0 = clock_.Now();
  // Opened in a scrambled order of ids; deadlines follow the opening order.
  for (int i = 0; i < 50; ++i) {
    Append("p" + std::to_string((i * 7) % 50), policy, Msg("x"));
    clock_.Advance(milliseconds(10));
  }
  // Count-flush every third partition so heap removals happen in the middle.
  for (int i = 0; i < 50; i += 3)
    batcher_->Flush("p" + std::to_string(i), FlushReason::kControl, &ready_);
  ready_.clear();
  EXPECT_EQ(batcher_->FlushExpired(t0 + seconds(2), &ready_), 33u);
  for (size_t i = 1; i < ready_.size(); ++i) {
    EXPECT_LT(ready_[i - 1].created_at(), ready_[i].created_at());
  }
}

TEST_F(BatcherTest, AgeZeroArmsNoTimer) {
  Make();
  Append("a", Policy(100, 0, milliseconds(0)), Msg("1"));
  EXPECT_FALSE(batcher_->NextDeadline().has_value());
}

TEST_F(BatcherTest, UserPropertyFlushIncludesTheFlaggedMessage) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  Append("a", policy, Msg("1"));
  Append("a", policy, Msg("2", 1, /*flush_after=*/true));
  Append("a", policy, Msg("3"));
  ASSERT_EQ(ready_.size(), 1u);
  EXPECT_EQ(Payloads(ready_[0]), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(ready_[0].flush_reason(), FlushReason::kUserProperty);
}

TEST_F(BatcherTest, ControlFlushOfOnePartitionLeavesTheOthers) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  Append("a", policy, Msg("a1"));
  Append("b", policy, Msg("b1"));
  EXPECT_TRUE(batcher_->Flush("a", FlushReason::kControl, &ready_));
  EXPECT_FALSE(batcher_->Flush("a", FlushReason::kControl, &ready_));  // now empty
  EXPECT_FALSE(batcher_->Flush("nope", FlushReason::kControl, &ready_));
  ASSERT_EQ(ready_.size(), 1u);
  EXPECT_EQ(ready_[0].partition_id(), "a");
  EXPECT_EQ(ready_[0].flush_reason(), FlushReason::kControl);
  EXPECT_EQ(batcher_->stats().open_partitions, 1u);
  EXPECT_EQ(*batcher_->NextDeadline(), batcher_->partition_stats("b")->created_at + seconds(60));
}

TEST_F(BatcherTest, FlushAllEmptiesEveryPartitionInIdOrder) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  for (const char* p : {"c", "a", "d", "b"}) Append(p, policy, Msg(p));
  EXPECT_EQ(batcher_->FlushAll(FlushReason::kShutdown, &ready_), 4u);
  ASSERT_EQ(ready_.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(ready_[i].partition_id(), std::string(1, static_cast<char>('a' + i)));
    EXPECT_EQ(ready_[i].flush_reason(), FlushReason::kShutdown);
  }
  const BatcherStats s = batcher_->stats();
  EXPECT_EQ(s.buffered_messages, 0u);
  EXPECT_EQ(s.buffered_bytes, 0u);
  EXPECT_EQ(s.buffered_memory_bytes, 0u);
  EXPECT_EQ(s.open_partitions, 0u);
  EXPECT_FALSE(batcher_->NextDeadline().has_value());
  EXPECT_EQ(batcher_->FlushAll(FlushReason::kShutdown, &ready_), 0u);
}

TEST_F(BatcherTest, FlushMatchingSelectsPartitionsOfOneBucket) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  ASSERT_TRUE(batcher_->Append("x1", "red", 0, policy, Msg("1"), &ready_).ok());
  ASSERT_TRUE(batcher_->Append("y1", "blue", 1, policy, Msg("2"), &ready_).ok());
  ASSERT_TRUE(batcher_->Append("x2", "red", 0, policy, Msg("3"), &ready_).ok());
  EXPECT_EQ(batcher_->FlushMatching([](const Batch& b) { return b.bucket() == "red"; },
                                    FlushReason::kControl, &ready_),
            2u);
  ASSERT_EQ(ready_.size(), 2u);
  EXPECT_EQ(ready_[0].partition_id(), "x1");
  EXPECT_EQ(ready_[1].partition_id(), "x2");
  EXPECT_EQ(ready_[0].bucket(), "red");
  EXPECT_EQ(batcher_->stats().open_partitions, 1u);
}

TEST_F(BatcherTest, BatchesCarryIdentityAndPerPartitionSequences) {
  BatcherOptions o;
  o.first_sequence = 40;
  Make(o);
  const FlushPolicy policy = Policy(1, 0, seconds(60));
  ASSERT_TRUE(batcher_->Append("a", "bk", 3, policy, Msg("1"), &ready_).ok());
  ASSERT_TRUE(batcher_->Append("b", "bk", 3, policy, Msg("2"), &ready_).ok());
  ASSERT_TRUE(batcher_->Append("a", "bk", 3, policy, Msg("3"), &ready_).ok());
  batcher_->SetNextSequence("b", 1000);
  ASSERT_TRUE(batcher_->Append("b", "bk", 3, policy, Msg("4"), &ready_).ok());
  ASSERT_EQ(ready_.size(), 4u);
  EXPECT_EQ(ready_[0].partition_id(), "a");
  EXPECT_EQ(ready_[0].bucket(), "bk");
  EXPECT_EQ(ready_[0].route_index(), 3);
  EXPECT_EQ(ready_[0].sequence(), 40u);
  EXPECT_EQ(ready_[1].sequence(), 40u);
  EXPECT_EQ(ready_[2].sequence(), 41u);
  EXPECT_EQ(ready_[3].sequence(), 1000u);
}

TEST_F(BatcherTest, AForgottenPartitionNeverRepeatsASequenceNumber) {
  BatcherOptions o;
  o.max_idle_partitions = 1;
  Make(o);
  const FlushPolicy policy = Policy(1, 0, seconds(60));
  for (int i = 0; i < 5; ++i) Append("a", policy, Msg("a"));  // a: 0..4
  Append("b", policy, Msg("b"));                              // b idle now; a forgotten
  Append("c", policy, Msg("c"));                              // b forgotten
  EXPECT_GE(batcher_->stats().partitions_forgotten, 2u);
  EXPECT_LE(batcher_->stats().known_partitions, 2u);
  ready_.clear();
  Append("a", policy, Msg("a"));
  ASSERT_EQ(ready_.size(), 1u);
  EXPECT_GE(ready_[0].sequence(), 5u);
}

TEST_F(BatcherTest, AnOpenPartitionRejectsADifferentBucketOrRoute) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  ASSERT_TRUE(batcher_->Append("a", "red", 0, policy, Msg("1"), &ready_).ok());
  Status s = batcher_->Append("a", "blue", 0, policy, Msg("2"), &ready_);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("blue"), std::string::npos);
  EXPECT_EQ(batcher_->Append("a", "red", 1, policy, Msg("2"), &ready_).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(batcher_->stats().buffered_messages, 1u);
  // Once flushed, the partition may serve another bucket.
  batcher_->Flush("a", FlushReason::kControl, &ready_);
  EXPECT_TRUE(batcher_->Append("a", "blue", 1, policy, Msg("3"), &ready_).ok());
}

TEST_F(BatcherTest, AnUnstorableMessageIsRejectedAndNothingChanges) {
  Make();
  const std::string topic(Batch::kMaxTopicBytes + 1, 't');
  MessageIn m = Msg("x");
  m.topic = topic;
  EXPECT_EQ(batcher_->Append("a", "b", 0, m, &ready_).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(batcher_->stats().buffered_messages, 0u);
  EXPECT_EQ(batcher_->stats().open_partitions, 0u);
}

TEST_F(BatcherTest, StatsTrackBufferedTotalsAndPerPartitionState) {
  Make();
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  Append("a", policy, Msg("12345", 1));
  Append("a", policy, Msg("12", 0));
  Append("b", policy, Msg("1", 2));
  BatcherStats s = batcher_->stats();
  EXPECT_EQ(s.messages_appended, 3u);
  EXPECT_EQ(s.buffered_messages, 3u);
  // Payloads plus each partition's topic once ("a" holds two messages on one topic).
  EXPECT_EQ(s.buffered_bytes, 5u + 2 + 1 + 1 + 1);
  EXPECT_EQ(s.buffered_memory_bytes, s.buffered_bytes + 3 * sizeof(MessageEntry));
  EXPECT_EQ(s.buffered_unacked, 2u);
  EXPECT_EQ(s.open_partitions, 2u);
  const auto a = batcher_->partition_stats("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->messages, 2u);
  EXPECT_EQ(a->bytes, 8u);
  EXPECT_EQ(a->unacked, 1u);
  EXPECT_EQ(a->deadline, clock_.Now() + seconds(60));
  EXPECT_FALSE(batcher_->partition_stats("zzz").has_value());
  size_t open_messages = 0;
  batcher_->ForEachOpenBatch([&](const Batch& b) { open_messages += b.message_count(); });
  EXPECT_EQ(open_messages, 3u);

  batcher_->Flush("a", FlushReason::kControl, &ready_);
  s = batcher_->stats();
  EXPECT_EQ(s.buffered_messages, 1u);
  EXPECT_EQ(s.in_flight_unacked, 1u);
  EXPECT_EQ(s.messages_flushed, 2u);
  batcher_->Complete(std::move(ready_[0]));
  EXPECT_EQ(batcher_->stats().in_flight_unacked, 0u);
}

TEST_F(BatcherTest, TheDefaultPolicyAppliesWhenNoneIsGiven) {
  BatcherOptions o;
  o.default_policy = Policy(2, 0, milliseconds(0));
  Make(o);
  ASSERT_TRUE(batcher_->Append("a", "b", 0, Msg("1"), &ready_).ok());
  ASSERT_TRUE(batcher_->Append("a", "b", 0, Msg("2"), &ready_).ok());
  EXPECT_EQ(ready_.size(), 1u);
}

TEST_F(BatcherTest, TheNextBatchOfAPartitionReservesWhatItsPredecessorHeld) {
  Make();
  const FlushPolicy policy = Policy(3, 0, milliseconds(0));
  for (int i = 0; i < 3; ++i) Append("a", policy, Msg(std::string(1000, 'x')));
  ASSERT_EQ(ready_.size(), 1u);
  Append("a", policy, Msg("y"));
  Append("b", policy, Msg("y"));
  EXPECT_EQ(ready_.size(), 1u);  // no new flush
  size_t a_cap = 0, b_cap = 0;
  batcher_->ForEachOpenBatch([&](const Batch& b) {
    (b.partition_id() == "a" ? a_cap : b_cap) = b.capacity_bytes();
  });
  EXPECT_GE(a_cap, 3000u + 3 * sizeof(MessageEntry));  // room for a batch like the last one
  EXPECT_LT(b_cap, 1000u);                             // a new partition starts small
}

// Time partitions open a batch per hour of data present; late or replayed data must not open
// an unbounded number of them.
TEST_F(BatcherTest, OpeningABatchPastMaxOpenBatchesFlushesTheOneDueSoonest) {
  BatcherOptions o;
  o.max_open_batches = 3;
  Make(o);
  const FlushPolicy policy = Policy(100, 0, seconds(60));
  Append("hour-17", policy, Msg("a"));
  clock_.Advance(seconds(1));
  Append("hour-16", policy, Msg("b"));
  clock_.Advance(seconds(1));
  Append("hour-15", policy, Msg("c"));
  Append("hour-17", policy, Msg("d"));  // an open batch: no new one
  EXPECT_TRUE(ready_.empty());
  EXPECT_EQ(batcher_->stats().open_partitions, 3u);
  clock_.Advance(seconds(1));
  Append("hour-14", policy, Msg("e"));  // a fourth: hour-17 (due first) goes
  ASSERT_EQ(ready_.size(), 1u);
  EXPECT_EQ(ready_[0].partition_id(), "hour-17");
  EXPECT_EQ(ready_[0].flush_reason(), FlushReason::kOpenLimit);
  EXPECT_EQ(Payloads(ready_[0]), (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(batcher_->stats().open_partitions, 3u);
  EXPECT_EQ(batcher_->stats().batches_by_reason[static_cast<size_t>(FlushReason::kOpenLimit)], 1u);
  EXPECT_EQ(FlushReasonName(FlushReason::kOpenLimit), "open_limit");
  o.max_open_batches = 0;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace mqtt2s3::batch
