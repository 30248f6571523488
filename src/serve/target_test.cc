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
