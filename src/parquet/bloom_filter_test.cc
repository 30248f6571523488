#include "parquet/bloom_filter.h"

#include <gtest/gtest.h>

#include <string>

#include "parquet/xxhash64.h"

namespace mqtt2s3::parquet {
namespace {

TEST(BloomFilterTest, SizeIsAPowerOfTwoWithinTheSpecLimits) {
  EXPECT_EQ(SplitBlockBloomFilter::OptimalBytes(0, 0.01), 32u);
  EXPECT_EQ(SplitBlockBloomFilter::OptimalBytes(1, 0.01), 32u);
  // ~9.6 bits per value at 1%: 1000 values -> 1200 bytes -> 2048.
  EXPECT_EQ(SplitBlockBloomFilter::OptimalBytes(1000, 0.01), 2048u);
  EXPECT_EQ(SplitBlockBloomFilter::OptimalBytes(size_t{1} << 40, 0.01), size_t{128} << 20);
}

TEST(BloomFilterTest, InsertedValuesAreFoundAndOthersMostlyNot) {
  SplitBlockBloomFilter f;
  f.Init(SplitBlockBloomFilter::OptimalBytes(1000, 0.01));
  for (int i = 0; i < 1000; ++i) f.Insert(XxHash64("in-" + std::to_string(i)));
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(f.MightContain(XxHash64("in-" + std::to_string(i))));
  int false_positives = 0;
  for (int i = 0; i < 10000; ++i) false_positives += f.MightContain(XxHash64("out-" + std::to_string(i)));
  EXPECT_LT(false_positives, 200);  // sized for 1%
}

TEST(BloomFilterTest, HeaderNamesBlockXxhashUncompressedThenTheBitset) {
  SplitBlockBloomFilter f;
  f.Init(32);
  std::string out;
  AppendBloomFilter(f, &out);
  const std::string header("\x15\x40\x1c\x1c\x00\x00\x1c\x1c\x00\x00\x1c\x1c\x00\x00\x00", 15);
  EXPECT_EQ(out.substr(0, header.size()), header);
  EXPECT_EQ(out.size(), header.size() + 32);
}

}  // namespace
}  // namespace mqtt2s3::parquet
