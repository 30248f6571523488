// Every packet type, both protocol versions: encode, decode, compare; plus byte vectors from
// the OASIS specs so the encoder is checked against the wire format, not only against itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/codec_test_util.h"

namespace mqtt2s3::mqtt {
namespace {

using testing::Bytes;

struct Case {
  std::string name;
  Packet packet;
};

// Property blocks for the MQTT 5 cases; they must outlive the packets that view them.
struct V5Props {
  PropertiesBuilder connect, will, connack, publish, ack, subscribe, suback, unsubscribe, unsuback,
      disconnect, auth;
  V5Props() {
    connect.Add(PropertyId::kSessionExpiryInterval, 3600)
        .Add(PropertyId::kReceiveMaximum, 100)
        .Add(PropertyId::kMaximumPacketSize, 1 << 20)
        .AddUserProperty("app", "mqtt2s3");
    will.Add(PropertyId::kWillDelayInterval, 5).Add(PropertyId::kContentType, "text/plain");
    connack.Add(PropertyId::kAssignedClientIdentifier, "auto-1")
        .Add(PropertyId::kMaximumQoS, 1)
        .Add(PropertyId::kTopicAliasMaximum, 10)
        .Add(PropertyId::kServerKeepAlive, 30);
    publish.Add(PropertyId::kMessageExpiryInterval, 60)
        .Add(PropertyId::kTopicAlias, 3)
        .Add(PropertyId::kCorrelationData, std::string_view("\x00\x01\x02", 3))
        .Add(PropertyId::kSubscriptionIdentifier, 300000)
        .Add(PropertyId::kSubscriptionIdentifier, 7)
        .AddUserProperty("k", "v")
        .AddUserProperty("k", "v2");
    ack.Add(PropertyId::kReasonString, "quota");
    subscribe.Add(PropertyId::kSubscriptionIdentifier, 42);
    suback.Add(PropertyId::kReasonString, "partly");
    unsubscribe.AddUserProperty("why", "done");
    unsuback.AddUserProperty("a", "b");
    disconnect.Add(PropertyId::kSessionExpiryInterval, 0).Add(PropertyId::kReasonString, "bye");
    auth.Add(PropertyId::kAuthenticationMethod, "SCRAM-SHA-1")
        .Add(PropertyId::kAuthenticationData, "data");
  }
  bool ok() const {
    for (const PropertiesBuilder* b : {&connect, &will, &connack, &publish, &ack, &subscribe,
                                       &suback, &unsubscribe, &unsuback, &disconnect, &auth}) {
      if (!b->status().ok()) return false;
    }
    return true;
  }
};

Publish MakePublish(std::string_view topic, std::string_view payload, QoS qos, uint16_t id,
                    PropertiesView props = {}) {
  Publish p;
  p.topic = topic;
  p.payload = payload;
  p.qos = qos;
  p.packet_id = id;
  p.properties = props;
  return p;
}

Ack MakeAck(PacketType type, uint16_t id, uint8_t reason = 0, PropertiesView props = {}) {
  Ack a;
  a.type = type;
  a.packet_id = id;
  a.reason_code = reason;
  a.properties = props;
  return a;
}

SubscribeTopic Topic(std::string_view filter, QoS qos) {
  SubscribeTopic t;
  t.filter = filter;
  t.options.max_qos = qos;
  return t;
}

std::vector<Case> Cases(ProtocolVersion v, const V5Props& p) {
  const bool v5 = v == ProtocolVersion::kV5;
  auto props = [&](const PropertiesBuilder& b) { return v5 ? b.view() : PropertiesView(); };
  std::vector<Case> cases;

  Connect full;
  full.version = v;
  full.client_id = "client-1";
  full.clean_start = false;
  full.keep_alive_s = 30;
  full.username = "user";
  full.password = std::string_view("pa\0ss", 5);
  Will will;
  will.topic = "status/client-1";
  will.payload = "gone";
  will.qos = QoS::kAtLeastOnce;
  will.retain = true;
  will.properties = props(p.will);
  full.will = will;
  full.properties = props(p.connect);
  cases.push_back({"connect_full", full});
  Connect minimal;
  minimal.version = v;
  cases.push_back({"connect_minimal", minimal});

  ConnAck connack;
  connack.session_present = true;
  connack.properties = props(p.connack);
  cases.push_back({"connack", connack});
  ConnAck refused;
  refused.reason_code = v5 ? 0x87 : 5;
  cases.push_back({"connack_refused", refused});

  cases.push_back({"publish_qos0", MakePublish("a/b", "hello", QoS::kAtMostOnce, 0)});
  Publish qos1 = MakePublish("sensors/1/temp", std::string_view("\x00\xff", 2), QoS::kAtLeastOnce,
                             65535, props(p.publish));
  qos1.dup = true;
  qos1.retain = true;
  cases.push_back({"publish_qos1", qos1});
  cases.push_back({"publish_qos2_empty_payload", MakePublish("x", "", QoS::kExactlyOnce, 1)});
  if (v5) {
    cases.push_back(
        {"publish_alias_only", MakePublish("", "p", QoS::kAtMostOnce, 0, p.publish.view())});
  }

  for (PacketType t :
       {PacketType::kPubAck, PacketType::kPubRec, PacketType::kPubRel, PacketType::kPubComp}) {
    const std::string name(PacketTypeName(t));
    cases.push_back({name, MakeAck(t, 513)});
    if (v5) {
      const bool rel_or_comp = t == PacketType::kPubRel || t == PacketType::kPubComp;
      cases.push_back({name + "_reason", MakeAck(t, 9, rel_or_comp ? 0x92 : 0x97)});
      cases.push_back({name + "_props", MakeAck(t, 10, 0, p.ack.view())});
    }
  }

  Subscribe sub;
  sub.packet_id = 77;
  sub.properties = props(p.subscribe);
  sub.topics.push_back(Topic("sensors/+/temp", QoS::kExactlyOnce));
  sub.topics.push_back(Topic("#", QoS::kAtMostOnce));
  if (v5) {
    SubscribeTopic shared = Topic("$share/g1/a/#", QoS::kAtLeastOnce);
    shared.options.retain_as_published = true;
    shared.options.retain_handling = 2;
    sub.topics.push_back(shared);
    SubscribeTopic local = Topic("local/only", QoS::kAtLeastOnce);
    local.options.no_local = true;
    sub.topics.push_back(local);
  }
  cases.push_back({"subscribe", sub});

  SubAck suback;
  suback.packet_id = 77;
  suback.reason_codes = std::string_view("\x02\x00\x80\x01", 4);
  suback.properties = props(p.suback);
  cases.push_back({"suback", suback});

  Unsubscribe unsub;
  unsub.packet_id = 78;
  unsub.filters = {"a/+", "b/#"};
  unsub.properties = props(p.unsubscribe);
  cases.push_back({"unsubscribe", unsub});

  UnsubAck unsuback;
  unsuback.packet_id = 78;
  if (v5) unsuback.reason_codes = std::string_view("\x00\x11", 2);
  unsuback.properties = props(p.unsuback);
  cases.push_back({"unsuback", unsuback});

  cases.push_back({"pingreq", PingReq{}});
  cases.push_back({"pingresp", PingResp{}});
  cases.push_back({"disconnect", Disconnect()});
  if (v5) {
    Disconnect with_will;
    with_will.reason_code = 0x04;
    cases.push_back({"disconnect_reason", with_will});
    Disconnect with_props;
    with_props.reason_code = 0x8B;
    with_props.properties = p.disconnect.view();
    cases.push_back({"disconnect_props", with_props});
    cases.push_back({"auth_empty", Auth()});
    Auth auth;
    auth.reason_code = 0x18;
    auth.properties = p.auth.view();
    cases.push_back({"auth", auth});
  }
  return cases;
}

class RoundTripTest : public ::testing::TestWithParam<ProtocolVersion> {};

TEST_P(RoundTripTest, EveryPacketTypeDecodesToWhatWasEncoded) {
  const ProtocolVersion v = GetParam();
  V5Props props;
  ASSERT_TRUE(props.ok());
  for (const Case& c : Cases(v, props)) {
    SCOPED_TRACE(c.name);
    std::vector<uint8_t> wire;
    Status s = EncodePacket(c.packet, v, wire);
    ASSERT_TRUE(s.ok()) << s.ToString();
    StatusOr<Packet> decoded = DecodePacket(wire, v);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(TypeOf(*decoded), TypeOf(c.packet));
    EXPECT_TRUE(*decoded == c.packet);
    // Re-encoding the decoded views gives the same bytes.
    std::vector<uint8_t> again;
    ASSERT_TRUE(EncodePacket(*decoded, v, again).ok());
    EXPECT_EQ(again, wire);
  }
}

INSTANTIATE_TEST_SUITE_P(BothVersions, RoundTripTest,
                         ::testing::Values(ProtocolVersion::kV311, ProtocolVersion::kV5),
                         [](const ::testing::TestParamInfo<ProtocolVersion>& param) {
                           return param.param == ProtocolVersion::kV5 ? "V5" : "V311";
                         });

Connect SpecExampleConnect(ProtocolVersion v) {
  Connect c;
  c.version = v;
  c.client_id = "c";
  c.clean_start = true;
  c.keep_alive_s = 10;
  c.username = "u";
  c.password = "p";
  Will w;
  w.topic = "w";
  w.payload = "x";
  w.qos = QoS::kAtLeastOnce;
  c.will = w;
  return c;
}

// MQTT 3.1.1 section 3.1.2.10 example variable header (flags 0xCE, keep alive 10) with a
// one-letter client id, will topic, will message, user name and password.
TEST(KnownBytesTest, Connect311MatchesSpecExample) {
  std::vector<uint8_t> wire;
  ASSERT_TRUE(EncodeConnect(SpecExampleConnect(ProtocolVersion::kV311), wire).ok());
  EXPECT_EQ(wire, Bytes({0x10, 25, 0, 4,   'M', 'Q', 'T', 'T', 4, 0xCE, 0, 10, 0,  1,
                         'c',  0,  1, 'w', 0,   1,   'x', 0,   1, 'u',  0, 1,  'p'}));
}

// MQTT 5.0 section 3.1.2.12 example: flags 0xCE, keep alive 10, properties = Session Expiry
// Interval 10. A will on MQTT 5 always carries a Will Properties length (here 0).
TEST(KnownBytesTest, Connect5MatchesSpecExample) {
  PropertiesBuilder props;
  props.Add(PropertyId::kSessionExpiryInterval, 10);
  Connect c = SpecExampleConnect(ProtocolVersion::kV5);
  c.properties = props.view();
  std::vector<uint8_t> wire;
  ASSERT_TRUE(EncodeConnect(c, wire).ok());
  EXPECT_EQ(wire,
            Bytes({0x10, 32, 0, 4,   'M', 'Q', 'T', 'T', 5, 0xCE, 0,   10, 5, 0x11, 0, 0, 0,
                   10,   0,  1, 'c', 0,   0,   1,   'w', 0, 1,    'x', 0,  1, 'u',  0, 1, 'p'}));
}

TEST(KnownBytesTest, SmallPacketsHaveTheirSpecBytes) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(EncodePingReq(out).ok());
  ASSERT_TRUE(EncodePingResp(out).ok());
  ASSERT_TRUE(EncodeDisconnect(Disconnect(), ProtocolVersion::kV311, out).ok());
  ASSERT_TRUE(EncodeAck(MakeAck(PacketType::kPubAck, 0x1234), ProtocolVersion::kV5, out).ok());
  ASSERT_TRUE(EncodeAck(MakeAck(PacketType::kPubRel, 1, 0x92), ProtocolVersion::kV5, out).ok());
  ASSERT_TRUE(
      EncodePublish(MakePublish("a/b", "hi", QoS::kAtLeastOnce, 10), ProtocolVersion::kV311, out)
          .ok());
  EXPECT_EQ(out, Bytes({0xC0, 0,    0xD0, 0, 0xE0, 0, 0x40, 2,   0x12, 0x34, 0x62, 3,   0,
                        1,    0x92, 0x32, 9, 0,    3, 'a',  '/', 'b',  0,    10,   'h', 'i'}));
}

TEST(KnownBytesTest, AckIntoFixedBufferNeedsNoVector) {
  uint8_t buf[kMaxShortAckSize];
  StatusOr<size_t> n = EncodeAck(MakeAck(PacketType::kPubRec, 0x0102, 0x10), ProtocolVersion::kV5,
                                 std::span<uint8_t>(buf));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + *n), Bytes({0x50, 3, 1, 2, 0x10}));
  uint8_t tiny[3];
  EXPECT_EQ(
      EncodeAck(MakeAck(PacketType::kPubAck, 1), ProtocolVersion::kV311, std::span<uint8_t>(tiny))
          .status()
          .code(),
      StatusCode::kResourceExhausted);
}

