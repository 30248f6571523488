// Encoders. Each validates the whole packet first, then sizes it with a counting Sink, then
// writes it in one pass into space appended to `out` — so `out` is untouched on error and grows
// at most once (not at all when it has capacity, which keeps acks allocation-free).
#include <string>

#include "mqtt/codec.h"
#include "mqtt/codec_wire.h"

namespace mqtt2s3::mqtt {
namespace {

using wire::Sink;

Status EncodeError(PacketType type, std::string_view field, std::string_view what) {
  std::string m = "encode ";
  m.append(PacketTypeName(type)).append(": ").append(field).append(": ").append(what);
  return Status::InvalidArgument(std::move(m));
}

Status CheckString(PacketType type, std::string_view field, std::string_view s, bool utf8) {
  if (s.size() > kMaxStringLength) return EncodeError(type, field, "longer than 65535 bytes");
  if (utf8) {
    size_t bad = wire::FindInvalidUtf8(s);
    if (bad != wire::kNoError) {
      return EncodeError(
          type, field,
          std::string(wire::Utf8ErrorWhat(s, bad)) + " at byte " + std::to_string(bad));
    }
  }
  return Status::Ok();
}

Status CheckTopicName(PacketType type, std::string_view field, std::string_view topic,
                      bool allow_empty) {
  M2S_RETURN_IF_ERROR(CheckString(type, field, topic, /*utf8=*/false));
  if (topic.empty() && !allow_empty) return EncodeError(type, field, "empty topic name");
  std::string_view what;
  size_t bad = wire::CheckTopicName(topic, &what);
  if (bad != wire::kNoError) {
    return EncodeError(type, field, std::string(what) + " at byte " + std::to_string(bad));
  }
  return Status::Ok();
}

Status CheckTopicFilter(PacketType type, std::string_view filter) {
  M2S_RETURN_IF_ERROR(CheckString(type, "topic filter", filter, /*utf8=*/false));
  std::string_view what;
  size_t bad = wire::CheckTopicFilter(filter, &what);
  if (bad != wire::kNoError) {
    return EncodeError(type, "topic filter", std::string(what) + " at byte " + std::to_string(bad));
  }
  return Status::Ok();
}

// 3.1.1 has no properties; MQTT 5 properties must be valid for the packet.
Status CheckProperties(PacketType type, ProtocolVersion version, PropertiesView props,
                       PropertyContext context) {
  if (version != ProtocolVersion::kV5) {
    if (props.empty()) return Status::Ok();
    return EncodeError(type, "properties", "MQTT 3.1.1 packets have no properties");
  }
  if (props.raw().size() > kMaxVarInt) {
    return EncodeError(type, "properties", "longer than 268435455 bytes");
  }
  Status s = ValidateProperties(props.raw(), context);
  if (!s.ok()) return s.WithContext("encode");
  return Status::Ok();
}

Status CheckReasons(PacketType type, ProtocolVersion version, std::string_view codes) {
  for (char c : codes) {
    if (!IsReasonCodeAllowed(type, version, static_cast<uint8_t>(c))) {
      return EncodeError(type, "reason code",
                         wire::Hex(static_cast<uint8_t>(c)) + " is not valid in " +
                             std::string(PacketTypeName(type)) +
                             (version == ProtocolVersion::kV5 ? "" : " (MQTT 3.1.1)"));
    }
  }
  return Status::Ok();
}

Status CheckReason(PacketType type, ProtocolVersion version, uint8_t code) {
  const char c = static_cast<char>(code);
  return CheckReasons(type, version, std::string_view(&c, 1));
}

Status CheckVersion(PacketType type, ProtocolVersion version) {
  if (version == ProtocolVersion::kV311 || version == ProtocolVersion::kV5) return Status::Ok();
  return EncodeError(type, "protocol version",
                     "unsupported level " + std::to_string(static_cast<int>(version)));
}

// Sizes the body with a counting Sink, then appends fixed header + body to `out`.
template <typename Body>
Status Emit(PacketType type, uint8_t flags, std::vector<uint8_t>& out, const Body& body) {
  Sink counter(nullptr);
  body(counter);
  const size_t remaining = counter.size();
  if (remaining > kMaxRemainingLength) {
    return EncodeError(type, "remaining length", "packet longer than 268435455 bytes");
  }
  const size_t total = 1 + VarIntSize(static_cast<uint32_t>(remaining)) + remaining;
  const size_t old = out.size();
  out.resize(old + total);
  Sink w(out.data() + old);
  w.Byte(static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | flags));
  w.VarInt(static_cast<uint32_t>(remaining));
  body(w);
  return Status::Ok();
}

uint8_t AckFlags(PacketType type) { return type == PacketType::kPubRel ? 0x2 : 0x0; }


Status CheckAck(const Ack& a, ProtocolVersion version) {
  if (a.type != PacketType::kPubAck && a.type != PacketType::kPubRec &&
      a.type != PacketType::kPubRel && a.type != PacketType::kPubComp) {
    return EncodeError(a.type, "type", "not PUBACK, PUBREC, PUBREL or PUBCOMP");
  }
  M2S_RETURN_IF_ERROR(CheckVersion(a.type, version));
  if (a.packet_id == 0) return EncodeError(a.type, "packet identifier", "must not be 0");
  M2S_RETURN_IF_ERROR(CheckReason(a.type, version, a.reason_code));
  return CheckProperties(a.type, version, a.properties, wire::AckContext(a.type));
}

void WriteAckBody(const Ack& a, ProtocolVersion version, Sink& s) {
  s.U16(a.packet_id);
  if (version != ProtocolVersion::kV5) return;
  // MQTT 5 3.4.2.1: reason code and property length may be omitted when not needed.
  if (a.reason_code == 0 && a.properties.empty()) return;
  s.Byte(a.reason_code);
  if (!a.properties.empty()) s.Properties(a.properties);
}

}  // namespace

