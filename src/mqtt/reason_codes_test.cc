#include "mqtt/reason_codes.h"

#include <gtest/gtest.h>

#include "mqtt/packet.h"

namespace mqtt2s3::mqtt {
namespace {

TEST(ReasonCodeTest, NamesAreTheSpecNames) {
  EXPECT_EQ(ReasonCodeName(0x87), "Not authorized");
  EXPECT_EQ(ReasonCodeName(ReasonCode::kPacketTooLarge), "Packet too large");
  EXPECT_EQ(ReasonCodeName(0x00), "Success");
  EXPECT_EQ(ReasonCodeName(0x10), "No matching subscribers");
  EXPECT_EQ(ReasonCodeName(0xA2), "Wildcard Subscriptions not supported");
  EXPECT_EQ(ReasonCodeName(0x05), "Unknown reason code");
}

TEST(ReasonCodeTest, ErrorsAreTheCodesFrom0x80) {
  EXPECT_FALSE(IsErrorReasonCode(0x00));
  EXPECT_FALSE(IsErrorReasonCode(0x19));
  EXPECT_TRUE(IsErrorReasonCode(0x80));
  EXPECT_TRUE(IsErrorReasonCode(0xA2));
}

TEST(ReasonCodeTest, ExactlyTheSpecCodesAreKnown) {
  int known = 0;
  for (int c = 0; c < 256; ++c) known += IsKnownReasonCode(static_cast<uint8_t>(c)) ? 1 : 0;
  EXPECT_EQ(known, 43);
}

TEST(ReasonCodeTest, Mqtt311ConnackReturnCodesHaveNames) {
  EXPECT_EQ(ConnectReturnCodeName(0), "Connection Accepted");
  EXPECT_EQ(ConnectReturnCodeName(5), "Connection Refused, not authorized");
  EXPECT_EQ(ConnectReturnCodeName(6), "Reserved return code");
}

TEST(PacketTypeTest, NamesCoverEveryType) {
  EXPECT_EQ(PacketTypeName(PacketType::kConnect), "CONNECT");
  EXPECT_EQ(PacketTypeName(PacketType::kAuth), "AUTH");
  EXPECT_EQ(PacketTypeName(static_cast<PacketType>(0)), "RESERVED");
}

}  // namespace
}  // namespace mqtt2s3::mqtt
