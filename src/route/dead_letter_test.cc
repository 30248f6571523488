#include "route/dead_letter.h"

#include <gtest/gtest.h>

namespace mqtt2s3::route {
namespace {

TEST(DeadLetterTest, KeyNamesReasonDateInstanceAndSeq) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795313405));
  EXPECT_EQ(DeadLetterKey("dead-letter/", DeadLetterReason::kNoRoute, t, 42, "gw-1"),
            "dead-letter/no_route/2026/11/22/gw-1-00000000000000000042");
  EXPECT_EQ(DeadLetterKey("dl/", DeadLetterReason::kInvalidBucket, t, 7, "../x"),
            "dl/invalid_bucket/2026/11/22/..%2Fx-00000000000000000007");
}

TEST(DeadLetterTest, EveryReasonHasASnakeCaseName) {
  EXPECT_EQ(DeadLetterReasonName(DeadLetterReason::kNoRoute), "no_route");
  EXPECT_EQ(DeadLetterReasonName(DeadLetterReason::kMissingField), "missing_field");
  EXPECT_EQ(DeadLetterReasonName(DeadLetterReason::kInvalidJson), "invalid_json");
  EXPECT_EQ(DeadLetterReasonName(DeadLetterReason::kInvalidBucket), "invalid_bucket");
  EXPECT_EQ(DeadLetterReasonName(DeadLetterReason::kInvalidKey), "invalid_key");
}

}  // namespace
}  // namespace mqtt2s3::route