size_t VarIntSize(uint32_t value) {
  if (value < 128u) return 1;
  if (value < 16'384u) return 2;
  if (value < 2'097'152u) return 3;
  if (value <= kMaxVarInt) return 4;
  return 0;
}

bool IsValidTopicName(std::string_view topic, bool allow_empty) {
  std::string_view what;
  if (topic.size() > kMaxStringLength || (topic.empty() && !allow_empty)) return false;
  return wire::CheckTopicName(topic, &what) == wire::kNoError;
}

bool IsValidTopicFilter(std::string_view filter) {
  std::string_view what;
  return filter.size() <= kMaxStringLength &&
         wire::CheckTopicFilter(filter, &what) == wire::kNoError;
}

bool IsValidMqttUtf8(std::string_view text) {
  return wire::FindInvalidUtf8(text) == wire::kNoError;
}

Status EncodeConnect(const Connect& c, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kConnect;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, c.version));
  const bool v5 = c.version == ProtocolVersion::kV5;
  M2S_RETURN_IF_ERROR(CheckString(kType, "client identifier", c.client_id, true));
  if (!v5 && c.client_id.empty() && !c.clean_start) {
    return EncodeError(kType, "client identifier", "empty client identifier needs clean session");
  }
  M2S_RETURN_IF_ERROR(CheckProperties(kType, c.version, c.properties, PropertyContext::kConnect));
  if (c.username) M2S_RETURN_IF_ERROR(CheckString(kType, "user name", *c.username, true));
  if (c.password) M2S_RETURN_IF_ERROR(CheckString(kType, "password", *c.password, false));
  if (!v5 && c.password && !c.username) {
    return EncodeError(kType, "password", "MQTT 3.1.1 needs a user name with a password");
  }
  if (c.will) {
    if (static_cast<uint8_t>(c.will->qos) > 2)
      return EncodeError(kType, "will QoS", "must be 0..2");
    M2S_RETURN_IF_ERROR(CheckTopicName(kType, "will topic", c.will->topic, false));
    M2S_RETURN_IF_ERROR(CheckString(kType, "will payload", c.will->payload, false));
    M2S_RETURN_IF_ERROR(
        CheckProperties(kType, c.version, c.will->properties, PropertyContext::kWill));
  }
  uint8_t flags = c.clean_start ? 0x02 : 0x00;
  if (c.will) {
    flags |= 0x04 | static_cast<uint8_t>(static_cast<uint8_t>(c.will->qos) << 3);
    if (c.will->retain) flags |= 0x20;
  }
  if (c.password) flags |= 0x40;
  if (c.username) flags |= 0x80;
  return Emit(kType, 0, out, [&](Sink& s) {
    s.Str("MQTT");
    s.Byte(static_cast<uint8_t>(c.version));
    s.Byte(flags);
    s.U16(c.keep_alive_s);
    if (v5) s.Properties(c.properties);
    s.Str(c.client_id);
    if (c.will) {
      if (v5) s.Properties(c.will->properties);
      s.Str(c.will->topic);
      s.Str(c.will->payload);
    }
    if (c.username) s.Str(*c.username);
    if (c.password) s.Str(*c.password);
  });
}

Status EncodeConnAck(const ConnAck& a, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kConnAck;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, version));
  const bool v5 = version == ProtocolVersion::kV5;
  M2S_RETURN_IF_ERROR(CheckReason(kType, version, a.reason_code));
  if (a.reason_code != 0 && a.session_present) {
    return EncodeError(kType, "session present", "must be 0 with a refusal");
  }
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, a.properties, PropertyContext::kConnAck));
  return Emit(kType, 0, out, [&](Sink& s) {
    s.Byte(a.session_present ? 1 : 0);
    s.Byte(a.reason_code);
    if (v5) s.Properties(a.properties);
  });
}

