#include "converter/object_metadata.h"

#include <gtest/gtest.h>

#include "converter/converter_options.h"

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

namespace mqtt2s3::converter {
namespace {

TEST(MetadataBudgetTest, TheWriterKeepsItsFloorFromTheSmallestAcceptedBudget) {
  EXPECT_EQ(kMinMetadataBudget, 1280u);
  EXPECT_EQ(WriterMetadataBudget(kMinMetadataBudget), kMinWriterMetadataBytes);
  EXPECT_EQ(WriterMetadataBudget(2048), 2048u - 256u);
  EXPECT_TRUE(CheckMetadataBudget(kMinMetadataBudget).ok());
  const Status low = CheckMetadataBudget(1279);
  EXPECT_FALSE(low.ok());
  EXPECT_NE(low.message().find("format.metadata_budget: at least 1280"), std::string::npos)
      << low.message();
  // Any budget the check accepts leaves the object writer at least its floor.
  for (size_t b = kMinMetadataBudget; b < 8192; b += 97) {
    EXPECT_GE(WriterMetadataBudget(b), kMinWriterMetadataBytes) << b;
  }
}

}  // namespace
}  // namespace mqtt2s3::converter
