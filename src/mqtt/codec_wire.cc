#include "mqtt/codec_wire.h"

#include <algorithm>
#include <cstring>

namespace mqtt2s3::mqtt::wire {

size_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c == 0) return i;  // MQTT-1.5.4-2
      ++i;
      continue;
    }
    // Ranges from RFC 3629 section 4: they exclude overlong forms, surrogates (ED A0..BF) and
    // code points above U+10FFFF, which is exactly what MQTT-1.5.4-1 forbids.
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (n - i < len) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return kNoError;
}

std::string_view Utf8ErrorWhat(std::string_view text, size_t bad) {
  if (bad < text.size() && text[bad] == '\0') return "U+0000 in UTF-8 string";
  return "invalid UTF-8";
}

VarIntResult DecodeVarInt(const uint8_t* p, size_t n, uint32_t* value, size_t* length) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (i >= n) return VarIntResult::kIncomplete;
    v |= static_cast<uint32_t>(p[i] & 0x7F) << (7 * i);
    if ((p[i] & 0x80) == 0) {
      // MQTT-1.5.5-1: minimum number of bytes, so a multi-byte form cannot end in 0x00.
      if (i > 0 && p[i] == 0) return VarIntResult::kNonMinimal;
      *value = v;
      *length = i + 1;
      return VarIntResult::kOk;
    }
  }
  return VarIntResult::kTooLong;
}

std::string ErrorText(std::string_view packet, std::string_view field, std::string_view what,
                      size_t offset) {
  std::string m;
  m.reserve(packet.size() + field.size() + what.size() + 24);
  m.append(packet).append(": ").append(field).append(": ").append(what);
  m.append(" at offset ").append(std::to_string(offset));
  return m;
}

size_t CheckTopicName(std::string_view topic, std::string_view* what) {
  for (size_t i = 0; i < topic.size(); ++i) {
    if (topic[i] == '+' || topic[i] == '#') {
      *what = "wildcard in topic name";
      return i;
    }
  }
  size_t bad = FindInvalidUtf8(topic);
  if (bad != kNoError) *what = Utf8ErrorWhat(topic, bad);
  return bad;
}

namespace {

// Checks the levels of a (non-shared) filter starting at `base` in `all`.
size_t CheckFilterLevels(std::string_view all, size_t base, std::string_view* what) {
  size_t level_start = base;
  for (size_t i = base; i <= all.size(); ++i) {
    if (i != all.size() && all[i] != '/') continue;
    std::string_view level = all.substr(level_start, i - level_start);
    for (size_t k = 0; k < level.size(); ++k) {
      char c = level[k];
      if (c != '+' && c != '#') continue;
      if (level.size() != 1) {
        *what = "wildcard must occupy a whole level";
        return level_start + k;
      }
      if (c == '#' && i != all.size()) {
        *what = "'#' must be the last level";
        return level_start + k;
      }
    }
    level_start = i + 1;
  }
  return kNoError;
}

}  // namespace

size_t CheckTopicFilter(std::string_view filter, std::string_view* what) {
  if (filter.empty()) {
    *what = "empty topic filter";
    return 0;
  }
  size_t bad = FindInvalidUtf8(filter);
  if (bad != kNoError) {
    *what = Utf8ErrorWhat(filter, bad);
    return bad;
  }
  constexpr std::string_view kShare = "$share/";
  size_t base = 0;
  if (filter.substr(0, kShare.size()) == kShare) {
    size_t slash = filter.find('/', kShare.size());
    if (slash == std::string_view::npos || slash == kShare.size() || slash + 1 == filter.size()) {
      *what = "shared subscription needs $share/{group}/{filter}";
      return 0;
    }
    for (size_t i = kShare.size(); i < slash; ++i) {
      if (filter[i] == '+' || filter[i] == '#') {
        *what = "wildcard in share name";
        return i;
      }
    }
    base = slash + 1;
  }
  return CheckFilterLevels(filter, base, what);
}

Status Reader::Need(std::string_view field, size_t n) const {
  if (remaining() >= n) return Status::Ok();
  std::string what =
      "truncated (needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left)";
  return Error(field, what);
}

