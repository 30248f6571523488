#include "parquet/encoding.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace mqtt2s3::parquet {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

template <typename T>
std::string Rle(std::vector<T> v, int bit_width) {
  std::string out;
  AppendRleHybrid(std::span<const T>(v), bit_width, &out);
  return out;
}

// Test-only decoder of the hybrid, straight from Encodings.md.
std::vector<uint32_t> DecodeRle(std::string_view in, int bit_width, size_t count) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = static_cast<uint8_t>(in.at(pos++));
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (out.size() < count) {
    const uint64_t header = varint();
    if (header & 1) {
      const size_t n = (header >> 1) * 8;
      uint64_t acc = 0;
      int bits = 0;
      for (size_t i = 0; i < n; ++i) {
        while (bits < bit_width) {
          acc |= uint64_t{static_cast<uint8_t>(in.at(pos++))} << bits;
          bits += 8;
        }
        out.push_back(static_cast<uint32_t>(acc & ((uint64_t{1} << bit_width) - 1)));
        acc >>= bit_width;
        bits -= bit_width;
      }
    } else {
      uint32_t v = 0;
      for (int i = 0; i < (bit_width + 7) / 8; ++i) {
        v |= uint32_t{static_cast<uint8_t>(in.at(pos++))} << (8 * i);
      }
      out.insert(out.end(), header >> 1, v);
    }
  }
  EXPECT_EQ(pos, in.size());
  out.resize(count);
  return out;
}

TEST(EncodingTest, BitWidthCoversTheLargestValue) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(7), 3);
  EXPECT_EQ(BitWidth(8), 4);
  EXPECT_EQ(BitWidth(0xffffffff), 32);
}

TEST(EncodingTest, SpecExampleBitPacksZeroToSeven) {
  // Encodings.md: 0..7 at bit width 3 pack to 10001000 11000110 11111010.
  EXPECT_EQ(Rle<uint32_t>({0, 1, 2, 3, 4, 5, 6, 7}, 3), Bytes({0x03, 0x88, 0xc6, 0xfa}));
}

TEST(EncodingTest, EightOrMoreEqualValuesBecomeOneRleRun) {
  EXPECT_EQ(Rle<uint8_t>(std::vector<uint8_t>(10, 1), 1), Bytes({0x14, 0x01}));
  EXPECT_EQ(Rle<uint32_t>(std::vector<uint32_t>(8, 0xffffffff), 32),
            Bytes({0x10, 0xff, 0xff, 0xff, 0xff}));
}

TEST(EncodingTest, ShortTailIsOneZeroPaddedGroup) {
  EXPECT_EQ(Rle<uint8_t>({1, 0, 1}, 1), Bytes({0x03, 0x05}));
  EXPECT_EQ(Rle<uint32_t>({2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 1, 2}, 2),
            Bytes({0x14, 0x02, 0x03, 0x24, 0x00}));
}

TEST(EncodingTest, RunLendsValuesToCompleteTheLiteralGroup) {
  std::vector<uint32_t> v = {1, 0, 1};
  v.insert(v.end(), 14, 2);
  EXPECT_EQ(Rle(v, 2), Bytes({0x03, 0x91, 0xaa, 0x12, 0x02}));
  // A run too short to both complete the group and stay 8 long stays literal.
  std::vector<uint32_t> w = {1, 0, 1};
  w.insert(w.end(), 10, 2);
  EXPECT_EQ(Rle(w, 2).size(), 1u + 4u);
}

TEST(EncodingTest, RandomSequencesDecodeBack) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 500; ++iter) {
    const int bw = 1 + static_cast<int>(rng() % 20);
    const size_t n = rng() % 300;
    std::vector<uint32_t> v;
    while (v.size() < n) {
      const uint32_t x = rng() & ((1u << bw) - 1);
      v.insert(v.end(), 1 + (rng() % 4 == 0 ? rng() % 30 : 0), x);
    }
    v.resize(n);
    EXPECT_EQ(DecodeRle(Rle(v, bw), bw, n), v) << "bw " << bw << " n " << n;
  }
}

TEST(EncodingTest, PlainValuesAreLittleEndian) {
  std::string out;
  AppendPlainInt64(&out, -2);
  AppendPlainDouble(&out, 1.0);
  AppendPlainByteArray(&out, "ab");
  AppendPlainBooleans(&out, std::vector<uint8_t>{1, 0, 1, 1, 0, 0, 0, 0, 1});
  EXPECT_EQ(out, Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xf0,
                        0x3f, 2, 0, 0, 0, 'a', 'b', 0x0d, 0x01}));
}

}  // namespace
}  // namespace mqtt2s3::parquet
