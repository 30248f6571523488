#include "mqtt/backoff.h"

#include <gtest/gtest.h>

namespace mqtt2s3::mqtt {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, CapDoublesFromMinUntilMax) {
  Backoff b({.min_delay = milliseconds(100), .max_delay = milliseconds(1000)}, 42);
  EXPECT_EQ(b.CurrentCap(), milliseconds(100));
  (void)b.Next();
  EXPECT_EQ(b.CurrentCap(), milliseconds(200));
  (void)b.Next();
  EXPECT_EQ(b.CurrentCap(), milliseconds(400));
  (void)b.Next();
  EXPECT_EQ(b.CurrentCap(), milliseconds(800));
  (void)b.Next();
  EXPECT_EQ(b.CurrentCap(), milliseconds(1000));
  for (int i = 0; i < 100; ++i) (void)b.Next();
  EXPECT_EQ(b.CurrentCap(), milliseconds(1000));
}

TEST(BackoffTest, EveryDelayLiesBetweenZeroAndTheCap) {
  Backoff b({.min_delay = milliseconds(10), .max_delay = milliseconds(500)}, 7);
  for (int i = 0; i < 1000; ++i) {
    const auto cap = b.CurrentCap();
    const auto d = b.Next();
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d, cap);
  }
}

TEST(BackoffTest, DelaysAreJitteredNotConstant) {
  Backoff b({.min_delay = milliseconds(1000), .max_delay = milliseconds(1000)}, 3);
  bool differs = false;
  const auto first = b.Next();
  for (int i = 0; i < 50 && !differs; ++i) differs = b.Next() != first;
  EXPECT_TRUE(differs);
}

TEST(BackoffTest, ResetMakesTheNextDelayShortAgain) {
  Backoff b({.min_delay = milliseconds(100), .max_delay = milliseconds(30000)}, 1);
  for (int i = 0; i < 20; ++i) (void)b.Next();
  EXPECT_EQ(b.CurrentCap(), milliseconds(30000));
  b.Reset();
  EXPECT_EQ(b.attempt(), 0u);
  EXPECT_LE(b.Next(), milliseconds(100));
}

TEST(BackoffTest, SameSeedGivesSameSequence) {
  Backoff a({}, 99), b({}, 99);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a.Next(), b.Next());
}

TEST(BackoffTest, HugeAttemptCountsDoNotOverflow) {
  Backoff b({.min_delay = milliseconds(1), .max_delay = milliseconds(1 << 30)}, 5);
  for (int i = 0; i < 200; ++i) EXPECT_LE(b.Next(), milliseconds(1 << 30));
}

TEST(BackoffOptionsTest, ValidateRejectsZeroMinAndMaxBelowMin) {
  EXPECT_TRUE(BackoffOptions{}.Validate().ok());
  EXPECT_EQ(BackoffOptions{.min_delay = milliseconds(0)}.Validate().code(),
            StatusCode::kInvalidArgument);
  BackoffOptions o{.min_delay = milliseconds(500), .max_delay = milliseconds(100)};
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(o.Validate().message().find("max_delay"), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::mqtt
