// libFuzzer target for the MQTT codec: the input is treated as a coalesced socket read and fed
// to the frame splitter and every decoder under both protocol versions and two sets of limits.
// Whatever decodes must re-encode, and the re-encoded packet must decode to the same fields
// (bytes may differ: MQTT 5 short forms of acks and DISCONNECT are canonicalised).
// Crashes, sanitizer reports and __builtin_trap() on a broken round trip are the findings.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "mqtt/codec.h"

namespace {

using mqtt2s3::mqtt::Ack;
using mqtt2s3::mqtt::DecodeLimits;
using mqtt2s3::mqtt::Packet;
using mqtt2s3::mqtt::PropertiesView;
using mqtt2s3::mqtt::Property;
using mqtt2s3::mqtt::ProtocolVersion;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Walks a property block the way the session would (values must lie inside the block).
void TouchProperties(const PropertiesView& props) {
  const char* begin = props.raw().data();
  const char* end = begin + props.raw().size();
  for (const Property& p : props) {
    for (std::string_view s : {p.data, p.value}) {
      if (!s.empty()) Check(s.data() >= begin && s.data() + s.size() <= end);
    }
  }
  (void)props.MessageExpiryInterval();
  (void)props.TopicAlias();
  (void)props.FindUserProperty("k");
}

PropertiesView PropertiesOf(const Packet& packet) {
  return std::visit(
      [](const auto& p) -> PropertiesView {
        if constexpr (requires { p.properties; }) {
          return p.properties;
        } else {
          return PropertiesView();
        }
      },
      packet);
}

void RoundTrip(const Packet& decoded, ProtocolVersion version, const DecodeLimits& limits) {
  std::vector<uint8_t> wire;
  mqtt2s3::Status s = mqtt2s3::mqtt::EncodePacket(decoded, version, wire);
  Check(s.ok());  // anything the decoder accepts, the encoder must accept
  mqtt2s3::StatusOr<Packet> again = mqtt2s3::mqtt::DecodePacket(wire, version, limits);
  Check(again.ok());
  Check(*again == decoded);
  if (const Ack* ack = std::get_if<Ack>(&decoded)) {
    uint8_t buf[64];
    mqtt2s3::StatusOr<size_t> n = mqtt2s3::mqtt::EncodeAck(*ack, version, std::span<uint8_t>(buf));
    if (n.ok()) Check(*n == wire.size() && std::equal(buf, buf + *n, wire.begin()));
  }
}

void Drain(std::span<const uint8_t> buf, ProtocolVersion version, const DecodeLimits& limits) {
  // Bounded: each step consumes at least two bytes or stops.
  while (!buf.empty()) {
    mqtt2s3::StatusOr<mqtt2s3::mqtt::SplitResult> r = mqtt2s3::mqtt::SplitFrame(buf, limits);
    if (!r.ok()) return;
    if (!r->frame) {
      Check(r->need_bytes > 0);
      return;
    }
    const mqtt2s3::mqtt::Frame& frame = *r->frame;
    Check(frame.bytes.size() >= 2 && frame.bytes.size() <= buf.size());
    Check(frame.bytes.size() <= limits.max_packet_size);
    mqtt2s3::StatusOr<Packet> packet = mqtt2s3::mqtt::DecodePacket(frame, version, limits);
    if (packet.ok()) {
      TouchProperties(PropertiesOf(*packet));
      if (const auto* will = std::get_if<mqtt2s3::mqtt::Connect>(&*packet)) {
        if (will->will) TouchProperties(will->will->properties);
      }
      RoundTrip(*packet,
                std::get_if<mqtt2s3::mqtt::Connect>(&*packet)
                    ? std::get<mqtt2s3::mqtt::Connect>(*packet).version
                    : version,
                limits);
    }
    buf = buf.subspan(frame.bytes.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  DecodeLimits small;
  small.max_packet_size = 96;
  small.max_properties_length = 24;
  small.max_topic_length = 12;
  for (ProtocolVersion v : {ProtocolVersion::kV311, ProtocolVersion::kV5}) {
    Drain(input, v, DecodeLimits());
    Drain(input, v, small);
  }
  return 0;
}
