#include <string>

#include "mqtt/codec.h"
#include "mqtt/codec_wire.h"

namespace mqtt2s3::mqtt {

Status DecodeLimits::Validate() const {
  if (max_packet_size < 2 || max_packet_size > kMaxPacketSize) {
    return Status::InvalidArgument("mqtt decode limits: max_packet_size must be in [2, " +
                                   std::to_string(kMaxPacketSize) + "], got " +
                                   std::to_string(max_packet_size));
  }
  if (max_properties_length == 0 || max_properties_length > kMaxVarInt) {
    return Status::InvalidArgument("mqtt decode limits: max_properties_length must be in [1, " +
                                   std::to_string(kMaxVarInt) + "]");
  }
  if (max_topic_length == 0) {
    return Status::InvalidArgument("mqtt decode limits: max_topic_length must be > 0");
  }
  return Status::Ok();
}

namespace wire {

Status CheckFixedHeaderFlags(PacketType type, uint8_t flags) {
  const std::string_view name = PacketTypeName(type);
  switch (type) {
    case PacketType::kPublish:
      if (((flags >> 1) & 0x3) == 3) {
        return Status::InvalidArgument(ErrorText(name, "fixed header", "QoS 3 is invalid", 0));
      }
      // MQTT-3.3.1-2: DUP must be 0 for QoS 0.
      if ((flags & 0x8) != 0 && ((flags >> 1) & 0x3) == 0) {
        return Status::InvalidArgument(ErrorText(name, "fixed header", "DUP set on QoS 0", 0));
      }
      return Status::Ok();
    case PacketType::kPubRel:
    case PacketType::kSubscribe:
    case PacketType::kUnsubscribe:
      if (flags == 0x2) return Status::Ok();
      break;
    default:
      if (flags == 0) return Status::Ok();
      break;
  }
  return Status::InvalidArgument(ErrorText(
      name, "fixed header",
      "reserved flags 0x" + std::string(1, "0123456789abcdef"[flags & 0xF]) + " are invalid", 0));
}

}  // namespace wire

StatusOr<SplitResult> SplitFrame(std::span<const uint8_t> buffer, const DecodeLimits& limits) {
  SplitResult result;
  if (buffer.empty()) {
    result.need_bytes = 1;
    return result;
  }
  const auto type = static_cast<PacketType>(buffer[0] >> 4);
  const uint8_t flags = buffer[0] & 0x0F;
  if (buffer[0] >> 4 == 0) {
    return Status::InvalidArgument(
        wire::ErrorText("RESERVED", "fixed header", "packet type 0 is reserved", 0));
  }
  M2S_RETURN_IF_ERROR(wire::CheckFixedHeaderFlags(type, flags));

  uint32_t remaining = 0;
  size_t varint_len = 0;
  switch (wire::DecodeVarInt(buffer.data() + 1, buffer.size() - 1, &remaining, &varint_len)) {
    case wire::VarIntResult::kOk:
      break;
    case wire::VarIntResult::kIncomplete:
      result.need_bytes = 1;
      return result;
    case wire::VarIntResult::kTooLong:
      return Status::InvalidArgument(
          wire::ErrorText(PacketTypeName(type), "remaining length", "longer than 4 bytes", 1));
    case wire::VarIntResult::kNonMinimal:
      return Status::InvalidArgument(
          wire::ErrorText(PacketTypeName(type), "remaining length", "not minimally encoded", 1));
  }
  FrameHeader header;
  header.type = type;
  header.flags = flags;
  header.header_length = static_cast<uint8_t>(1 + varint_len);
  header.remaining_length = remaining;
  const size_t size = header.packet_size();
  if (size > limits.max_packet_size) {
    // Decided from the header alone: the caller never buffers the oversized body.
    return Status::ResourceExhausted(wire::ErrorText(PacketTypeName(type), "remaining length",
                                                     "packet of " + std::to_string(size) +
                                                         " bytes exceeds the maximum packet size " +
                                                         std::to_string(limits.max_packet_size),
                                                     1));
  }
  if (buffer.size() < size) {
    result.need_bytes = size - buffer.size();
    return result;
  }
  result.frame = Frame{header, buffer.first(size)};
  return result;
}

}  // namespace mqtt2s3::mqtt
