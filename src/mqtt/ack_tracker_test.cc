#include "mqtt/ack_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace mqtt2s3::mqtt {
namespace {

std::vector<uint16_t> Drain(AckTracker& t) {
  std::vector<uint16_t> ids;
  t.DrainReady([&](ReadyAck a) { ids.push_back(a.packet_id); });
  return ids;
}

AckToken Deliver(AckTracker& t, uint16_t id, uint8_t qos = 1) {
  AckToken tok;
  EXPECT_EQ(t.OnPublish(id, qos, &tok), AckTracker::Admit::kDeliver);
  EXPECT_TRUE(tok.valid());
  return tok;
}

TEST(AckTrackerTest, InOrderReleasesGoOutImmediately) {
  AckTracker t;
  AckToken a = Deliver(t, 1);
  AckToken b = Deliver(t, 2);
  EXPECT_EQ(t.MarkReleased(a), AckTracker::Release::kAccepted);
  EXPECT_EQ(Drain(t), std::vector<uint16_t>({1}));
  EXPECT_EQ(t.MarkReleased(b), AckTracker::Release::kAccepted);
  EXPECT_EQ(Drain(t), std::vector<uint16_t>({2}));
  EXPECT_EQ(t.outstanding(), 0u);
}

TEST(AckTrackerTest, ALaterReleaseWaitsForAllEarlierMessages) {
  AckTracker t;
  AckToken a = Deliver(t, 10);
  AckToken b = Deliver(t, 11, 2);
  AckToken c = Deliver(t, 12);
  EXPECT_EQ(t.MarkReleased(c), AckTracker::Release::kAccepted);
  EXPECT_EQ(t.MarkReleased(b), AckTracker::Release::kAccepted);
  EXPECT_TRUE(Drain(t).empty());
  EXPECT_EQ(t.outstanding(), 3u);
  EXPECT_EQ(t.MarkReleased(a), AckTracker::Release::kAccepted);
  std::vector<ReadyAck> out;
  t.DrainReady([&](ReadyAck r) { out.push_back(r); });
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].packet_id, 10);
  EXPECT_EQ(out[0].qos, 1);
  EXPECT_EQ(out[1].packet_id, 11);
  EXPECT_EQ(out[1].qos, 2);
  EXPECT_EQ(out[2].packet_id, 12);
}

TEST(AckTrackerTest, RandomReleaseOrderAlwaysEmitsReceiveOrder) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 20; ++round) {
    AckTracker t;
    const int n = 1000;
    std::vector<AckToken> tokens;
    for (int i = 0; i < n; ++i) tokens.push_back(Deliver(t, static_cast<uint16_t>(i + 1)));
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<uint16_t> emitted;
    for (int idx : order) {
      ASSERT_EQ(t.MarkReleased(tokens[idx]), AckTracker::Release::kAccepted);
      auto d = Drain(t);
      emitted.insert(emitted.end(), d.begin(), d.end());
    }
    ASSERT_EQ(emitted.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) ASSERT_EQ(emitted[i], i + 1);
  }
}

TEST(AckTrackerTest, ReleasingTwiceIsCountedAndHarmless) {
  AckTracker t;
  AckToken a = Deliver(t, 1);
  AckToken b = Deliver(t, 2);
  EXPECT_EQ(t.MarkReleased(b), AckTracker::Release::kAccepted);
  EXPECT_EQ(t.MarkReleased(b), AckTracker::Release::kDuplicate);
  EXPECT_EQ(t.MarkReleased(a), AckTracker::Release::kAccepted);
  EXPECT_EQ(Drain(t).size(), 2u);
  EXPECT_EQ(t.MarkReleased(a), AckTracker::Release::kDuplicate);
  EXPECT_EQ(t.counters().duplicate_releases, 2u);
  EXPECT_TRUE(Drain(t).empty());
}

TEST(AckTrackerTest, EmptyAndNeverIssuedTokensAreUnknown) {
  AckTracker t;
  EXPECT_EQ(t.MarkReleased(AckToken{}), AckTracker::Release::kUnknown);
  EXPECT_EQ(t.MarkReleased(AckToken{99}), AckTracker::Release::kUnknown);
  EXPECT_EQ(t.counters().unknown_releases, 2u);
}

TEST(AckTrackerTest, TokensFromAnEarlierConnectionAreStaleAfterReconnect) {
  AckTracker t;
  AckToken old1 = Deliver(t, 1);
  AckToken old2 = Deliver(t, 2);
  EXPECT_EQ(t.MarkReleased(old2), AckTracker::Release::kAccepted);
  t.NewConnection();
  EXPECT_EQ(t.counters().dropped_on_reconnect, 2u);
  EXPECT_EQ(t.outstanding(), 0u);
  // The broker redelivers the same packet ids; they are new messages with new tokens.
  AckToken new1 = Deliver(t, 1);
  EXPECT_NE(new1, old1);
  EXPECT_EQ(t.MarkReleased(old1), AckTracker::Release::kStale);
  EXPECT_EQ(t.MarkReleased(old2), AckTracker::Release::kStale);
  EXPECT_TRUE(Drain(t).empty());
  EXPECT_EQ(t.counters().stale_releases, 2u);
  EXPECT_EQ(t.MarkReleased(new1), AckTracker::Release::kAccepted);
  EXPECT_EQ(Drain(t), std::vector<uint16_t>({1}));
}

