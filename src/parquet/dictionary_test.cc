#include "parquet/dictionary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqtt2s3::parquet {
namespace {

TEST(DictionaryTest, EqualValuesShareAnIndexInFirstSeenOrder) {
  DictionaryBuilder d;
  d.Reset(1 << 20);
  const std::vector<std::string> values = {"b", "a", "b", "", "a", ""};
  std::vector<uint32_t> idx(values.size());
  for (size_t i = 0; i < values.size(); ++i) ASSERT_TRUE(d.AddBytes(values[i], &idx[i]));
  EXPECT_EQ(idx, (std::vector<uint32_t>{0, 1, 0, 2, 1, 2}));
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.plain_bytes(), 3 * 4 + 2u);
}

TEST(DictionaryTest, GrowsAndResetsWithoutLosingEntries) {
  DictionaryBuilder d;
  for (int round = 0; round < 3; ++round) {
    d.Reset(1 << 30);
    const int n = round == 1 ? 100000 : 50;  // a big chunk between two small ones
    for (int i = 0; i < n; ++i) {
      uint32_t idx;
      ASSERT_TRUE(d.AddFixed(static_cast<uint64_t>(i) * 1000, &idx));
      ASSERT_EQ(idx, static_cast<uint32_t>(i));
    }
    for (int i = 0; i < n; ++i) {
      uint32_t idx;
      ASSERT_TRUE(d.AddFixed(static_cast<uint64_t>(i) * 1000, &idx));
      ASSERT_EQ(idx, static_cast<uint32_t>(i));
    }
    EXPECT_EQ(d.size(), static_cast<size_t>(n));
  }
}

TEST(DictionaryTest, RefusesToPassTheByteLimit) {
  DictionaryBuilder d;
  d.Reset(16);
  uint32_t idx;
  EXPECT_TRUE(d.AddFixed(1, &idx));
  EXPECT_TRUE(d.AddFixed(2, &idx));
  EXPECT_TRUE(d.AddFixed(1, &idx));  // known values still resolve
  EXPECT_FALSE(d.AddFixed(3, &idx));
}

}  // namespace
}  // namespace mqtt2s3::parquet