TEST(EncodeValidationTest, EncodersRefuseWhatTheDecoderWouldReject) {
  std::vector<uint8_t> out;
  EXPECT_FALSE(
      EncodePublish(MakePublish("a/+", "", QoS::kAtMostOnce, 0), ProtocolVersion::kV5, out).ok());
  EXPECT_FALSE(
      EncodePublish(MakePublish("a", "", QoS::kAtLeastOnce, 0), ProtocolVersion::kV5, out).ok());
  EXPECT_FALSE(EncodeAck(MakeAck(PacketType::kPubAck, 1, 0x80), ProtocolVersion::kV311, out).ok());
  PropertiesBuilder wrong;
  wrong.Add(PropertyId::kTopicAlias, 1);
  EXPECT_EQ(EncodeAck(MakeAck(PacketType::kPubAck, 1, 0, wrong.view()), ProtocolVersion::kV5, out)
                .message(),
            "encode: PUBACK: properties: Topic Alias not allowed in PUBACK at offset 0");
  Subscribe empty;
  empty.packet_id = 1;
  EXPECT_FALSE(EncodeSubscribe(empty, ProtocolVersion::kV5, out).ok());
  EXPECT_TRUE(out.empty()) << "a failed encode leaves the output untouched";
}

}  // namespace
}  // namespace mqtt2s3::mqtt
