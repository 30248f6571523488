#include "batch/flush_policy.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "batch/batcher.h"

namespace mqtt2s3::batch {
namespace {

TEST(FlushPolicyTest, DefaultsAreValid) {
  FlushPolicy p;
  EXPECT_TRUE(p.Validate().ok());
  EXPECT_EQ(p.max_messages, 10000u);
  EXPECT_EQ(p.max_bytes, size_t{64} << 20);
  EXPECT_EQ(p.max_age, std::chrono::seconds(60));
}

TEST(FlushPolicyTest, CountOrBytesAloneIsValidButNotNeither) {
  FlushPolicy p;
  p.max_bytes = 0;
  EXPECT_TRUE(p.Validate().ok());
  p.max_bytes = 1024;
  p.max_messages = 0;
  EXPECT_TRUE(p.Validate().ok());
  p.max_bytes = 0;
  const Status s = p.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("max_messages"), std::string::npos);
}

TEST(FlushPolicyTest, AgeZeroTurnsTheTimerOffAndNegativeAgeIsRejected) {
  FlushPolicy p;
  p.max_age = std::chrono::milliseconds(0);
  EXPECT_TRUE(p.Validate().ok());
  p.max_age = std::chrono::milliseconds(-1);
  EXPECT_EQ(p.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(FlushPolicyTest, MaxBytesAbove4GiBIsRejected) {
  FlushPolicy p;
  p.max_bytes = size_t{4} << 30;
  EXPECT_EQ(p.Validate().code(), StatusCode::kInvalidArgument);
  p.max_bytes = (size_t{4} << 30) - 1;
  EXPECT_TRUE(p.Validate().ok());
}

TEST(FlushPolicyTest, EveryReasonHasADistinctName) {
  EXPECT_EQ(FlushReasonName(FlushReason::kCount), "count");
  EXPECT_EQ(FlushReasonName(FlushReason::kBytes), "bytes");
  EXPECT_EQ(FlushReasonName(FlushReason::kAge), "age");
  EXPECT_EQ(FlushReasonName(FlushReason::kControl), "control");
  EXPECT_EQ(FlushReasonName(FlushReason::kUserProperty), "user_property");
  EXPECT_EQ(FlushReasonName(FlushReason::kShutdown), "shutdown");
  EXPECT_EQ(FlushReasonName(FlushReason::kMemoryPressure), "memory_pressure");
  EXPECT_EQ(FlushReasonName(FlushReason::kWindowPressure), "window_pressure");
  std::set<std::string_view> names;
  for (size_t i = 0; i < kFlushReasonCount; ++i) {
    names.insert(FlushReasonName(static_cast<FlushReason>(i)));
  }
  EXPECT_EQ(names.size(), kFlushReasonCount);
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(BatcherOptionsTest, ZeroMemoryCapAndBadDefaultPolicyAreRejected) {
  BatcherOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.max_buffered_bytes = 0;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o.max_buffered_bytes = 1;
  o.default_policy.max_messages = 0;
  o.default_policy.max_bytes = 0;
  const Status s = o.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("default policy"), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::batch