Status EncodePublish(const Publish& p, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kPublish;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, version));
  const bool v5 = version == ProtocolVersion::kV5;
  const auto qos = static_cast<uint8_t>(p.qos);
  if (qos > 2) return EncodeError(kType, "QoS", "must be 0..2");
  if (qos == 0 && (p.dup || p.packet_id != 0)) {
    return EncodeError(kType, "QoS", "QoS 0 has no DUP flag and no packet identifier");
  }
  if (qos > 0 && p.packet_id == 0) return EncodeError(kType, "packet identifier", "must not be 0");
  M2S_RETURN_IF_ERROR(CheckTopicName(kType, "topic name", p.topic, v5));
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, p.properties, PropertyContext::kPublish));
  if (p.topic.empty() && !p.properties.TopicAlias()) {
    return EncodeError(kType, "topic name", "empty topic name without a Topic Alias");
  }
  const uint8_t flags = static_cast<uint8_t>((p.dup ? 0x8 : 0) | (qos << 1) | (p.retain ? 0x1 : 0));
  return Emit(kType, flags, out, [&](Sink& s) {
    s.Str(p.topic);
    if (qos > 0) s.U16(p.packet_id);
    if (v5) s.Properties(p.properties);
    s.Raw(p.payload);
  });
}

Status EncodeAck(const Ack& a, ProtocolVersion version, std::vector<uint8_t>& out) {
  M2S_RETURN_IF_ERROR(CheckAck(a, version));
  return Emit(a.type, AckFlags(a.type), out, [&](Sink& s) { WriteAckBody(a, version, s); });
}

StatusOr<size_t> EncodeAck(const Ack& a, ProtocolVersion version, std::span<uint8_t> out) {
  M2S_RETURN_IF_ERROR(CheckAck(a, version));
  Sink counter(nullptr);
  WriteAckBody(a, version, counter);
  const size_t remaining = counter.size();
  const size_t total = 1 + VarIntSize(static_cast<uint32_t>(remaining)) + remaining;
  if (out.size() < total) {
    return Status::ResourceExhausted("encode " + std::string(PacketTypeName(a.type)) + ": needs " +
                                     std::to_string(total) + " bytes, buffer has " +
                                     std::to_string(out.size()));
  }
  Sink w(out.data());
  w.Byte(static_cast<uint8_t>((static_cast<uint8_t>(a.type) << 4) | AckFlags(a.type)));
  w.VarInt(static_cast<uint32_t>(remaining));
  WriteAckBody(a, version, w);
  return total;
}

Status EncodeSubscribe(const Subscribe& sub, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kSubscribe;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, version));
  const bool v5 = version == ProtocolVersion::kV5;
  if (sub.packet_id == 0) return EncodeError(kType, "packet identifier", "must not be 0");
  if (sub.topics.empty()) return EncodeError(kType, "topic filters", "at least one is required");
  for (const SubscribeTopic& t : sub.topics) {
    M2S_RETURN_IF_ERROR(CheckTopicFilter(kType, t.filter));
    const SubscribeOptions& o = t.options;
    if (static_cast<uint8_t>(o.max_qos) > 2) return EncodeError(kType, "QoS", "must be 0..2");
    if (o.retain_handling > 2) return EncodeError(kType, "retain handling", "must be 0..2");
    if (!v5 && (o.no_local || o.retain_as_published || o.retain_handling != 0)) {
      return EncodeError(kType, "subscription options", "MQTT 5 options on a 3.1.1 packet");
    }
    if (o.no_local && t.filter.substr(0, 7) == "$share/") {
      return EncodeError(kType, "subscription options", "No Local on a shared subscription");
    }
  }
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, sub.properties, PropertyContext::kSubscribe));
  return Emit(kType, 0x2, out, [&](Sink& s) {
    s.U16(sub.packet_id);
    if (v5) s.Properties(sub.properties);
    for (const SubscribeTopic& t : sub.topics) {
      s.Str(t.filter);
      const SubscribeOptions& o = t.options;
      s.Byte(static_cast<uint8_t>(static_cast<uint8_t>(o.max_qos) | (o.no_local ? 0x04 : 0) |
                                  (o.retain_as_published ? 0x08 : 0) | (o.retain_handling << 4)));
    }
  });
}

Status EncodeSubAck(const SubAck& a, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kSubAck;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, version));
  if (a.packet_id == 0) return EncodeError(kType, "packet identifier", "must not be 0");
  if (a.reason_codes.empty()) return EncodeError(kType, "reason codes", "at least one is required");
  M2S_RETURN_IF_ERROR(CheckReasons(kType, version, a.reason_codes));
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, a.properties, PropertyContext::kSubAck));
  return Emit(kType, 0, out, [&](Sink& s) {
    s.U16(a.packet_id);
    if (version == ProtocolVersion::kV5) s.Properties(a.properties);
    s.Raw(a.reason_codes);
  });
}

