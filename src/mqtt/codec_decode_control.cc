// Decoders for the control packets off the hot path: SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
// DISCONNECT and AUTH. SUBSCRIBE/UNSUBSCRIBE fill vectors whose growth is bounded by the
// (already size-limited) packet: each entry consumes at least three bytes.
#include <string>

#include "mqtt/codec.h"
#include "mqtt/codec_wire.h"

namespace mqtt2s3::mqtt {

using wire::BodyReader;
using wire::CheckFrame;
using wire::CheckReasonList;
using wire::Reader;
using wire::ReadPacketId;
using wire::ReadReasonCode;
using wire::ReadTopicFilter;

StatusOr<Subscribe> DecodeSubscribe(const Frame& frame, ProtocolVersion version,
                                    const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kSubscribe}));
  Reader r = BodyReader(frame);
  Subscribe s;
  const bool v5 = version == ProtocolVersion::kV5;
  M2S_RETURN_IF_ERROR(ReadPacketId(r, &s.packet_id));
  if (v5) M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kSubscribe, limits, &s.properties));
  if (r.remaining() == 0) return r.Error("topic filters", "at least one is required");
  while (r.remaining() > 0) {
    SubscribeTopic t;
    M2S_RETURN_IF_ERROR(ReadTopicFilter(r, limits, &t.filter));
    uint8_t o = 0;
    const size_t at = r.pos();
    M2S_RETURN_IF_ERROR(r.Byte("subscription options", &o));
    if ((o & (v5 ? 0xC0 : 0xFC)) != 0) {
      return r.ErrorAt("subscription options", "reserved bits set", at);
    }
    if ((o & 0x3) == 3) return r.ErrorAt("subscription options", "QoS 3 is invalid", at);
    t.options.max_qos = static_cast<QoS>(o & 0x3);
    t.options.no_local = (o & 0x04) != 0;
    t.options.retain_as_published = (o & 0x08) != 0;
    t.options.retain_handling = (o >> 4) & 0x3;
    if (t.options.retain_handling == 3) {
      return r.ErrorAt("subscription options", "retain handling 3 is invalid", at);
    }
    // MQTT-3.8.3-4: No Local on a shared subscription is a protocol error.
    if (t.options.no_local && t.filter.substr(0, 7) == "$share/") {
      return r.ErrorAt("subscription options", "No Local on a shared subscription", at);
    }
    s.topics.push_back(t);
  }
  return s;
}

StatusOr<SubAck> DecodeSubAck(const Frame& frame, ProtocolVersion version,
                              const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kSubAck}));
  Reader r = BodyReader(frame);
  SubAck a;
  M2S_RETURN_IF_ERROR(ReadPacketId(r, &a.packet_id));
  if (version == ProtocolVersion::kV5) {
    M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kSubAck, limits, &a.properties));
  }
  const size_t at = r.pos();
  a.reason_codes = r.Rest();
  M2S_RETURN_IF_ERROR(CheckReasonList(r, PacketType::kSubAck, version, a.reason_codes, at));
  return a;
}

StatusOr<Unsubscribe> DecodeUnsubscribe(const Frame& frame, ProtocolVersion version,
                                        const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kUnsubscribe}));
  Reader r = BodyReader(frame);
  Unsubscribe u;
  M2S_RETURN_IF_ERROR(ReadPacketId(r, &u.packet_id));
  if (version == ProtocolVersion::kV5) {
    M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kUnsubscribe, limits, &u.properties));
  }
  if (r.remaining() == 0) return r.Error("topic filters", "at least one is required");
  while (r.remaining() > 0) {
    std::string_view filter;
    M2S_RETURN_IF_ERROR(ReadTopicFilter(r, limits, &filter));
    u.filters.push_back(filter);
  }
  return u;
}

StatusOr<UnsubAck> DecodeUnsubAck(const Frame& frame, ProtocolVersion version,
                                  const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kUnsubAck}));
  Reader r = BodyReader(frame);
  UnsubAck a;
  M2S_RETURN_IF_ERROR(ReadPacketId(r, &a.packet_id));
  if (version == ProtocolVersion::kV5) {
    M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kUnsubAck, limits, &a.properties));
    const size_t at = r.pos();
    a.reason_codes = r.Rest();
    M2S_RETURN_IF_ERROR(CheckReasonList(r, PacketType::kUnsubAck, version, a.reason_codes, at));
  }
  M2S_RETURN_IF_ERROR(r.ExpectEnd("end of packet"));
  return a;
}

StatusOr<Disconnect> DecodeDisconnect(const Frame& frame, ProtocolVersion version,
                                      const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kDisconnect}));
  Reader r = BodyReader(frame);
  Disconnect d;
  if (version == ProtocolVersion::kV5 && r.remaining() > 0) {
    M2S_RETURN_IF_ERROR(ReadReasonCode(r, PacketType::kDisconnect, version, &d.reason_code));
    if (r.remaining() > 0) {
      M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kDisconnect, limits, &d.properties));
    }
  }
  M2S_RETURN_IF_ERROR(r.ExpectEnd("end of packet"));
  return d;
}

StatusOr<Auth> DecodeAuth(const Frame& frame, ProtocolVersion version, const DecodeLimits& limits) {
  M2S_RETURN_IF_ERROR(CheckFrame(frame, {PacketType::kAuth}));
  Reader r = BodyReader(frame);
  if (version != ProtocolVersion::kV5) {
    return r.ErrorAt("fixed header", "AUTH requires MQTT 5", 0);
  }
  Auth a;
  if (r.remaining() > 0) {
    M2S_RETURN_IF_ERROR(ReadReasonCode(r, PacketType::kAuth, version, &a.reason_code));
    if (r.remaining() > 0) {
      M2S_RETURN_IF_ERROR(r.Properties(PropertyContext::kAuth, limits, &a.properties));
    }
  }
  M2S_RETURN_IF_ERROR(r.ExpectEnd("end of packet"));
  return a;
}

}  // namespace mqtt2s3::mqtt
