// Decoders. Each one walks the packet with a wire::Reader, so every read is bounds-checked and
// every error carries packet name, field and absolute offset. Views returned point into
// frame.bytes; nothing here allocates on success.
// (SUBSCRIBE-family, DISCONNECT and AUTH decoders live in codec_decode_control.cc.)
#include <string>

#include "mqtt/codec.h"
#include "mqtt/codec_wire.h"

namespace mqtt2s3::mqtt {

using wire::AckContext;
using wire::BodyReader;
using wire::CheckFrame;
using wire::Reader;
using wire::ReadPacketId;
using wire::ReadReasonCode;
using wire::ReadTopicName;

StatusOr<Publish> DecodePublish(const Frame& frame, ProtocolVersion version,
                                const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kPublish}));
  Reader r = BodyReader(frame);
  Publish p;
  p.dup = (frame.header.flags & 0x8) != 0;
  p.qos = static_cast<QoS>((frame.header.flags >> 1) & 0x3);
  p.retain = (frame.header.flags & 0x1) != 0;
  const size_t topic_at = r.pos();
  const bool v5 = version == ProtocolVersion::kV5;
  M2S_RETURN_IF_ERROR(ReadTopicName(r, "topic name", limits, /*allow_empty=*/v5, &p.topic));
  if (p.qos != QoS::kAtMostOnce) M2S_RETURN_IF_ERROR(ReadPacketId(r, &p.packet_id));
  if (v5) {
    M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kPublish, limits, &p.properties));
    // MQTT-3.3.4: an empty topic is only meaningful together with a Topic Alias.
    if (p.topic.empty() && !p.properties.TopicAlias()) {
      return r.ErrorAt("topic name", "empty topic name without a Topic Alias", topic_at);
    }
  }
  p.payload = r.Rest();
  return p;
}

StatusOr<Ack> DecodeAck(const Frame& frame, ProtocolVersion version, const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kPubAck, PacketType::kPubRec,
                                         PacketType::kPubRel, PacketType::kPubComp}));
  Reader r = BodyReader(frame);
  Ack a;
  a.type = frame.header.type;
  M2S_RETURN_IF_ERROR(ReadPacketId(r, &a.packet_id));
  if (version == ProtocolVersion::kV5 && r.remaining() > 0) {
    M2S_RETURN_IF_ERROR(ReadReasonCode(r, a.type, version, &a.reason_code));
    if (r.remaining() > 0) {
      M2S_RETURN_IF_ERROR(r.Properties(AckContext(a.type), limits, &a.properties));
    }
  }
  M2S_RETURN_IF_ERROR(r.ExpectEnd("end of packet"));
  return a;
}

StatusOr<Connect> DecodeConnect(const Frame& frame, const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kConnect}));
  Reader r = BodyReader(frame);
  Connect c;
  std::string_view protocol;
  const size_t name_at = r.pos();
  M2S_RETURN_IF_ERROR(r.Utf8("protocol name", &protocol));
  if (protocol != "MQTT") return r.ErrorAt("protocol name", "expected \"MQTT\"", name_at);
  uint8_t level = 0;
  M2S_RETURN_IF_ERROR(r.Byte("protocol level", &level));
  if (level != 4 && level != 5) {
    return r.ErrorAt("protocol level", "unsupported level " + std::to_string(level), r.pos() - 1);
  }
  c.version = static_cast<ProtocolVersion>(level);
  const bool v5 = c.version == ProtocolVersion::kV5;
  uint8_t flags = 0;
  const size_t flags_at = r.pos();
  M2S_RETURN_IF_ERROR(r.Byte("connect flags", &flags));
  if ((flags & 0x01) != 0) return r.ErrorAt("connect flags", "reserved bit set", flags_at);
  c.clean_start = (flags & 0x02) != 0;
  const bool has_will = (flags & 0x04) != 0;
  const uint8_t will_qos = (flags >> 3) & 0x3;
  const bool will_retain = (flags & 0x20) != 0;
  const bool has_password = (flags & 0x40) != 0;
  const bool has_username = (flags & 0x80) != 0;
  if (will_qos == 3) return r.ErrorAt("connect flags", "will QoS 3 is invalid", flags_at);
  if (!has_will && (will_qos != 0 || will_retain)) {
    return r.ErrorAt("connect flags", "will QoS/retain set without a will", flags_at);
  }
  if (!v5 && has_password && !has_username) {
    return r.ErrorAt("connect flags", "password without user name", flags_at);
  }
  M2S_RETURN_IF_ERROR(r.U16("keep alive", &c.keep_alive_s));
  if (v5) M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kConnect, limits, &c.properties));
  const size_t id_at = r.pos();
  M2S_RETURN_IF_ERROR(r.Utf8("client identifier", &c.client_id));
  if (!v5 && c.client_id.empty() && !c.clean_start) {
    return r.ErrorAt("client identifier", "empty client identifier needs clean session", id_at);
  }
  if (has_will) {
    Will w;
    w.qos = static_cast<QoS>(will_qos);
    w.retain = will_retain;
    if (v5) M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kWill, limits, &w.properties));
    M2S_RETURN_IF_ERROR(ReadTopicName(r, "will topic", limits, false, &w.topic));
    M2S_RETURN_IF_ERROR(r.Binary("will payload", &w.payload));
    c.will = w;
  }
  if (has_username) {
    std::string_view user;
    M2S_RETURN_IF_ERROR(r.Utf8("user name", &user));
    c.username = user;
  }
  if (has_password) {
    std::string_view password;
    M2S_RETURN_IF_ERROR(r.Binary("password", &password));
    c.password = password;
  }
  M2S_RETURN_IF_ERROR(r.ExpectEnd("end of packet"));
  return c;
}