std::string_view Reader::Take(size_t n) {
  std::string_view out(reinterpret_cast<const char*>(packet_.data()) + pos_, n);
  pos_ += n;
  return out;
}

Status Reader::Byte(std::string_view field, uint8_t* out) {
  M2S_RETURN_IF_ERROR(Need(field, 1));
  *out = packet_[pos_++];
  return Status::Ok();
}

Status Reader::U16(std::string_view field, uint16_t* out) {
  M2S_RETURN_IF_ERROR(Need(field, 2));
  *out = static_cast<uint16_t>((packet_[pos_] << 8) | packet_[pos_ + 1]);
  pos_ += 2;
  return Status::Ok();
}

Status Reader::U32(std::string_view field, uint32_t* out) {
  M2S_RETURN_IF_ERROR(Need(field, 4));
  *out = (uint32_t{packet_[pos_]} << 24) | (uint32_t{packet_[pos_ + 1]} << 16) |
         (uint32_t{packet_[pos_ + 2]} << 8) | uint32_t{packet_[pos_ + 3]};
  pos_ += 4;
  return Status::Ok();
}

Status Reader::VarInt(std::string_view field, uint32_t* out) {
  size_t len = 0;
  switch (DecodeVarInt(packet_.data() + pos_, remaining(), out, &len)) {
    case VarIntResult::kOk:
      pos_ += len;
      return Status::Ok();
    case VarIntResult::kIncomplete:
      return Error(field, "truncated variable byte integer");
    case VarIntResult::kTooLong:
      return Error(field, "variable byte integer longer than 4 bytes");
    case VarIntResult::kNonMinimal:
      return Error(field, "variable byte integer not minimally encoded");
  }
  return Error(field, "variable byte integer");
}

Status Reader::Binary(std::string_view field, std::string_view* out) {
  uint16_t len = 0;
  M2S_RETURN_IF_ERROR(U16(field, &len));
  M2S_RETURN_IF_ERROR(Need(field, len));
  *out = Take(len);
  return Status::Ok();
}

Status Reader::Utf8(std::string_view field, std::string_view* out) {
  M2S_RETURN_IF_ERROR(Binary(field, out));
  size_t bad = FindInvalidUtf8(*out);
  if (bad != kNoError) {
    return ErrorAt(field, Utf8ErrorWhat(*out, bad), pos_ - out->size() + bad);
  }
  return Status::Ok();
}

std::string_view Reader::Rest() { return Take(remaining()); }

Status Reader::Properties(PropertyContext context, const DecodeLimits& limits,
                          PropertiesView* out) {
  const size_t start = pos_;
  uint32_t len = 0;
  M2S_RETURN_IF_ERROR(VarInt("property length", &len));
  if (len > limits.max_properties_length) {
    return Status::ResourceExhausted(ErrorText(name_, "property length",
                                               std::to_string(len) +
                                                   " bytes exceeds the limit of " +
                                                   std::to_string(limits.max_properties_length),
                                               start));
  }
  if (len > remaining()) {
    return ErrorAt("property length",
                   std::to_string(len) + " bytes overruns the packet (" +
                       std::to_string(remaining()) + " left)",
                   start);
  }
  const size_t block_offset = pos_;
  std::string_view raw = Take(len);
  M2S_RETURN_IF_ERROR(ValidateProperties(raw, context, block_offset));
  *out = PropertiesView(raw);
  return Status::Ok();
}

Status Reader::ExpectEnd(std::string_view field) const {
  if (remaining() == 0) return Status::Ok();
  return Error(field, std::to_string(remaining()) + " unexpected trailing bytes");
}

void Sink::VarInt(uint32_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v != 0) b |= 0x80;
    Byte(b);
  } while (v != 0);
}

void Sink::Raw(std::string_view bytes) {
  if (out_ != nullptr && !bytes.empty()) std::memcpy(out_ + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

// ---- Decoder helpers

std::string Hex(uint8_t b) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 0xF];
}

