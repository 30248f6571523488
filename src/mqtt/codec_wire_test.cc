// UTF-8 and topic syntax rules (MQTT 5.0 sections 1.5.4, 4.7 and 4.8.2), through the public
// helpers in codec.h that the session also uses.
#include "mqtt/codec_wire.h"

#include <gtest/gtest.h>

#include <string>

#include "mqtt/codec.h"

namespace mqtt2s3::mqtt {
namespace {

TEST(MqttUtf8Test, WellFormedTextOfEveryLengthIsAccepted) {
  EXPECT_TRUE(IsValidMqttUtf8(""));
  EXPECT_TRUE(IsValidMqttUtf8("plain ascii"));
  EXPECT_TRUE(IsValidMqttUtf8("\xC3\xBC"));          // U+00FC
  EXPECT_TRUE(IsValidMqttUtf8("\xE2\x82\xAC"));      // U+20AC
  EXPECT_TRUE(IsValidMqttUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidMqttUtf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(IsValidMqttUtf8("\xF0\x9D\x84\x9E"));  // U+1D11E
  EXPECT_TRUE(IsValidMqttUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(MqttUtf8Test, IllFormedTextIsRejectedAtTheFirstBadSequence) {
  struct Case {
    std::string text;
    size_t bad;
  };
  const Case cases[] = {
      {std::string("a\0b", 3), 1},  // U+0000
      {"ab\x80", 2},                // lone continuation byte
      {"\xC0\x80", 0},              // overlong NUL
      {"\xC1\xBF", 0},              // overlong
      {"\xE0\x9F\xBF", 0},          // overlong 3-byte
      {"x\xED\xA0\x80", 1},         // U+D800 surrogate
      {"\xED\xBF\xBF", 0},          // U+DFFF surrogate
      {"\xF0\x8F\xBF\xBF", 0},      // overlong 4-byte
      {"\xF4\x90\x80\x80", 0},      // U+110000
      {"\xF5\x80\x80\x80", 0},      // invalid lead byte
      {"\xFF", 0},
      {"ok\xE2\x82", 2},    // truncated at the end
      {"\xE2\x28\xA1", 0},  // bad continuation
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_FALSE(IsValidMqttUtf8(c.text));
    EXPECT_EQ(wire::FindInvalidUtf8(c.text), c.bad);
  }
}

TEST(TopicSyntaxTest, TopicNamesHaveNoWildcards) {
  EXPECT_TRUE(IsValidTopicName("a/b/c"));
  EXPECT_TRUE(IsValidTopicName("/leading/and/trailing/"));
  EXPECT_TRUE(IsValidTopicName("$SYS/broker/load"));
  EXPECT_TRUE(IsValidTopicName("t\xC3\xABst/\xE2\x82\xAC"));
  EXPECT_FALSE(IsValidTopicName(""));
  EXPECT_TRUE(IsValidTopicName("", /*allow_empty=*/true));
  EXPECT_FALSE(IsValidTopicName("a/+/c"));
  EXPECT_FALSE(IsValidTopicName("a/#"));
  EXPECT_FALSE(IsValidTopicName(std::string(65536, 'a')));
}

TEST(TopicSyntaxTest, TopicFiltersPlaceWildcardsOnWholeLevels) {
  for (const char* ok : {"#", "+", "a/+/c", "a/#", "+/+", "/+", "a//b", "$share/g/a/#",
                         "$share/group/+", "$SYS/#", "sport/tennis/player1/#"}) {
    EXPECT_TRUE(IsValidTopicFilter(ok)) << ok;
  }
  for (const char* bad : {"", "a#", "a/#/b", "a+", "a/b+/c", "#/a", "$share/g", "$share//a",
                          "$share/g+/a", "$share/g/", "a/\xFF"}) {
    EXPECT_FALSE(IsValidTopicFilter(bad)) << bad;
  }
}

TEST(ReasonCodeTablesTest, EachPacketAcceptsOnlyItsOwnCodes) {
  const auto k5 = ProtocolVersion::kV5;
  const auto k311 = ProtocolVersion::kV311;
  EXPECT_TRUE(IsReasonCodeAllowed(PacketType::kPubAck, k5, 0x10));
  EXPECT_FALSE(IsReasonCodeAllowed(PacketType::kPubRel, k5, 0x10));
  EXPECT_TRUE(IsReasonCodeAllowed(PacketType::kPubComp, k5, 0x92));
  EXPECT_TRUE(IsReasonCodeAllowed(PacketType::kSubAck, k5, 0xA2));
  EXPECT_FALSE(IsReasonCodeAllowed(PacketType::kSubAck, k311, 0x87));
  EXPECT_TRUE(IsReasonCodeAllowed(PacketType::kConnAck, k311, 5));
  EXPECT_FALSE(IsReasonCodeAllowed(PacketType::kConnAck, k311, 6));
  EXPECT_FALSE(IsReasonCodeAllowed(PacketType::kConnAck, k5, 0x8B));
  EXPECT_TRUE(IsReasonCodeAllowed(PacketType::kDisconnect, k5, 0x8B));
  EXPECT_FALSE(IsReasonCodeAllowed(PacketType::kDisconnect, k311, 0x8B));
  EXPECT_TRUE(IsReasonCodeAllowed(PacketType::kAuth, k5, 0x19));
}

}  // namespace
}  // namespace mqtt2s3::mqtt