Status EncodeUnsubscribe(const Unsubscribe& u, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kUnsubscribe;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, version));
  if (u.packet_id == 0) return EncodeError(kType, "packet identifier", "must not be 0");
  if (u.filters.empty()) return EncodeError(kType, "topic filters", "at least one is required");
  for (std::string_view f : u.filters) M2S_RETURN_IF_ERROR(CheckTopicFilter(kType, f));
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, u.properties, PropertyContext::kUnsubscribe));
  return Emit(kType, 0x2, out, [&](Sink& s) {
    s.U16(u.packet_id);
    if (version == ProtocolVersion::kV5) s.Properties(u.properties);
    for (std::string_view f : u.filters) s.Str(f);
  });
}

Status EncodeUnsubAck(const UnsubAck& a, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kUnsubAck;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, version));
  const bool v5 = version == ProtocolVersion::kV5;
  if (a.packet_id == 0) return EncodeError(kType, "packet identifier", "must not be 0");
  if (v5 && a.reason_codes.empty()) {
    return EncodeError(kType, "reason codes", "at least one is required");
  }
  if (!v5 && !a.reason_codes.empty()) {
    return EncodeError(kType, "reason codes", "MQTT 3.1.1 UNSUBACK has none");
  }
  M2S_RETURN_IF_ERROR(CheckReasons(kType, version, a.reason_codes));
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, a.properties, PropertyContext::kUnsubAck));
  return Emit(kType, 0, out, [&](Sink& s) {
    s.U16(a.packet_id);
    if (v5) {
      s.Properties(a.properties);
      s.Raw(a.reason_codes);
    }
  });
}

Status EncodePingReq(std::vector<uint8_t>& out) {
  return Emit(PacketType::kPingReq, 0, out, [](Sink&) {});
}

Status EncodePingResp(std::vector<uint8_t>& out) {
  return Emit(PacketType::kPingResp, 0, out, [](Sink&) {});
}

Status EncodeDisconnect(const Disconnect& d, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kDisconnect;
  M2S_RETURN_IF_ERROR(CheckVersion(kType, version));
  M2S_RETURN_IF_ERROR(CheckReason(kType, version, d.reason_code));
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, d.properties, PropertyContext::kDisconnect));
  return Emit(kType, 0, out, [&](Sink& s) {
    if (version != ProtocolVersion::kV5) return;
    if (d.reason_code == 0 && d.properties.empty()) return;
    s.Byte(d.reason_code);
    if (!d.properties.empty()) s.Properties(d.properties);
  });
}

Status EncodeAuth(const Auth& a, ProtocolVersion version, std::vector<uint8_t>& out) {
  constexpr PacketType kType = PacketType::kAuth;
  if (version != ProtocolVersion::kV5) return EncodeError(kType, "version", "AUTH needs MQTT 5");
  M2S_RETURN_IF_ERROR(CheckReason(kType, version, a.reason_code));
  M2S_RETURN_IF_ERROR(CheckProperties(kType, version, a.properties, PropertyContext::kAuth));
  return Emit(kType, 0, out, [&](Sink& s) {
    if (a.reason_code == 0 && a.properties.empty()) return;
    s.Byte(a.reason_code);
    if (!a.properties.empty()) s.Properties(a.properties);
  });
}

Status EncodePacket(const Packet& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
  struct Visitor {
    ProtocolVersion v;
    std::vector<uint8_t>& o;
    Status operator()(const Connect& p) const { return EncodeConnect(p, o); }
    Status operator()(const ConnAck& p) const { return EncodeConnAck(p, v, o); }
    Status operator()(const Publish& p) const { return EncodePublish(p, v, o); }
    Status operator()(const Ack& p) const { return EncodeAck(p, v, o); }
    Status operator()(const Subscribe& p) const { return EncodeSubscribe(p, v, o); }
    Status operator()(const SubAck& p) const { return EncodeSubAck(p, v, o); }
    Status operator()(const Unsubscribe& p) const { return EncodeUnsubscribe(p, v, o); }
    Status operator()(const UnsubAck& p) const { return EncodeUnsubAck(p, v, o); }
    Status operator()(const PingReq&) const { return EncodePingReq(o); }
    Status operator()(const PingResp&) const { return EncodePingResp(o); }
    Status operator()(const Disconnect& p) const { return EncodeDisconnect(p, v, o); }
    Status operator()(const Auth& p) const { return EncodeAuth(p, v, o); }
  };
  return std::visit(Visitor{version, out}, packet);
}

}  // namespace mqtt2s3::mqtt