// A Frame may be built by hand; re-check what SplitFrame guarantees before trusting it.
Status CheckFrame(const Frame& frame, std::initializer_list<PacketType> types) {
  const PacketType type = frame.header.type;
  if (std::find(types.begin(), types.end(), type) == types.end()) {
    return Status::InvalidArgument(
        wire::ErrorText(PacketTypeName(*types.begin()), "fixed header",
                        "unexpected packet type " + std::string(PacketTypeName(type)), 0));
  }
  if (frame.header.header_length < 2 || frame.bytes.size() != frame.header.packet_size() ||
      (frame.bytes[0] >> 4) != static_cast<uint8_t>(type) ||
      (frame.bytes[0] & 0x0F) != frame.header.flags) {
    return Status::InvalidArgument(wire::ErrorText(PacketTypeName(type), "fixed header",
                                                   "frame does not match its header", 0));
  }
  return wire::CheckFixedHeaderFlags(type, frame.header.flags);
}

Reader BodyReader(const Frame& frame) {
  return Reader(frame.bytes, frame.header.header_length, PacketTypeName(frame.header.type));
}

Status ReadPacketId(Reader& r, uint16_t* id) {
  const size_t at = r.pos();
  M2S_RETURN_IF_ERROR(r.U16("packet identifier", id));
  if (*id == 0) return r.ErrorAt("packet identifier", "must not be 0", at);
  return Status::Ok();
}

namespace {

Status CheckTopicLength(Reader& r, std::string_view field, std::string_view topic,
                        const DecodeLimits& limits, size_t at) {
  if (topic.size() <= limits.max_topic_length) return Status::Ok();
  return Status::ResourceExhausted(wire::ErrorText(r.name(), field,
                                                   std::to_string(topic.size()) +
                                                       " bytes exceeds the limit of " +
                                                       std::to_string(limits.max_topic_length),
                                                   at));
}

}  // namespace

Status ReadTopicName(Reader& r, std::string_view field, const DecodeLimits& limits,
                     bool allow_empty, std::string_view* topic) {
  const size_t at = r.pos();
  M2S_RETURN_IF_ERROR(r.Binary(field, topic));
  M2S_RETURN_IF_ERROR(CheckTopicLength(r, field, *topic, limits, at));
  if (topic->empty() && !allow_empty) return r.ErrorAt(field, "empty topic name", at);
  std::string_view what;
  size_t bad = wire::CheckTopicName(*topic, &what);
  if (bad != wire::kNoError) return r.ErrorAt(field, what, at + 2 + bad);
  return Status::Ok();
}

Status ReadTopicFilter(Reader& r, const DecodeLimits& limits, std::string_view* filter) {
  const size_t at = r.pos();
  M2S_RETURN_IF_ERROR(r.Binary("topic filter", filter));
  M2S_RETURN_IF_ERROR(CheckTopicLength(r, "topic filter", *filter, limits, at));
  std::string_view what;
  size_t bad = wire::CheckTopicFilter(*filter, &what);
  if (bad != wire::kNoError) return r.ErrorAt("topic filter", what, at + 2 + bad);
  return Status::Ok();
}

Status ReadReasonCode(Reader& r, PacketType type, ProtocolVersion version, uint8_t* code) {
  const size_t at = r.pos();
  M2S_RETURN_IF_ERROR(r.Byte("reason code", code));
  if (!IsReasonCodeAllowed(type, version, *code)) {
    return r.ErrorAt("reason code", Hex(*code) + " is not valid in " + std::string(r.name()), at);
  }
  return Status::Ok();
}

Status CheckReasonList(Reader& r, PacketType type, ProtocolVersion version, std::string_view codes,
                       size_t at) {
  if (codes.empty()) return r.ErrorAt("reason codes", "at least one is required", at);
  for (size_t i = 0; i < codes.size(); ++i) {
    const auto c = static_cast<uint8_t>(codes[i]);
    if (!IsReasonCodeAllowed(type, version, c)) {
      return r.ErrorAt("reason codes", Hex(c) + " is not valid in " + std::string(r.name()),
                       at + i);
    }
  }
  return Status::Ok();
}

PropertyContext AckContext(PacketType type) {
  switch (type) {
    case PacketType::kPubRec:
      return PropertyContext::kPubRec;
    case PacketType::kPubRel:
      return PropertyContext::kPubRel;
    case PacketType::kPubComp:
      return PropertyContext::kPubComp;
    default:
      return PropertyContext::kPubAck;
  }
}

}  // namespace mqtt2s3::mqtt::wire
