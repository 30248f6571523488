#include "route/payload_inflater.h"

#include <gtest/gtest.h>

#include <string>

#include "zlib_compress.h"

namespace mqtt2s3::route {
namespace {

using testing::ZlibCompress;

TEST(PayloadInflater, InflatesZlibAndGzipStreams) {
  PayloadInflater inflater;
  const std::string json = R"({"weldspot":{"Voltage":"230"},"seq":1})";
  std::string_view out;
  std::string why;
  ASSERT_EQ(inflater.Inflate(ZlibCompress(json), 1024, &out, &why), InflateResult::kOk) << why;
  EXPECT_EQ(out, json);
  ASSERT_EQ(inflater.Inflate(ZlibCompress(json, 15 + 16), 1024, &out, &why), InflateResult::kOk)
      << why;
  EXPECT_EQ(out, json);
}

TEST(PayloadInflater, OutputLargerThanTheFirstGuessGrowsTheBuffer) {
  PayloadInflater inflater;
  const std::string big(300'000, 'x');  // compresses about 1000:1
  std::string_view out;
  std::string why;
  ASSERT_EQ(inflater.Inflate(ZlibCompress(big), 1 << 20, &out, &why), InflateResult::kOk) << why;
  EXPECT_EQ(out, big);
}

TEST(PayloadInflater, ExactlyTheLimitPassesOneByteMoreIsTooLarge) {
  PayloadInflater inflater;
  std::string_view out;
  std::string why;
  EXPECT_EQ(inflater.Inflate(ZlibCompress(std::string(5000, 'a')), 5000, &out, &why),
            InflateResult::kOk);
  EXPECT_EQ(out.size(), 5000u);
  EXPECT_EQ(inflater.Inflate(ZlibCompress(std::string(5001, 'a')), 5000, &out, &why),
            InflateResult::kTooLarge);
  EXPECT_NE(why.find("more than 5000 bytes"), std::string::npos) << why;
  // A zip bomb stops at the limit instead of filling memory.
  EXPECT_EQ(inflater.Inflate(ZlibCompress(std::string(50'000'000, '\0')), 1 << 20, &out, &why),
            InflateResult::kTooLarge);
  EXPECT_LE(inflater.capacity(), (1u << 20) + 1);
}

TEST(PayloadInflater, CorruptTruncatedOrTrailingBytesAreRefused) {
  PayloadInflater inflater;
  std::string_view out;
  std::string why;
  EXPECT_EQ(inflater.Inflate(R"({"plain":"json"})", 1024, &out, &why), InflateResult::kCorrupt);
  EXPECT_NE(why.find("not a valid zlib stream"), std::string::npos) << why;
  const std::string z = ZlibCompress(R"({"weldspot":{"Voltage":"230"}})");
  EXPECT_EQ(inflater.Inflate(std::string_view(z).substr(0, z.size() - 3), 1024, &out, &why),
            InflateResult::kCorrupt);
  EXPECT_NE(why.find("truncated"), std::string::npos) << why;
  EXPECT_EQ(inflater.Inflate(z + "xx", 1024, &out, &why), InflateResult::kCorrupt);
  EXPECT_NE(why.find("2 bytes after the end"), std::string::npos) << why;
  std::string flipped = z;
  flipped[flipped.size() - 1] ^= 0x55;  // the Adler-32 trailer
  EXPECT_EQ(inflater.Inflate(flipped, 1024, &out, &why), InflateResult::kCorrupt);
  EXPECT_EQ(inflater.Inflate("", 1024, &out, &why), InflateResult::kCorrupt);
  // And it still works after all that.
  ASSERT_EQ(inflater.Inflate(z, 1024, &out, &why), InflateResult::kOk) << why;
  EXPECT_EQ(out, R"({"weldspot":{"Voltage":"230"}})");
}

TEST(PayloadInflater, EveryTruncationOfAStreamIsRefusedNeverCrashes) {
  PayloadInflater inflater;
  const std::string z = ZlibCompress(R"({"weldspot":{"Timestamp":"20181001 171035"},"seq":9})");
  std::string_view out;
  std::string why;
  for (size_t n = 0; n < z.size(); ++n) {
    EXPECT_NE(inflater.Inflate(std::string_view(z).substr(0, n), 1024, &out, &why),
              InflateResult::kOk)
        << n;
  }
}

}  // namespace
}  // namespace mqtt2s3::route