TEST(AckTrackerTest, ResentPacketIdStillUnackedIsNotDeliveredTwice) {
  AckTracker t;
  AckToken a = Deliver(t, 5);
  AckToken dup;
  EXPECT_EQ(t.OnPublish(5, 1, &dup), AckTracker::Admit::kDuplicatePending);
  EXPECT_FALSE(dup.valid());
  EXPECT_EQ(t.MarkReleased(a), AckTracker::Release::kAccepted);
  EXPECT_EQ(Drain(t), std::vector<uint16_t>({5}));
  // After the ack the broker may reuse the id for a new message.
  Deliver(t, 5);
}

TEST(AckTrackerTest, RedeliveredQos2AfterPubrecIsNotDeliveredAgainButPubrecIsResent) {
  AckTracker t;
  AckToken a = Deliver(t, 7, 2);
  EXPECT_EQ(t.MarkReleased(a), AckTracker::Release::kAccepted);
  EXPECT_EQ(Drain(t), std::vector<uint16_t>({7}));
  EXPECT_EQ(t.awaiting_pubrel(), 1u);
  t.NewConnection();  // PUBREC may have been lost with the connection
  AckToken first = Deliver(t, 3, 1);
  AckToken dup;
  EXPECT_EQ(t.OnPublish(7, 2, &dup), AckTracker::Admit::kDuplicateReleased);
  EXPECT_FALSE(dup.valid());
  EXPECT_EQ(t.counters().duplicates_suppressed, 1u);
  // Its PUBREC is queued in receive order, behind the unreleased message 3.
  EXPECT_TRUE(Drain(t).empty());
  EXPECT_EQ(t.MarkReleased(first), AckTracker::Release::kAccepted);
  EXPECT_EQ(Drain(t), std::vector<uint16_t>({3, 7}));
  EXPECT_TRUE(t.OnPubrel(7));
  EXPECT_EQ(t.awaiting_pubrel(), 0u);
  EXPECT_FALSE(t.OnPubrel(7));
}

TEST(AckTrackerTest, Qos2StaysSuppressedAcrossTwoDisconnectsBeforeItsPubrecIsResent) {
  AckTracker t;
  AckToken a = Deliver(t, 9, 2);
  ASSERT_EQ(t.MarkReleased(a), AckTracker::Release::kAccepted);
  ASSERT_EQ(Drain(t).size(), 1u);
  t.NewConnection();
  AckToken blocker = Deliver(t, 1, 1);
  AckToken dup;
  EXPECT_EQ(t.OnPublish(9, 2, &dup), AckTracker::Admit::kDuplicateReleased);
  t.NewConnection();  // dropped again before the PUBREC went out
  EXPECT_EQ(t.OnPublish(9, 2, &dup), AckTracker::Admit::kDuplicateReleased);
  EXPECT_EQ(Drain(t), std::vector<uint16_t>({9}));
  (void)blocker;
}

TEST(AckTrackerTest, ClearSessionForgetsQos2State) {
  AckTracker t;
  AckToken a = Deliver(t, 7, 2);
  ASSERT_EQ(t.MarkReleased(a), AckTracker::Release::kAccepted);
  ASSERT_EQ(Drain(t).size(), 1u);
  t.ClearSession();
  EXPECT_EQ(t.awaiting_pubrel(), 0u);
  Deliver(t, 7, 2);  // a new session: id 7 is a new message
}

TEST(AckTrackerTest, RingGrowsPastItsInitialCapacityKeepingOrder) {
  AckTracker t;
  std::vector<AckToken> tokens;
  for (int i = 0; i < 5000; ++i) tokens.push_back(Deliver(t, static_cast<uint16_t>(i + 1)));
  for (int i = 4999; i >= 1; --i) ASSERT_EQ(t.MarkReleased(tokens[i]), AckTracker::Release::kAccepted);
  EXPECT_TRUE(Drain(t).empty());
  ASSERT_EQ(t.MarkReleased(tokens[0]), AckTracker::Release::kAccepted);
  auto d = Drain(t);
  ASSERT_EQ(d.size(), 5000u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(d[i], i + 1);
}

TEST(AckTrackerTest, WrapsAroundTheRingWithoutLosingEntries) {
  AckTracker t;
  uint16_t id = 1;
  for (int round = 0; round < 100; ++round) {
    std::vector<AckToken> tokens;
    for (int i = 0; i < 40; ++i) tokens.push_back(Deliver(t, id++));
    for (int i = 39; i >= 0; --i) ASSERT_EQ(t.MarkReleased(tokens[i]), AckTracker::Release::kAccepted);
    ASSERT_EQ(Drain(t).size(), 40u);
  }
  EXPECT_EQ(t.outstanding(), 0u);
}

}  // namespace
}  // namespace mqtt2s3::mqtt
