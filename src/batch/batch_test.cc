#include "batch/batch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqtt2s3::batch {
namespace {

MessageIn Msg(std::string_view topic, std::string_view payload, int64_t event_ms,
              int64_t receive_ms, uint8_t qos = 1, uint64_t ack = 0, std::string_view extra = {}) {
  MessageIn m;
  m.topic = topic;
  m.payload = payload;
  m.extra = extra;
  m.event_time_ms = event_ms;
  m.receive_time_ms = receive_ms;
  m.qos = qos;
  m.ack_ref = ack;
  return m;
}

TEST(BatchTest, MessagesComeBackInArrivalOrderWithAllTheirFields) {
  Batch b;
  const auto created = std::chrono::steady_clock::time_point(std::chrono::seconds(5));
  b.Reset("site-7", "telemetry", 2, created);
  b.Add(Msg("a/1", "first", 100, 1000, 1, 11, "dedupe-1"));
  b.Add(Msg("a/2", "", 90, 1001, 0, 0));
  MessageIn third = Msg("a/3", "third!", 120, 1002, 2, 33);
  third.flush_after = true;
  b.Add(third);

  EXPECT_EQ(b.partition_id(), "site-7");
  EXPECT_EQ(b.bucket(), "telemetry");
  EXPECT_EQ(b.route_index(), 2);
  EXPECT_EQ(b.created_at(), created);
  ASSERT_EQ(b.message_count(), 3u);

  std::vector<std::string> seen;
  for (const MessageView m : b) seen.push_back(std::string(m.topic) + "=" + std::string(m.payload));
  EXPECT_EQ(seen, (std::vector<std::string>{"a/1=first", "a/2=", "a/3=third!"}));

  const MessageView m0 = b.message(0);
  EXPECT_EQ(m0.extra, "dedupe-1");
  EXPECT_EQ(m0.ack_ref, 11u);
  EXPECT_EQ(m0.qos, 1);
  EXPECT_EQ(m0.event_time_ms, 100);
  EXPECT_FALSE(m0.flush_after);
  const MessageView m2 = b.message(2);
  EXPECT_EQ(m2.extra, "");
  EXPECT_EQ(m2.qos, 2);
  EXPECT_EQ(m2.ack_ref, 33u);
  EXPECT_TRUE(m2.flush_after);
}

TEST(BatchTest, PayloadArenaHoldsPayloadsBackToBackAtTheirOffsets) {
  Batch b;
  b.Reset("p", "b", 0, {});
  b.Add(Msg("t/long/topic", "abc", 0, 0));
  b.Add(Msg("t", "", 0, 0));
  b.Add(Msg("t", "defg", 0, 0, 1, 0, "xx"));
  EXPECT_EQ(b.payload_arena(), "abcdefg");
  EXPECT_EQ(b.message(0).payload_offset, 0u);
  EXPECT_EQ(b.message(1).payload_offset, 3u);
  EXPECT_EQ(b.message(2).payload_offset, 3u);
  EXPECT_EQ(b.payload_bytes(), 7u);
  // The second "t" shares the first one's bytes.
  EXPECT_EQ(b.size_bytes(), 7u + 12 + 1 + 2);
  EXPECT_EQ(b.memory_bytes(), b.size_bytes() + 3 * sizeof(MessageEntry));
}

TEST(BatchTest, RepeatedTopicsAreStoredOnceAndEveryMessageKeepsItsOwn) {
  Batch b;
  b.Reset("p", "b", 0, {});
  const std::vector<std::string> topics = {"plant/1/dev-1", "plant/1/dev-2", "plant/1/dev-10",
                                           "plant/1/dev-1", "plant/1/dev-10", "plant/1/dev-2",
                                           "plant/1/dev-2", "", ""};
  for (size_t i = 0; i < topics.size(); ++i) {
    b.Add(Msg(topics[i], "p" + std::to_string(i), 0, 0, 1, i, "x" + std::to_string(i)));
  }
  ASSERT_EQ(b.message_count(), topics.size());
  for (size_t i = 0; i < topics.size(); ++i) {
    const MessageView m = b.message(i);
    EXPECT_EQ(m.topic, topics[i]) << i;
    EXPECT_EQ(m.payload, "p" + std::to_string(i)) << i;
    EXPECT_EQ(m.extra, "x" + std::to_string(i)) << i;
  }
  // Three distinct topics of 13 + 13 + 14 bytes, nine 2-byte extras, 9 x 2 payload bytes.
  EXPECT_EQ(b.size_bytes(), 13u + 13 + 14 + 9 * 2 + 9 * 2);
}

TEST(BatchTest, ManyDistinctTopicsAreAllKeptEvenWhenTheCacheEvicts) {
  Batch b;
  b.Reset("p", "b", 0, {});
  std::vector<std::string> topics;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 500; ++i) topics.push_back("site/" + std::to_string(i) + "/t");
  }
  for (const std::string& t : topics) b.Add(Msg(t, "v", 0, 0));
  for (size_t i = 0; i < topics.size(); ++i) ASSERT_EQ(b.message(i).topic, topics[i]) << i;
}

