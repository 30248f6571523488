#include "parquet/xxhash64.h"

#include <gtest/gtest.h>

#include <string>

namespace mqtt2s3::parquet {
namespace {

TEST(XxHash64Test, MatchesReferenceVectors) {
  EXPECT_EQ(XxHash64(""), 0xef46db3751d8e999ULL);
  EXPECT_EQ(XxHash64("a"), 0xd24ec4f1a98c6e5bULL);
  EXPECT_EQ(XxHash64("abc"), 0x44bc2cf5ad770999ULL);
  // Lengths that take the 4-byte, 8-byte and 32-byte-stripe paths (values from the python
  // xxhash package, which wraps the reference C implementation).
  EXPECT_EQ(XxHash64("abcdefgh"), 0x3ad351775b4634b7ULL);
  EXPECT_EQ(XxHash64(std::string(100, 'x')), 0x92f0de5a88a3c094ULL);
  EXPECT_EQ(XxHash64("Nobody inspects the spammish repetition"), 0xfbcea83c8a378bf1ULL);
}

TEST(XxHash64Test, SeedChangesTheHash) { EXPECT_NE(XxHash64("abc", 1), XxHash64("abc", 0)); }

}  // namespace
}  // namespace mqtt2s3::parquet
