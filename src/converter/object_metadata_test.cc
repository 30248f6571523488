#include "converter/object_metadata.h"

#include <gtest/gtest.h>

namespace mqtt2s3::converter {
namespace {

TEST(ObjectMetadataTest, PrintableAsciiIsKept) {
  EXPECT_EQ(EncodeMetadataValue("COMPANY-X/JSON/0/1/WS-12/WELD/1"),
            "COMPANY-X/JSON/0/1/WS-12/WELD/1");
}

TEST(ObjectMetadataTest, HostileBytesAreEscapedAndRoundTrip) {
  const std::string hostile[] = {"a%b", "line\nbreak", "nul\0x", "caf\xC3\xA9 \xE2\x9C\x93",
                                 " lead", "trail ", "\xFF\xFE", ""};
  for (const std::string& v : hostile) {
    std::string enc = EncodeMetadataValue(v);
    for (unsigned char c : enc) {
      EXPECT_TRUE(c >= 0x20 && c <= 0x7E) << "byte " << int(c) << " in " << enc;
    }
    if (!enc.empty()) {
      EXPECT_NE(enc.front(), ' ') << "header parsing would trim it";
      EXPECT_NE(enc.back(), ' ') << "header parsing would trim it";
    }
    EXPECT_EQ(DecodeMetadataValue(enc), v) << enc;
  }
  EXPECT_EQ(EncodeMetadataValue("a%b"), "a%25b");
}

TEST(ObjectMetadataTest, TruncationNeverSplitsAnEscape) {
  std::string v(100, '\n');
  std::string enc = EncodeMetadataValue(v, 10);
  EXPECT_EQ(enc, "%0A%0A%0A");
  EXPECT_EQ(EncodeMetadataValue(std::string(50, 'x'), 8), "xxxxxxxx");
}

TEST(ObjectMetadataTest, DecodeLeavesMalformedEscapesAlone) {
  EXPECT_EQ(DecodeMetadataValue("100%"), "100%");
  EXPECT_EQ(DecodeMetadataValue("%zz"), "%zz");
}

}  // namespace
}  // namespace mqtt2s3::converter
