#include "format/encoding.h"

#include <gtest/gtest.h>

namespace mqtt2s3::format {
namespace {

TEST(EncodingTest, Sha256MatchesTheFipsVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(EncodingTest, Base64MatchesRfc4648VectorsBothWays) {
  const std::pair<std::string, std::string> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"},
                                                       {std::string("\xff\x00\xfe", 3), "/wD+"}};
  for (const auto& [raw, text] : cases) {
    EXPECT_EQ(Base64Encode(raw), text);
    auto back = Base64Decode(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, raw);
  }
}

TEST(EncodingTest, Base64RejectsBadLengthAndCharactersAndInnerPadding) {
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Z!==").ok());
  EXPECT_FALSE(Base64Decode("Zg==Zm8=").ok());
  EXPECT_FALSE(Base64Decode("Z=g=").ok());
}

TEST(EncodingTest, HexAndPercentRoundTripEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(*HexDecode(HexEncode(all)), all);
  const std::string pct = PercentEncode(all);
  for (char c : pct) EXPECT_TRUE(c > 0x20 && c < 0x7f);
  EXPECT_EQ(*PercentDecode(pct), all);
  EXPECT_EQ(PercentEncode(".idx"), ".idx");
  EXPECT_EQ(PercentEncode("a b%"), "a%20b%25");
  EXPECT_FALSE(PercentDecode("%4").ok());
  EXPECT_FALSE(PercentDecode("%zz").ok());
  EXPECT_FALSE(HexDecode("0").ok());
}

TEST(EncodingTest, ZlibRoundTripsAndRefusesTruncationTrailingBytesAndBombs) {
  const std::string data(100000, 'x');
  auto packed = ZlibCompress(data, 6);
  ASSERT_TRUE(packed.ok());
  EXPECT_LT(packed->size(), 1000u);
  EXPECT_EQ(*ZlibDecompress(*packed, 1 << 20), data);
  EXPECT_EQ(ZlibDecompress(packed->substr(0, packed->size() - 1), 1 << 20).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ZlibDecompress(*packed + "x", 1 << 20).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ZlibDecompress(*packed, 1000).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace mqtt2s3::format
