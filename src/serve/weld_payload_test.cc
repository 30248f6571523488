#include "serve/weld_payload.h"

#include <gtest/gtest.h>

#include "zlib_compress.h"

namespace mqtt2s3::serve {
namespace {

using testing::ZlibCompress;

constexpr std::string_view kWeld =
    R"({"weldspot": {"Timestamp": "20181001 171035", "Voltage": "230", "Current": "10.5",)"
    R"( "MainPowerSwitch": "0", "MainPowerSwitch_str": "OFF"}, "seq": 7})";

TEST(WeldPayloadTest, ReadsStringValuesAsNumbers) {
  WeldPayloadParser p;
  EXPECT_EQ(*p.Field(kWeld, "Voltage"), 230.0);
  EXPECT_EQ(*p.Field(kWeld, "Current"), 10.5);
  EXPECT_EQ(*p.Field(kWeld, "MainPowerSwitch"), 0.0);
}

TEST(WeldPayloadTest, AcceptsJsonNumbers) {
  WeldPayloadParser p;
  EXPECT_EQ(*p.Field(R"({"weldspot": {"Voltage": 231.25}})", "Voltage"), 231.25);
}

TEST(WeldPayloadTest, InflatesZlibPayloadsPublishedCompressed) {
  WeldPayloadParser p;
  auto v = p.Field(ZlibCompress(kWeld), "Voltage");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 230.0);
}

TEST(WeldPayloadTest, MissingOrNonNumericFieldsAreErrorsNamingTheField) {
  WeldPayloadParser p;
  for (std::string_view payload :
       {std::string_view(R"({"weldspot": {}})"), std::string_view(R"({"other": 1})"),
        std::string_view(R"({"weldspot": {"Voltage": "high"}})"),
        std::string_view(R"({"weldspot": {"Voltage": "230V"}})"),
        std::string_view(R"({"weldspot": {"Voltage": null}})"),
        std::string_view(R"({"weldspot": {"Voltage": "nan"}})"), std::string_view("not json"),
        std::string_view("x\x9c garbage")}) {
    auto v = p.Field(payload, "Voltage");
    ASSERT_FALSE(v.ok()) << payload;
    EXPECT_NE(v.status().message().find("weldspot.Voltage"), std::string::npos)
        << v.status().message();
  }
}

TEST(WeldPayloadTest, AnyJsonPointerReadsANumberOutOfAnyPayload) {
  WeldPayloadParser p;
  constexpr std::string_view kSensor =
      R"({"sensors": [{"t": 21.5}, {"t": "22"}], "on": true, "a/b": {"~": "-3e2"}, "s": "x"})";
  EXPECT_EQ(*p.Number(kSensor, "/sensors/0/t"), 21.5);
  EXPECT_EQ(*p.Number(kSensor, "/sensors/1/t"), 22.0);
  EXPECT_EQ(*p.Number(kSensor, "/on"), 1.0);
  EXPECT_EQ(*p.Number(kSensor, "/a~1b/~0"), -300.0);
  EXPECT_EQ(*p.Number(ZlibCompress(kSensor), "/sensors/0/t"), 21.5);
  EXPECT_EQ(*p.Number(kWeld, "/weldspot/Voltage"), 230.0);
  EXPECT_EQ(*p.Number(kWeld, "/seq"), 7.0);
  EXPECT_EQ(*p.Number("23.5", ""), 23.5);  // "": the whole payload
  for (std::string_view pointer : {"/sensors/2/t", "/s", "/sensors", "/nope", "/sensors/x"}) {
    auto v = p.Number(kSensor, pointer);
    ASSERT_FALSE(v.ok()) << pointer;
    EXPECT_NE(v.status().message().find(pointer), std::string::npos) << v.status().message();
  }
}

TEST(WeldPayloadTest, InflatesGzipPayloadsToo) {
  // gzip of {"weldspot":{"Voltage":"7"}} (Python: gzip.compress(..., mtime=0)).
  const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
                              0xab, 0x56, 0x2a, 0x4f, 0xcd, 0x49, 0x29, 0x2e, 0xc8, 0x2f,
                              0x51, 0xb2, 0xaa, 0x56, 0x0a, 0xcb, 0xcf, 0x29, 0x49, 0x4c,
                              0x4f, 0x55, 0xb2, 0x52, 0x32, 0x57, 0xaa, 0xad, 0x05, 0x00,
                              0x2b, 0x1d, 0xbd, 0xc7, 0x1c, 0x00, 0x00, 0x00};
  WeldPayloadParser p;
  auto v = p.Field(std::string_view(reinterpret_cast<const char*>(gz), sizeof(gz)), "Voltage");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 7.0);
}

TEST(WeldPayloadTest, ZlibBombsAreRefused) {
  std::string big(WeldPayloadParser::kMaxInflatedBytes + 10, ' ');
  std::string weld = R"({"weldspot":{"Voltage":"7"},"pad":")" + big + R"("})";
  WeldPayloadParser p;
  auto out = p.Field(ZlibCompress(weld), "Voltage");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("weldspot.Voltage: compressed payload inflates to more "
                                        "than 1048576 bytes"),
            std::string::npos)
      << out.status().ToString();
  // The parser is still usable after refusing one.
  auto fine = p.Field(ZlibCompress(R"({"weldspot":{"Voltage":"8"}})"), "Voltage");
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(*fine, 8.0);
}

}  // namespace
}  // namespace mqtt2s3::serve
