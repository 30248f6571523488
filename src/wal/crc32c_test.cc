#include "wal/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace mqtt2s3::wal::crc32c {
namespace {

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
}

TEST(Crc32cTest, MatchesRfc3720TestVectors) {
  // iSCSI (RFC 3720 B.4) vectors.
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Value(ascending), 0x46DD794Eu);
  EXPECT_EQ(Value(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, ExtendEqualsValueOfTheConcatenation) {
  const std::string data = "hello world, a longer string that crosses several 8-byte words";
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t head = Value(data.data(), split);
    EXPECT_EQ(Extend(head, data.data() + split, data.size() - split), Value(data)) << split;
  }
}

TEST(Crc32cTest, EmptyInputIsZero) { EXPECT_EQ(Value("", 0), 0u); }

TEST(Crc32cTest, DifferentInputsGiveDifferentValues) {
  EXPECT_NE(Value("a"), Value("foo"));
  EXPECT_NE(Value("foo"), Value("bar"));
}

TEST(Crc32cTest, MaskChangesTheValueAndUnmaskRestoresIt) {
  const uint32_t crc = Value("foo");
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

TEST(Crc32cTest, TheHardwareAndTablePathsAgreeOnEveryLengthAndAlignment) {
  std::string data(300, '\0');
  uint32_t x = 12345;
  for (char& c : data) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n = 0; n + offset <= data.size(); n += 7) {
      ASSERT_EQ(Extend(0x1234567u, data.data() + offset, n),
                ExtendPortableForTest(0x1234567u, data.data() + offset, n))
          << "offset " << offset << " length " << n;
    }
  }
}

}  // namespace
}  // namespace mqtt2s3::wal::crc32c
