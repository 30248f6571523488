#include "route/dedupe_id.h"

#include <gtest/gtest.h>

namespace mqtt2s3::route {
namespace {

TEST(ContentHash, IsSixteenHexDigitsAndStable) {
  std::string a, b;
  AppendContentHash("plant/1/dev", "{\"v\":1}", &a);
  AppendContentHash("plant/1/dev", "{\"v\":1}", &b);
  ASSERT_EQ(a.size(), 16u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(ContentHash, SeparatesTopicFromPayload) {
  // "ab" + "c" and "a" + "bc" are different messages.
  std::string a, b;
  AppendContentHash("ab", "c", &a);
  AppendContentHash("a", "bc", &b);
  EXPECT_NE(a, b);
}

TEST(ContentHash, MatchesTheDocumentedFnv1aValueOfAnEmptyMessage) {
  // FNV-1a 64 of a single NUL byte (empty topic, separator, empty payload).
  std::string h;
  AppendContentHash("", "", &h);
  EXPECT_EQ(h, "af63bd4c8601b7df");
}

}  // namespace
}  // namespace mqtt2s3::route
