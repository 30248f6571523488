// MQTT 3.1.1 / 5.0 codec: frame splitting, decoding and encoding of the packets in packet.h.
// Pure code: no I/O, no clocks, no global state. The wire is never trusted: every length is
// bounds-checked before use and nothing is allocated from a length field.
//
// Receive loop (many packets per socket read, no allocation per PUBLISH):
//
//   std::span<const uint8_t> rest(buf.data(), filled);
//   while (true) {
//     M2S_ASSIGN_OR_RETURN(SplitResult r, SplitFrame(rest, limits));
//     if (!r.frame) break;                        // keep the tail, read >= r.need_bytes more
//     if (r.frame->header.type == PacketType::kPublish) {
//       M2S_ASSIGN_OR_RETURN(Publish p, DecodePublish(*r.frame, version, limits));
//       Deliver(p);                               // views into buf
//     } else {
//       M2S_ASSIGN_OR_RETURN(Packet pkt, DecodePacket(*r.frame, version, limits));
//       Handle(pkt);
//     }
//     rest = rest.subspan(r.frame->bytes.size());
//   }
//
// Sending an ack without allocating (out has capacity):  EncodeAck(ack, version, out)
//
// Errors (never exceptions):
//   kInvalidArgument   malformed packet or protocol violation (MQTT 5 reason 0x81 / 0x82)
//   kResourceExhausted packet or property block larger than DecodeLimits (reason 0x95)
// Messages name packet, field and byte offset from the first byte of the packet, e.g.
//   "PUBLISH: topic name: invalid UTF-8 at offset 7".
// Thread-safety: all functions are reentrant; DecodeLimits is a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mqtt/packet.h"

namespace mqtt2s3::mqtt {

// Bounds applied while splitting and decoding. Values from a peer never exceed these.
struct DecodeLimits {
  // Largest accepted packet in bytes, counting the fixed header (the meaning of MQTT 5's
  // Maximum Packet Size). Default: the protocol maximum. Advertise the same value in CONNECT.
  uint32_t max_packet_size = kMaxPacketSize;
  // Largest accepted property block (Property Length value) in one packet or Will.
  uint32_t max_properties_length = kMaxVarInt;
  // Longest accepted topic name or topic filter, in bytes.
  uint16_t max_topic_length = 65'535;

  // max_packet_size >= 2 (smallest packet) and <= kMaxPacketSize; other fields > 0.
  Status Validate() const;
};

// The fixed header of one packet.
struct FrameHeader {
  PacketType type = PacketType::kPingReq;
  uint8_t flags = 0;          // low nibble of byte 1
  uint8_t header_length = 0;  // 1 + varint length (2..5)
  uint32_t remaining_length = 0;

  size_t packet_size() const { return size_t{header_length} + remaining_length; }
};

// One complete packet inside a caller's buffer.
struct Frame {
  FrameHeader header;
  std::span<const uint8_t> bytes;  // the whole packet: fixed header + variable header + payload

