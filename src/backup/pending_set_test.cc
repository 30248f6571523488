#include "backup/pending_set.h"

#include <gtest/gtest.h>

namespace mqtt2s3::backup {
namespace {

constexpr int64_t kTimeout = 2000;

PendingSet MakeSet(size_t max_early = 100) {
  return PendingSet({.confirm_timeout_ms = kTimeout, .max_early_confirmations = max_early});
}

std::vector<uint64_t> Expired(PendingSet& s, int64_t now) {
  std::vector<uint64_t> out;
  s.TakeExpired(now, &out);
  return out;
}

TEST(PendingSetTest, AConfirmationAfterArrivalRemovesTheMessage) {
  PendingSet s = MakeSet();
  EXPECT_FALSE(s.ConsumeEarly("a", 0));
  s.Add("a", 1, 0);
  s.Add("b", 2, 0);
  EXPECT_EQ(s.Confirm("a", 10), std::optional<uint64_t>(1));
  EXPECT_EQ(Expired(s, kTimeout), std::vector<uint64_t>({2}));
  EXPECT_EQ(s.stats().confirmed, 1u);
  EXPECT_EQ(s.stats().pending, 0u);
}

TEST(PendingSetTest, AConfirmationBeforeArrivalDropsTheLaterCopy) {
  PendingSet s = MakeSet();
  EXPECT_EQ(s.Confirm("a", 0), std::nullopt);
  EXPECT_EQ(s.stats().early, 1u);
  EXPECT_TRUE(s.ConsumeEarly("a", 100));
  // Used up: a second copy of the same id is kept.
  EXPECT_FALSE(s.ConsumeEarly("a", 100));
  EXPECT_EQ(s.stats().early_matched, 1u);
  EXPECT_EQ(s.stats().early_now, 0u);
}

TEST(PendingSetTest, AnEarlyConfirmationIsForgottenAfterTheTimeout) {
  PendingSet s = MakeSet();
  s.Confirm("a", 0);
  EXPECT_FALSE(s.ConsumeEarly("a", kTimeout));
  EXPECT_EQ(s.stats().early_expired, 1u);
}

TEST(PendingSetTest, EarlyConfirmationsAreBoundedOldestFirst) {
  PendingSet s = MakeSet(/*max_early=*/2);
  s.Confirm("a", 0);
  s.Confirm("b", 1);
  s.Confirm("c", 2);
  EXPECT_EQ(s.stats().early_evicted, 1u);
  EXPECT_EQ(s.stats().early_now, 2u);
  EXPECT_FALSE(s.ConsumeEarly("a", 3));
  EXPECT_TRUE(s.ConsumeEarly("b", 3));
  EXPECT_TRUE(s.ConsumeEarly("c", 3));
}

TEST(PendingSetTest, AConsumedEarlyConfirmationDoesNotShortenANewerOne) {
  PendingSet s = MakeSet();
  s.Confirm("a", 0);
  EXPECT_TRUE(s.ConsumeEarly("a", 10));
  s.Confirm("a", 1000);
  // The first one's expiry (2000) passes; the second (3000) must still be there.
  EXPECT_TRUE(s.ConsumeEarly("a", 2500));
}

TEST(PendingSetTest, DuplicateIdsNeedOneConfirmationEach) {
  PendingSet s = MakeSet();
  s.Add("a", 1, 0);
  s.Add("a", 2, 5);
  EXPECT_EQ(s.Confirm("a", 10), std::optional<uint64_t>(1));  // the oldest first
  EXPECT_EQ(s.lowest_sequence(), std::optional<uint64_t>(2));
  EXPECT_EQ(s.Confirm("a", 10), std::optional<uint64_t>(2));
  EXPECT_EQ(s.lowest_sequence(), std::nullopt);
  // A third confirmation has nothing to remove: it waits for a third copy.
  EXPECT_EQ(s.Confirm("a", 10), std::nullopt);
  EXPECT_TRUE(s.ConsumeEarly("a", 20));
}

TEST(PendingSetTest, TimeoutSelectsOnlyMessagesOlderThanTheTimeout) {
  PendingSet s = MakeSet();
  s.Add("a", 1, 0);
  s.Add("b", 2, 500);
  s.Add("c", 3, 1500);
  EXPECT_EQ(s.next_expiry_ms(), std::optional<int64_t>(kTimeout));
  EXPECT_TRUE(Expired(s, kTimeout - 1).empty());
  EXPECT_EQ(Expired(s, kTimeout + 500), std::vector<uint64_t>({1, 2}));
  EXPECT_EQ(s.next_expiry_ms(), std::optional<int64_t>(1500 + kTimeout));
  EXPECT_EQ(s.lowest_sequence(), std::optional<uint64_t>(3));
  // A handed-out message can no longer be confirmed: its confirmation is remembered instead.
  EXPECT_EQ(s.Confirm("a", kTimeout + 600), std::nullopt);
  EXPECT_EQ(Expired(s, 1500 + kTimeout), std::vector<uint64_t>({3}));
  EXPECT_EQ(s.stats().expired, 3u);
}

TEST(PendingSetTest, AConfirmedMessageIsNeverHandedOut) {
  PendingSet s = MakeSet();
  s.Add("a", 1, 0);
  s.Add("b", 2, 0);
  s.Add("a", 3, 0);
  s.Confirm("a", 1);
  EXPECT_EQ(Expired(s, kTimeout), std::vector<uint64_t>({2, 3}));
}

TEST(PendingSetTest, AClockStepBackDelaysButNeverDropsLaterMessages) {
  PendingSet s = MakeSet();
  s.Add("a", 1, 10'000);  // received before the clock stepped back
  s.Add("b", 2, 0);
  EXPECT_TRUE(Expired(s, kTimeout).empty());
  EXPECT_EQ(Expired(s, 10'000 + kTimeout), std::vector<uint64_t>({1, 2}));
}

TEST(PendingSetTest, ASequenceIsKeptOnce) {
  PendingSet s = MakeSet();
  s.Add("a", 1, 0);
  s.Add("a", 1, 0);
  EXPECT_EQ(s.stats().pending, 1u);
  EXPECT_EQ(s.Confirm("a", 1), std::optional<uint64_t>(1));
  EXPECT_EQ(s.Confirm("a", 1), std::nullopt);
}

}  // namespace
}  // namespace mqtt2s3::backup
