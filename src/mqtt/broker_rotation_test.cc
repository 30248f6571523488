#include "mqtt/broker_rotation.h"

#include <vector>

#include <gtest/gtest.h>

namespace mqtt2s3::mqtt {
namespace {

// Attempts made (broker index, waited before it?) over `failures` consecutive failures.
std::vector<std::pair<size_t, bool>> Attempts(BrokerRotation& r, int failures) {
  std::vector<std::pair<size_t, bool>> out;
  for (int i = 0; i < failures; ++i) {
    const bool wait = r.Advance();
    out.emplace_back(r.current(), wait);
  }
  return out;
}

TEST(BrokerRotationTest, StartsOnTheFirstBroker) {
  BrokerRotation r(3);
  EXPECT_EQ(r.current(), 0u);
  EXPECT_EQ(r.count(), 3u);
}

TEST(BrokerRotationTest, SingleBrokerWaitsBeforeEveryRetry) {
  BrokerRotation r(1);
  using A = std::vector<std::pair<size_t, bool>>;
  EXPECT_EQ(Attempts(r, 3), (A{{0, true}, {0, true}, {0, true}}));
  EXPECT_EQ(r.switches(), 0u);
  EXPECT_EQ(r.failed_rounds(), 3u);
}

TEST(BrokerRotationTest, ZeroBrokersBehaveAsOne) {
  BrokerRotation r(0);
  EXPECT_EQ(r.count(), 1u);
  EXPECT_TRUE(r.Advance());
  EXPECT_EQ(r.current(), 0u);
}

TEST(BrokerRotationTest, FailuresTryEachBrokerInOrderAndWaitOnlyAfterAFullRound) {
  BrokerRotation r(3);
  using A = std::vector<std::pair<size_t, bool>>;
  // Round 1 (0 failed): 1 at once, 2 at once, back to 0 after the backoff; round 2 the same.
  EXPECT_EQ(Attempts(r, 6), (A{{1, false}, {2, false}, {0, true},
                               {1, false}, {2, false}, {0, true}}));
  EXPECT_EQ(r.failed_rounds(), 2u);
  EXPECT_EQ(r.switches(), 6u);
}

TEST(BrokerRotationTest, ADroppedConnectionMovesToTheNextBrokerAtOnce) {
  BrokerRotation r(2);
  r.Connected();                 // on broker 0
  EXPECT_FALSE(r.Advance());     // 0 dropped: try 1 without waiting
  EXPECT_EQ(r.current(), 1u);
  EXPECT_TRUE(r.Advance());      // 1 refused too: the round is complete, wait
  EXPECT_EQ(r.current(), 0u);
}

TEST(BrokerRotationTest, StaysOnTheBrokerThatAcceptedAndStartsANewRoundFromIt) {
  BrokerRotation r(3);
  EXPECT_FALSE(r.Advance());  // 0 refused -> 1
  r.Connected();              // 1 accepted: no fail-back to 0
  EXPECT_EQ(r.current(), 1u);
  using A = std::vector<std::pair<size_t, bool>>;
  // 1 drops later: 2 and 0 at once, then 1 again after the backoff.
  EXPECT_EQ(Attempts(r, 3), (A{{2, false}, {0, false}, {1, true}}));
}

TEST(BrokerRotationTest, ASuccessMidRoundForgetsEarlierFailures) {
  BrokerRotation r(3);
  EXPECT_FALSE(r.Advance());  // 0 -> 1
  EXPECT_FALSE(r.Advance());  // 1 -> 2
  r.Connected();              // 2 accepted
  EXPECT_FALSE(r.Advance());  // 2 dropped -> 0 at once (a new round, not the third failure)
  EXPECT_EQ(r.current(), 0u);
}

}  // namespace
}  // namespace mqtt2s3::mqtt
