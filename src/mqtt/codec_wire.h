// Internal to the mqtt codec: bounds-checked wire primitives shared by the frame splitter, the
// decoders, the encoders and the property code. Not part of the public API.
//
// Reader walks one packet with absolute offsets (from the packet's first byte) so every error
// names the packet, the field and where it happened. Sink writes big-endian MQTT primitives to a
// pre-sized buffer, or only counts them when given no buffer, so encoders size a packet exactly
// before touching the output.
// Thread-safety: Reader and Sink are single-use stack objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "mqtt/codec.h"
#include "mqtt/properties.h"

namespace mqtt2s3::mqtt::wire {

inline constexpr size_t kNoError = std::string_view::npos;

// Offset of the first byte that breaks MQTT UTF-8 (ill-formed sequence, surrogate, overlong,
// > U+10FFFF, or U+0000), or kNoError.
size_t FindInvalidUtf8(std::string_view text);
// "invalid UTF-8" or "U+0000 in UTF-8 string" for the byte at FindInvalidUtf8's answer.
std::string_view Utf8ErrorWhat(std::string_view text, size_t bad);

enum class VarIntResult { kOk, kIncomplete, kTooLong, kNonMinimal };
// Decodes a Variable Byte Integer (MQTT 1.5.5) from at most 4 of the n bytes at p.
VarIntResult DecodeVarInt(const uint8_t* p, size_t n, uint32_t* value, size_t* length);

// "PUBLISH: topic name: invalid UTF-8 at offset 7"
std::string ErrorText(std::string_view packet, std::string_view field, std::string_view what,
                      size_t offset);

// Validates a topic name; returns kNoError or the offset (inside topic) of the offending byte.
// `what` receives a short reason on failure.
size_t CheckTopicName(std::string_view topic, std::string_view* what);
size_t CheckTopicFilter(std::string_view filter, std::string_view* what);

// Reserved fixed-header flag bits (MQTT 2.1.3): PUBREL, SUBSCRIBE and UNSUBSCRIBE need 0b0010,
// PUBLISH carries DUP/QoS/RETAIN (QoS 3 is malformed), every other type needs 0.
Status CheckFixedHeaderFlags(PacketType type, uint8_t flags);

class Reader {
 public:
  // Reads packet[pos, packet.size()). `packet_name` prefixes every error.
  Reader(std::span<const uint8_t> packet, size_t pos, std::string_view packet_name)
      : packet_(packet), pos_(pos), name_(packet_name) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return packet_.size() - pos_; }
  std::string_view name() const { return name_; }

  Status ErrorAt(std::string_view field, std::string_view what, size_t offset) const {
    return Status::InvalidArgument(ErrorText(name_, field, what, offset));
  }
  Status Error(std::string_view field, std::string_view what) const {
    return ErrorAt(field, what, pos_);
  }

  Status Byte(std::string_view field, uint8_t* out);
  Status U16(std::string_view field, uint16_t* out);
  Status U32(std::string_view field, uint32_t* out);
  Status VarInt(std::string_view field, uint32_t* out);
  // Two-byte length prefix + bytes.
  Status Binary(std::string_view field, std::string_view* out);
  // Two-byte length prefix + MQTT UTF-8 (validated).
  Status Utf8(std::string_view field, std::string_view* out);
  // All remaining bytes.
  std::string_view Rest();
  // Property Length + block, validated for `context`, bounded by limits.
  Status Properties(PropertyContext context, const DecodeLimits& limits, PropertiesView* out);
  // Error unless every byte has been consumed.
  Status ExpectEnd(std::string_view field) const;

 private:
  Status Need(std::string_view field, size_t n) const;
  std::string_view Take(size_t n);

  std::span<const uint8_t> packet_;
  size_t pos_;
  std::string_view name_;
};

// Writes MQTT primitives at `out` (which must have room), or only counts when out == nullptr.
class Sink {
 public:
  explicit Sink(uint8_t* out) : out_(out) {}

  size_t size() const { return size_; }
  void Byte(uint8_t b) {
    if (out_ != nullptr) out_[size_] = b;
    ++size_;
  }
  void U16(uint16_t v) {
    Byte(static_cast<uint8_t>(v >> 8));
    Byte(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v >> 16));
    U16(static_cast<uint16_t>(v));
  }
  void VarInt(uint32_t v);
  void Raw(std::string_view bytes);
  // Two-byte length prefix + bytes (caller has checked the length fits).
  void Str(std::string_view bytes) {
    U16(static_cast<uint16_t>(bytes.size()));
    Raw(bytes);
  }
  void Properties(PropertiesView props) {
    VarInt(static_cast<uint32_t>(props.raw().size()));
    Raw(props.raw());
  }

 private:
  uint8_t* out_;
  size_t size_ = 0;
};

// ---- Decoder helpers (shared by codec_decode.cc and codec_decode_control.cc).

// "0x87"
std::string Hex(uint8_t b);
// A Frame may be built by hand; re-checks what SplitFrame guarantees (type among `types`, sizes,
// flags) before the decoder trusts it.
Status CheckFrame(const Frame& frame, std::initializer_list<PacketType> types);
// Reader over the frame's body, errors prefixed with the packet name.
Reader BodyReader(const Frame& frame);
// Two-byte packet identifier; 0 is an error (MQTT-2.2.1-3).
Status ReadPacketId(Reader& r, uint16_t* id);
// Length-prefixed topic name: length limit, wildcards, UTF-8.
Status ReadTopicName(Reader& r, std::string_view field, const DecodeLimits& limits,
                     bool allow_empty, std::string_view* topic);
// Length-prefixed topic filter: length limit, wildcard placement, $share syntax, UTF-8.
Status ReadTopicFilter(Reader& r, const DecodeLimits& limits, std::string_view* filter);
// One reason code byte, checked with IsReasonCodeAllowed for the reader's packet.
Status ReadReasonCode(Reader& r, PacketType type, ProtocolVersion version, uint8_t* code);
// A non-empty list of reason codes starting at packet offset `at`.
Status CheckReasonList(Reader& r, PacketType type, ProtocolVersion version, std::string_view codes,
                       size_t at);
PropertyContext AckContext(PacketType type);

inline std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace mqtt2s3::mqtt::wire