  std::span<const uint8_t> body() const { return bytes.subspan(header.header_length); }
};

struct SplitResult {
  // Set when the buffer starts with a complete packet.
  std::optional<Frame> frame;
  // When frame is unset: the minimum number of additional bytes needed before calling again
  // (exact once the fixed header is complete; 1 while the header itself is incomplete).
  size_t need_bytes = 0;
};

// Reads the fixed header at the front of `buffer` and returns the first complete packet, or how
// many more bytes are needed. Checks the packet type (0 is reserved), the reserved flag bits per
// type (PUBREL/SUBSCRIBE/UNSUBSCRIBE 0b0010, PUBLISH QoS != 3, others 0), the remaining length
// varint (at most 4 bytes, minimal encoding) and limits.max_packet_size — all before the body
// has arrived, so an oversized packet fails without any buffer growth.
StatusOr<SplitResult> SplitFrame(std::span<const uint8_t> buffer, const DecodeLimits& limits);

// ---- Decoding. `frame` comes from SplitFrame (decoders re-check its header). `version` is the
// ---- connection's negotiated protocol level (CONNECT carries its own and ignores it).

// Zero-allocation hot path.
StatusOr<Publish> DecodePublish(const Frame& frame, ProtocolVersion version,
                                const DecodeLimits& limits);
// PUBACK, PUBREC, PUBREL, PUBCOMP. Zero allocation.
StatusOr<Ack> DecodeAck(const Frame& frame, ProtocolVersion version, const DecodeLimits& limits);
StatusOr<Connect> DecodeConnect(const Frame& frame, const DecodeLimits& limits);
StatusOr<ConnAck> DecodeConnAck(const Frame& frame, ProtocolVersion version,
                                const DecodeLimits& limits);
StatusOr<Subscribe> DecodeSubscribe(const Frame& frame, ProtocolVersion version,
                                    const DecodeLimits& limits);
StatusOr<SubAck> DecodeSubAck(const Frame& frame, ProtocolVersion version,
                              const DecodeLimits& limits);
StatusOr<Unsubscribe> DecodeUnsubscribe(const Frame& frame, ProtocolVersion version,
                                        const DecodeLimits& limits);
StatusOr<UnsubAck> DecodeUnsubAck(const Frame& frame, ProtocolVersion version,
                                  const DecodeLimits& limits);
StatusOr<Disconnect> DecodeDisconnect(const Frame& frame, ProtocolVersion version,
                                      const DecodeLimits& limits);
// MQTT 5 only; an AUTH packet on a 3.1.1 connection is an error.
StatusOr<Auth> DecodeAuth(const Frame& frame, ProtocolVersion version, const DecodeLimits& limits);
// Any packet type, dispatched on frame.header.type (PINGREQ/PINGRESP included).
StatusOr<Packet> DecodePacket(const Frame& frame, ProtocolVersion version,
                              const DecodeLimits& limits);
// Convenience for tests and tools: `bytes` must hold exactly one complete packet.
StatusOr<Packet> DecodePacket(std::span<const uint8_t> bytes, ProtocolVersion version,
                              const DecodeLimits& limits = {});

// ---- Encoding. Each appends one packet to `out` and leaves `out` unchanged on error. Encoders
// ---- validate what they write (lengths, UTF-8, topic/filter syntax, properties allowed in the
// ---- packet, MQTT-5-only fields set on a 3.1.1 packet), so a peer never receives a malformed
// ---- packet from us. Appending allocates only if `out` lacks capacity.

Status EncodeConnect(const Connect& packet, std::vector<uint8_t>& out);
Status EncodeConnAck(const ConnAck& packet, ProtocolVersion version, std::vector<uint8_t>& out);
Status EncodePublish(const Publish& packet, ProtocolVersion version, std::vector<uint8_t>& out);
// PUBACK/PUBREC/PUBREL/PUBCOMP. MQTT 5 uses the short forms: 2 bytes of body when the reason is
// Success without properties, 3 with a reason code only.
Status EncodeAck(const Ack& packet, ProtocolVersion version, std::vector<uint8_t>& out);
Status EncodeSubscribe(const Subscribe& packet, ProtocolVersion version, std::vector<uint8_t>& out);
Status EncodeSubAck(const SubAck& packet, ProtocolVersion version, std::vector<uint8_t>& out);
Status EncodeUnsubscribe(const Unsubscribe& packet, ProtocolVersion version,
                         std::vector<uint8_t>& out);
Status EncodeUnsubAck(const UnsubAck& packet, ProtocolVersion version, std::vector<uint8_t>& out);
Status EncodePingReq(std::vector<uint8_t>& out);
Status EncodePingResp(std::vector<uint8_t>& out);
Status EncodeDisconnect(const Disconnect& packet, ProtocolVersion version,
                        std::vector<uint8_t>& out);
Status EncodeAuth(const Auth& packet, ProtocolVersion version, std::vector<uint8_t>& out);
// Any packet (CONNECT uses its own version field).
Status EncodePacket(const Packet& packet, ProtocolVersion version, std::vector<uint8_t>& out);

// Largest ack without properties: 1 type byte + 1 length byte + 2 packet id + 1 reason code.
inline constexpr size_t kMaxShortAckSize = 5;
// Writes an ack into a fixed buffer; returns the bytes written. kResourceExhausted when `out` is
// too small (an ack with properties may need more than kMaxShortAckSize).
StatusOr<size_t> EncodeAck(const Ack& packet, ProtocolVersion version, std::span<uint8_t> out);

// ---- Helpers shared with the session.

// Number of bytes the varint encoding of `value` takes (1..4); 0 when value > kMaxVarInt.
size_t VarIntSize(uint32_t value);
// True for a valid topic name (non-empty unless allow_empty, no '+' or '#', valid MQTT UTF-8).
bool IsValidTopicName(std::string_view topic, bool allow_empty = false);
// True for a valid topic filter (non-empty, '#' last and alone in its level, '+' alone in its
// level, valid MQTT UTF-8; "$share/{group}/{filter}" with a non-empty group free of + # /).
bool IsValidTopicFilter(std::string_view filter);
// True when `code` may appear as the reason code of `type` (MQTT 5 tables per packet; 3.1.1:
// CONNACK return codes 0..5, SUBACK 0/1/2/0x80, 0 elsewhere). Decoders and encoders use it.
bool IsReasonCodeAllowed(PacketType type, ProtocolVersion version, uint8_t code);
// True for well-formed UTF-8 without U+0000 (MQTT 1.5.4; surrogates are ill-formed UTF-8).
bool IsValidMqttUtf8(std::string_view text);

}  // namespace mqtt2s3::mqtt
