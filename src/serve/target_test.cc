#include "serve/target.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace mqtt2s3::serve {
namespace {

TEST(TargetTest, ParsesPlantDeviceAndFieldAndFormatsTheSameText) {
  auto t = ParseTarget("plant/1/device/WELDING-STATION-12/Voltage");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->plant, "1");
  EXPECT_EQ(t->device, "WELDING-STATION-12");
  EXPECT_EQ(t->field, "Voltage");
  EXPECT_FALSE(t->all_devices());
  EXPECT_EQ(FormatTarget(*t), "plant/1/device/WELDING-STATION-12/Voltage");
}

TEST(TargetTest, StarDeviceMeansEveryDevice) {
  auto t = ParseTarget("plant/2/device/*/MainPowerSwitch");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->all_devices());
}

TEST(TargetTest, MalformedTargetsAreRefusedWithTheTextAndTheSyntax) {
  for (const char* text :
       {"", "plant/1", "plant/1/device/X", "plant/1/device/X/Voltage/extra",
        "plants/1/device/X/Voltage", "plant/1/dev/X/Voltage", "plant//device/X/Voltage",
        "plant/1/device//Voltage", "plant/*/device/X/Voltage", "plant/1/device/X/voltage",
        "plant/1/device/X/Temperature", "plant/1/device/a+b/Voltage"}) {
    auto t = ParseTarget(text);
    EXPECT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(t.status().message().find(std::string("'") + text + "'"), std::string::npos)
        << t.status().message();
  }
}

TEST(TargetTest, PartsAreValidatedLikeTheText) {
  EXPECT_TRUE(TargetFromParts("1", "D", "Current").ok());
  EXPECT_FALSE(TargetFromParts("", "D", "Current").ok());
  EXPECT_FALSE(TargetFromParts("1", "a/b", "Current").ok());
  EXPECT_FALSE(TargetFromParts("1", "D", "").ok());
  EXPECT_NE(TargetFromParts("1", "D", "Watts").status().message().find("Voltage"),
            std::string::npos);
}

TEST(TargetTest, AFieldMayBeAJsonPointerAndRoundTrips) {
  auto t = ParseTarget("plant/1/device/S-7//sensors/0/t");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->device, "S-7");
  EXPECT_EQ(t->field, "/sensors/0/t");
  EXPECT_EQ(FormatTarget(*t), "plant/1/device/S-7//sensors/0/t");
  EXPECT_EQ(FieldPointer("/a~1b/~0", WeldFields()), "/a~1b/~0");
  EXPECT_EQ(FieldPointer("Current", WeldFields()), "/weldspot/Current");
  EXPECT_EQ(FieldPointer("Watts", WeldFields()), std::nullopt);
  for (const char* text :
       {"plant/1/device/X//bad~2", "plant/1/device/X//a~", "plant/1/device/X/a/b"}) {
    auto bad = ParseTarget(text);
    EXPECT_FALSE(bad.ok()) << text;
    EXPECT_NE(bad.status().message().find(std::string("'") + text + "'"), std::string::npos)
        << bad.status().message();
  }
}

TEST(TargetTest, NamedFieldsComeFromTheCaller) {
  const std::vector<NamedField> fields = {{"temp", "/sensors/0/t"}, {"Voltage", "/v"}};
  EXPECT_TRUE(ParseTarget("plant/1/device/X/temp", fields).ok());
  EXPECT_FALSE(ParseTarget("plant/1/device/X/Current", fields).ok());
  EXPECT_NE(TargetFromParts("1", "D", "Watts", fields).status().message().find("temp, Voltage"),
            std::string::npos);
  EXPECT_EQ(FieldPointer("Voltage", fields), "/v");
  EXPECT_TRUE(ValidateNamedFields(fields).ok());
  EXPECT_TRUE(ValidateNamedFields(WeldFields()).ok());
  EXPECT_FALSE(ValidateNamedFields({{"a/b", "/x"}}).ok());
  EXPECT_FALSE(ValidateNamedFields({{"a", "x"}}).ok());
  EXPECT_TRUE(ValidateNamedFields({{"whole", ""}}).ok());  // a payload that is one number
  EXPECT_EQ(FieldPointer("whole", {{"whole", ""}}), "");
  EXPECT_FALSE(ValidateNamedFields({{"a", "/x"}, {"a", "/y"}}).ok());
}

TEST(TargetTest, NaturalOrderComparesNumbersByValue) {
  std::vector<std::string> names = {"WS-10", "WS-2", "WS-1", "WS-02", "WS-", "WS-1a", "*", "VS-9"};
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return NaturalLess(a, b); });
  EXPECT_EQ(names, (std::vector<std::string>{"*", "VS-9", "WS-", "WS-1", "WS-1a", "WS-02", "WS-2",
                                             "WS-10"}));
  EXPECT_FALSE(NaturalLess("a", "a"));
  EXPECT_TRUE(NaturalLess("a7", "a07") != NaturalLess("a07", "a7"));
}

}  // namespace
}  // namespace mqtt2s3::serve
