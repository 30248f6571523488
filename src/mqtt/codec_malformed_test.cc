// A table of malformed packets, each with the exact error it must produce: which packet, which
// field, what is wrong and at which byte offset.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/codec_test_util.h"

namespace mqtt2s3::mqtt {
namespace {

using testing::Bytes;

constexpr ProtocolVersion k311 = ProtocolVersion::kV311;
constexpr ProtocolVersion k5 = ProtocolVersion::kV5;

struct MalformedCase {
  std::string name;
  ProtocolVersion version;
  std::vector<uint8_t> bytes;
  std::string message;
  StatusCode code = StatusCode::kInvalidArgument;
  DecodeLimits limits = {};
};

DecodeLimits PropertiesLimit(uint32_t n) {
  DecodeLimits l;
  l.max_properties_length = n;
  return l;
}

DecodeLimits TopicLimit(uint16_t n) {
  DecodeLimits l;
  l.max_topic_length = n;
  return l;
}

std::vector<MalformedCase> Cases() {
  const auto kTooBig = StatusCode::kResourceExhausted;
  return {
      // PUBLISH: topic name
      {"topic_bad_utf8", k311, Bytes({0x30, 8, 0, 3, 'a', 0xC3, 0x28, 'p', 'q', 'r'}),
       "PUBLISH: topic name: invalid UTF-8 at offset 5"},
      {"topic_nul", k311, Bytes({0x30, 5, 0, 3, 'a', 0, 'b'}),
       "PUBLISH: topic name: U+0000 in UTF-8 string at offset 5"},
      {"topic_surrogate", k311, Bytes({0x30, 5, 0, 3, 0xED, 0xA0, 0x80}),
       "PUBLISH: topic name: invalid UTF-8 at offset 4"},
      {"topic_overlong", k311, Bytes({0x30, 4, 0, 2, 0xC0, 0xAF}),
       "PUBLISH: topic name: invalid UTF-8 at offset 4"},
      {"topic_above_10ffff", k311, Bytes({0x30, 6, 0, 4, 0xF4, 0x90, 0x80, 0x80}),
       "PUBLISH: topic name: invalid UTF-8 at offset 4"},
      {"topic_truncated_sequence", k311, Bytes({0x30, 4, 0, 2, 'a', 0xE2}),
       "PUBLISH: topic name: invalid UTF-8 at offset 5"},
      {"topic_wildcard", k311, Bytes({0x30, 5, 0, 3, 'a', '/', '#'}),
       "PUBLISH: topic name: wildcard in topic name at offset 6"},
      {"topic_plus", k5, Bytes({0x30, 4, 0, 1, '+', 0}),
       "PUBLISH: topic name: wildcard in topic name at offset 4"},
      {"topic_overruns", k311, Bytes({0x30, 3, 0, 9, 'a'}),
       "PUBLISH: topic name: truncated (needs 9 bytes, 1 left) at offset 4"},
      {"topic_empty_311", k311, Bytes({0x30, 2, 0, 0}),
       "PUBLISH: topic name: empty topic name at offset 2"},
      {"topic_empty_without_alias", k5, Bytes({0x30, 3, 0, 0, 0}),
       "PUBLISH: topic name: empty topic name without a Topic Alias at offset 2"},
      {"topic_over_limit", k311, Bytes({0x30, 5, 0, 3, 'a', 'b', 'c'}),
       "PUBLISH: topic name: 3 bytes exceeds the limit of 2 at offset 2", kTooBig, TopicLimit(2)},
      // PUBLISH: packet identifier
      {"qos1_packet_id_zero", k311, Bytes({0x32, 5, 0, 1, 'a', 0, 0}),
       "PUBLISH: packet identifier: must not be 0 at offset 5"},
      {"qos2_packet_id_truncated", k311, Bytes({0x34, 4, 0, 1, 'a', 0}),
       "PUBLISH: packet identifier: truncated (needs 2 bytes, 1 left) at offset 5"},
      // PUBLISH: properties
      {"property_length_overruns", k5, Bytes({0x30, 6, 0, 1, 'a', 10, 0x23, 0}),
       "PUBLISH: property length: 10 bytes overruns the packet (2 left) at offset 5"},
      {"property_length_missing", k5, Bytes({0x30, 3, 0, 1, 'a'}),
       "PUBLISH: property length: truncated variable byte integer at offset 5"},
      {"property_length_over_limit", k5, Bytes({0x30, 10, 0, 1, 'a', 6, 0x23, 0, 1, 0x02, 0, 0}),
       "PUBLISH: property length: 6 bytes exceeds the limit of 4 at offset 5", kTooBig,
       PropertiesLimit(4)},
      {"duplicate_topic_alias", k5, Bytes({0x30, 10, 0, 1, 'a', 6, 0x23, 0, 1, 0x23, 0, 2}),
       "PUBLISH: properties: duplicate Topic Alias at offset 9"},
      {"property_not_allowed", k5, Bytes({0x30, 9, 0, 1, 'a', 5, 0x11, 0, 0, 0, 1}),
       "PUBLISH: properties: Session Expiry Interval not allowed in PUBLISH at offset 6"},
      {"property_unknown", k5, Bytes({0x30, 6, 0, 1, 'a', 2, 0x05, 0}),
       "PUBLISH: properties: unknown property identifier 5 at offset 6"},
      {"property_value_overruns_block", k5, Bytes({0x30, 7, 0, 1, 'a', 3, 0x02, 0, 0}),
       "PUBLISH: properties: Message Expiry Interval overruns the property block at offset 6"},
      {"topic_alias_zero", k5, Bytes({0x30, 7, 0, 1, 'a', 3, 0x23, 0, 0}),
       "PUBLISH: properties: Topic Alias must not be 0, got 0 at offset 6"},
      {"payload_format_two", k5, Bytes({0x30, 6, 0, 1, 'a', 2, 0x01, 2}),
       "PUBLISH: properties: Payload Format Indicator must be 0 or 1, got 2 at offset 6"},
      {"user_property_bad_utf8", k5, Bytes({0x30, 11, 0, 1, 'a', 7, 0x26, 0, 1, 'k', 0, 1, 0xFF}),
       "PUBLISH: properties: User Property: invalid UTF-8 at offset 12"},
      {"subscription_id_five_bytes", k5,
       Bytes({0x30, 10, 0, 1, 'a', 6, 0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}),
       "PUBLISH: properties: Subscription Identifier: malformed variable byte integer at offset "
       "7"},
      {"response_topic_wildcard", k5, Bytes({0x30, 8, 0, 1, 'a', 4, 0x08, 0, 1, '#'}),
       "PUBLISH: properties: Response Topic: wildcard in topic name at offset 9"},
      // Acks
      {"puback_trailing_311", k311, Bytes({0x40, 3, 0, 1, 0}),
       "PUBACK: end of packet: 1 unexpected trailing bytes at offset 4"},
      {"puback_id_zero", k311, Bytes({0x40, 2, 0, 0}),
       "PUBACK: packet identifier: must not be 0 at offset 2"},
      {"puback_truncated", k5, Bytes({0x40, 1, 0}),
       "PUBACK: packet identifier: truncated (needs 2 bytes, 1 left) at offset 2"},
      {"pubrel_bad_reason", k5, Bytes({0x62, 3, 0, 1, 0x10}),
       "PUBREL: reason code: 0x10 is not valid in PUBREL at offset 4"},
      {"pubrec_property_not_allowed", k5, Bytes({0x50, 7, 0, 1, 0, 3, 0x23, 0, 1}),
       "PUBREC: properties: Topic Alias not allowed in PUBREC at offset 6"},
      // CONNACK
      {"connack_reserved_flags", k311, Bytes({0x20, 2, 0x02, 0}),
       "CONNACK: acknowledge flags: reserved bits set at offset 2"},
      {"connack_return_code_6", k311, Bytes({0x20, 2, 0, 6}),
       "CONNACK: reason code: 0x06 is not valid in CONNACK at offset 3"},
      {"connack_session_present_refused", k311, Bytes({0x20, 2, 1, 5}),
       "CONNACK: acknowledge flags: session present with a refusal at offset 2"},
      {"connack_v5_no_properties", k5, Bytes({0x20, 2, 0, 0}),
       "CONNACK: property length: truncated variable byte integer at offset 4"},
      {"connack_duplicate_receive_maximum", k5, Bytes({0x20, 9, 0, 0, 6, 0x21, 0, 10, 0x21, 0, 20}),
       "CONNACK: properties: duplicate Receive Maximum at offset 8"},
      {"connack_receive_maximum_zero", k5, Bytes({0x20, 6, 0, 0, 3, 0x21, 0, 0}),
       "CONNACK: properties: Receive Maximum must not be 0, got 0 at offset 5"},
      // CONNECT
      {"connect_protocol_name", k311,
       Bytes({0x10, 12, 0, 4, 'M', 'Q', 'T', 'X', 4, 2, 0, 60, 0, 0}),
       "CONNECT: protocol name: expected \"MQTT\" at offset 2"},
      {"connect_level_3", k311, Bytes({0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 3, 2, 0, 60, 0, 0}),
       "CONNECT: protocol level: unsupported level 3 at offset 8"},
      {"connect_reserved_flag", k311,
       Bytes({0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, 3, 0, 60, 0, 0}),
       "CONNECT: connect flags: reserved bit set at offset 9"},
      {"connect_will_qos_3", k311,
       Bytes({0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x1E, 0, 60, 0, 0}),
       "CONNECT: connect flags: will QoS 3 is invalid at offset 9"},
      {"connect_will_retain_without_will", k311,
       Bytes({0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x22, 0, 60, 0, 0}),
       "CONNECT: connect flags: will QoS/retain set without a will at offset 9"},
      {"connect_password_without_user_311", k311,
       Bytes({0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x42, 0, 60, 0, 0}),
       "CONNECT: connect flags: password without user name at offset 9"},
      {"connect_missing_password", k311,
       Bytes({0x10, 15, 0, 4, 'M', 'Q', 'T', 'T', 4, 0xC2, 0, 60, 0, 0, 0, 1, 'u'}),
       "CONNECT: password: truncated (needs 2 bytes, 0 left) at offset 17"},
      {"connect_will_props_not_allowed", k5,
       Bytes({0x10, 22, 0, 4, 'M',  'Q', 'T', 'T', 5, 0x06, 0, 60,
              0,    0,  0, 3, 0x23, 0,   1,   0,   1, 'w',  0, 0}),
       "CONNECT Will: properties: Topic Alias not allowed in CONNECT Will at offset 16"},
      // SUBSCRIBE / SUBACK / UNSUBSCRIBE / UNSUBACK
      {"subscribe_no_filters", k311, Bytes({0x82, 2, 0, 1}),
       "SUBSCRIBE: topic filters: at least one is required at offset 4"},
      {"subscribe_hash_not_last", k311, Bytes({0x82, 10, 0, 1, 0, 5, 'a', '/', '#', '/', 'b', 1}),
       "SUBSCRIBE: topic filter: '#' must be the last level at offset 8"},
      {"subscribe_plus_inside_level", k311, Bytes({0x82, 7, 0, 1, 0, 2, 'a', '+', 1}),
       "SUBSCRIBE: topic filter: wildcard must occupy a whole level at offset 7"},
      {"subscribe_options_reserved_311", k311, Bytes({0x82, 6, 0, 1, 0, 1, 'a', 0x04}),
       "SUBSCRIBE: subscription options: reserved bits set at offset 7"},
      {"subscribe_retain_handling_3", k5, Bytes({0x82, 7, 0, 1, 0, 0, 1, 'a', 0x30}),
       "SUBSCRIBE: subscription options: retain handling 3 is invalid at offset 8"},
      {"subscribe_qos_3", k5, Bytes({0x82, 7, 0, 1, 0, 0, 1, 'a', 0x03}),
       "SUBSCRIBE: subscription options: QoS 3 is invalid at offset 8"},
      {"subscribe_shared_no_local", k5,
       Bytes({0x82, 16, 0, 1, 0, 0, 10, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 'a', 0x05}),
       "SUBSCRIBE: subscription options: No Local on a shared subscription at offset 17"},
      {"subscribe_shared_empty_filter", k5,
       Bytes({0x82, 15, 0, 1, 0, 0, 9, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 0x05}),
       "SUBSCRIBE: topic filter: shared subscription needs $share/{group}/{filter} at offset 7"},
      {"subscribe_duplicate_subscription_id", k5,
       Bytes({0x82, 11, 0, 1, 4, 0x0B, 1, 0x0B, 2, 0, 1, 'a', 0}),
       "SUBSCRIBE: properties: duplicate Subscription Identifier at offset 7"},
      {"suback_reason_311", k311, Bytes({0x90, 3, 0, 1, 0x87}),
       "SUBACK: reason codes: 0x87 is not valid in SUBACK at offset 4"},
      {"suback_empty", k311, Bytes({0x90, 2, 0, 1}),
       "SUBACK: reason codes: at least one is required at offset 4"},
      {"unsubscribe_no_filters", k5, Bytes({0xA2, 3, 0, 1, 0}),
       "UNSUBSCRIBE: topic filters: at least one is required at offset 5"},
      {"unsuback_v5_no_reasons", k5, Bytes({0xB0, 3, 0, 1, 0}),
       "UNSUBACK: reason codes: at least one is required at offset 5"},
      // Small packets
      {"pingresp_body", k311, Bytes({0xD0, 1, 0}),
       "PINGRESP: end of packet: 1 unexpected trailing bytes at offset 2"},
      {"disconnect_body_311", k311, Bytes({0xE0, 1, 0}),
       "DISCONNECT: end of packet: 1 unexpected trailing bytes at offset 2"},
      {"disconnect_unknown_reason", k5, Bytes({0xE0, 1, 0x05}),
       "DISCONNECT: reason code: 0x05 is not valid in DISCONNECT at offset 2"},
      {"auth_on_311", k311, Bytes({0xF0, 0}),
       "AUTH: fixed header: AUTH requires MQTT 5 at offset 0"},
      {"auth_bad_reason", k5, Bytes({0xF0, 1, 0x05}),
       "AUTH: reason code: 0x05 is not valid in AUTH at offset 2"},
      // Framing
      {"incomplete", k311, Bytes({0x30, 5, 0, 1}), "incomplete packet: 3 more bytes needed"},
      {"trailing_bytes", k311, Bytes({0xC0, 0, 0xC0}),
       "PINGREQ: end of packet: 1 unexpected trailing bytes at offset 2"},
  };
}

TEST(MalformedPacketTest, EachMalformedPacketGetsItsSpecificError) {
  for (const MalformedCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    StatusOr<Packet> r = DecodePacket(c.bytes, c.version, c.limits);
    ASSERT_FALSE(r.ok()) << "decoded although malformed";
    EXPECT_EQ(r.status().message(), c.message);
    EXPECT_EQ(r.status().code(), c.code);
  }
}

TEST(MalformedPacketTest, EveryTruncationOfValidPacketsFailsCleanly) {
  PropertiesBuilder props;
  props.Add(PropertyId::kMessageExpiryInterval, 5).AddUserProperty("k", "v");
  Publish p;
  p.topic = "a/b";
  p.payload = "xyz";
  p.qos = QoS::kAtLeastOnce;
  p.packet_id = 3;
  p.properties = props.view();
  std::vector<uint8_t> wire;
  ASSERT_TRUE(EncodePublish(p, k5, wire).ok());
  // Shrink the body but fix the remaining length so the splitter accepts the frame: the decoder
  // alone must notice. Cuts inside topic / id / properties fail; cuts in the payload succeed.
  int failures = 0;
  for (size_t body = 0; body + 2 < wire.size(); ++body) {
    std::vector<uint8_t> cut(wire.begin(), wire.begin() + 2 + body);
    cut[1] = static_cast<uint8_t>(body);
    StatusOr<Packet> r = DecodePacket(cut, k5);
    if (!r.ok()) ++failures;
  }
  EXPECT_EQ(failures, static_cast<int>(wire.size() - 2 - p.payload.size()));
}

}  // namespace
}  // namespace mqtt2s3::mqtt