StatusOr<ConnAck> DecodeConnAck(const Frame& frame, ProtocolVersion version,
                                const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kConnAck}));
  Reader r = BodyReader(frame);
  ConnAck a;
  uint8_t flags = 0;
  const size_t flags_at = r.pos();
  M2S_RETURN_IF_ERROR(r.Byte("acknowledge flags", &flags));
  if ((flags & 0xFE) != 0) return r.ErrorAt("acknowledge flags", "reserved bits set", flags_at);
  a.session_present = (flags & 0x01) != 0;
  M2S_RETURN_IF_ERROR(ReadReasonCode(r, PacketType::kConnAck, version, &a.reason_code));
  if (version == ProtocolVersion::kV5) {
    M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kConnAck, limits, &a.properties));
  }
  // MQTT-3.2.2-6 (5.0) / MQTT-3.2.2-4 (3.1.1).
  if (a.reason_code != 0 && a.session_present) {
    return r.ErrorAt("acknowledge flags", "session present with a refusal", flags_at);
  }
  M2S_RETURN_IF_ERROR(r.ExpectEnd("end of packet"));
  return a;
}

StatusOr<Packet> DecodePacket(const Frame& frame, ProtocolVersion version,
                              const DecodeLimits& limits) {
  auto wrap = [](auto decoded) -> StatusOr<Packet> {
    if (!decoded.ok()) return decoded.status();
    return Packet(std::move(decoded).value());
  };
  switch (frame.header.type) {
    case PacketType::kConnect:
      return wrap(DecodeConnect(frame, limits));
    case PacketType::kConnAck:
      return wrap(DecodeConnAck(frame, version, limits));
    case PacketType::kPublish:
      return wrap(DecodePublish(frame, version, limits));
    case PacketType::kPubAck:
    case PacketType::kPubRec:
    case PacketType::kPubRel:
    case PacketType::kPubComp:
      return wrap(DecodeAck(frame, version, limits));
    case PacketType::kSubscribe:
      return wrap(DecodeSubscribe(frame, version, limits));
    case PacketType::kSubAck:
      return wrap(DecodeSubAck(frame, version, limits));
    case PacketType::kUnsubscribe:
      return wrap(DecodeUnsubscribe(frame, version, limits));
    case PacketType::kUnsubAck:
      return wrap(DecodeUnsubAck(frame, version, limits));
    case PacketType::kPingReq:
    case PacketType::kPingResp: {
      M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kPingReq, PacketType::kPingResp}));
      Reader r = BodyReader(frame);
      M2S_RETURN_IF_ERROR(r.ExpectEnd("end of packet"));
      if (frame.header.type == PacketType::kPingReq) return Packet(PingReq{});
      return Packet(PingResp{});
    }
    case PacketType::kDisconnect:
      return wrap(DecodeDisconnect(frame, version, limits));
    case PacketType::kAuth:
      return wrap(DecodeAuth(frame, version, limits));
  }
  return Status::InvalidArgument(
      wire::ErrorText("RESERVED", "fixed header", "packet type 0 is reserved", 0));
}

StatusOr<Packet> DecodePacket(std::span<const uint8_t> bytes, ProtocolVersion version,
                              const DecodeLimits& limits) {
  M2S_ASSIGN_OR_RETURN(SplitResult split, SplitFrame(bytes, limits));
  if (!split.frame) {
    return Status::InvalidArgument("incomplete packet: " + std::to_string(split.need_bytes) +
                                   " more bytes needed");
  }
  if (split.frame->bytes.size() != bytes.size()) {
    return Status::InvalidArgument(wire::ErrorText(
        PacketTypeName(split.frame->header.type), "end of packet",
        std::to_string(bytes.size() - split.frame->bytes.size()) + " unexpected trailing bytes",
        split.frame->bytes.size()));
  }
  return DecodePacket(*split.frame, version, limits);
}

}  // namespace mqtt2s3::mqtt