TEST(BatchTest, ReleaseBytesFreesTheArenasAndKeepsEntriesAndStats) {
  Batch b;
  b.Reset("p", "b", 0, {});
  b.Reserve(1000, 500, 10);
  EXPECT_GE(b.capacity_bytes(), 1000u + 500 + 10 * sizeof(MessageEntry));
  b.Add(Msg("t/1", std::string(300, 'a'), 5, 50, 1, 7));
  b.Add(Msg("t/2", std::string(200, 'b'), 3, 60, 0, 0));
  b.ReleaseBytes();
  EXPECT_TRUE(b.bytes_released());
  EXPECT_EQ(b.payload_bytes(), 0u);
  ASSERT_EQ(b.entries().size(), 2u);
  EXPECT_EQ(b.entries()[0].ack_ref, 7u);
  EXPECT_EQ(b.entries()[0].qos, 1);
  EXPECT_EQ(b.message_count(), 2u);
  EXPECT_EQ(b.unacked_count(), 1u);
  EXPECT_EQ(b.min_event_time_ms(), 3);
  EXPECT_EQ(b.last_receive_time_ms(), 60);
  EXPECT_LT(b.capacity_bytes(), 1000u);
  b.Clear();
  EXPECT_FALSE(b.bytes_released());
  b.Add(Msg("t/3", "c", 0, 0));
  EXPECT_EQ(b.message(0).topic, "t/3");
}

TEST(BatchTest, StatsSpanOutOfOrderEventTimesAndCountOnlyQosAboveZero) {
  Batch b;
  b.Reset("p", "b", 0, {});
  b.Add(Msg("t", "x", 500, 10, 0));
  b.Add(Msg("t", "x", 300, 11, 1));
  b.Add(Msg("t", "x", 900, 12, 2));
  b.Add(Msg("t", "x", 400, 13, 0));
  EXPECT_EQ(b.min_event_time_ms(), 300);
  EXPECT_EQ(b.max_event_time_ms(), 900);
  EXPECT_EQ(b.first_receive_time_ms(), 10);
  EXPECT_EQ(b.last_receive_time_ms(), 13);
  EXPECT_EQ(b.unacked_count(), 2u);
}

TEST(BatchTest, ClearKeepsCapacityAndResetChangesIdentity) {
  Batch b;
  b.Reset("p", "b", 0, {});
  const std::string payload(1000, 'x');
  for (int i = 0; i < 10; ++i) b.Add(Msg("t", payload, 0, 0));
  const size_t capacity = b.capacity_bytes();
  EXPECT_GE(capacity, 10000u);
  b.Reset("q", "c", 4, {});
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size_bytes(), 0u);
  EXPECT_EQ(b.unacked_count(), 0u);
  EXPECT_EQ(b.capacity_bytes(), capacity);
  EXPECT_EQ(b.partition_id(), "q");
  EXPECT_EQ(b.bucket(), "c");
  EXPECT_EQ(b.route_index(), 4);
}

TEST(BatchTest, TopicsOver64KiBAreRejected) {
  const std::string topic(Batch::kMaxTopicBytes + 1, 't');
  const Status s = Batch::CheckMessage(Msg(topic, "x", 0, 0));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("65535"), std::string::npos);
  const std::string ok_topic(Batch::kMaxTopicBytes, 't');
  EXPECT_TRUE(Batch::CheckMessage(Msg(ok_topic, "x", 0, 0)).ok());
  Batch b;
  EXPECT_TRUE(b.Fits(Msg(ok_topic, "x", 0, 0)));
}

TEST(BatchTest, MovingABatchKeepsItsViewsValid) {
  Batch a;
  a.Reset("p", "b", 0, {});
  a.Add(Msg("topic", "payload", 0, 0));
  Batch b = std::move(a);
  EXPECT_EQ(b.message(0).topic, "topic");
  EXPECT_EQ(b.message(0).payload, "payload");
  EXPECT_EQ(b.partition_id(), "p");
}

}  // namespace
}  // namespace mqtt2s3::batch
