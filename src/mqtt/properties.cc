#include "mqtt/properties.h"

#include <array>

#include "mqtt/codec.h"
#include "mqtt/codec_wire.h"

namespace mqtt2s3::mqtt {
namespace {

using C = PropertyContext;
using T = PropertyType;

constexpr uint16_t Bit(C c) { return static_cast<uint16_t>(1u << static_cast<unsigned>(c)); }

constexpr uint16_t kAcks = Bit(C::kPubAck) | Bit(C::kPubRec) | Bit(C::kPubRel) | Bit(C::kPubComp);
constexpr uint16_t kPubAndWill = Bit(C::kPublish) | Bit(C::kWill);
constexpr uint16_t kEverywhere = 0x3FFF;  // all 14 contexts

// OASIS MQTT 5.0 section 2.2.2.2, table 2-4 (identifier, type, packets that may carry it).
constexpr PropertyInfo kTable[] = {
    {PropertyId::kPayloadFormatIndicator, T::kByte, "Payload Format Indicator", kPubAndWill, false},
    {PropertyId::kMessageExpiryInterval, T::kFourByteInt, "Message Expiry Interval", kPubAndWill,
     false},
    {PropertyId::kContentType, T::kUtf8String, "Content Type", kPubAndWill, false},
    {PropertyId::kResponseTopic, T::kUtf8String, "Response Topic", kPubAndWill, false},
    {PropertyId::kCorrelationData, T::kBinary, "Correlation Data", kPubAndWill, false},
    {PropertyId::kSubscriptionIdentifier, T::kVarInt, "Subscription Identifier",
     Bit(C::kPublish) | Bit(C::kSubscribe), false},
    {PropertyId::kSessionExpiryInterval, T::kFourByteInt, "Session Expiry Interval",
     Bit(C::kConnect) | Bit(C::kConnAck) | Bit(C::kDisconnect), false},
    {PropertyId::kAssignedClientIdentifier, T::kUtf8String, "Assigned Client Identifier",
     Bit(C::kConnAck), false},
    {PropertyId::kServerKeepAlive, T::kTwoByteInt, "Server Keep Alive", Bit(C::kConnAck), false},
    {PropertyId::kAuthenticationMethod, T::kUtf8String, "Authentication Method",
     Bit(C::kConnect) | Bit(C::kConnAck) | Bit(C::kAuth), false},
    {PropertyId::kAuthenticationData, T::kBinary, "Authentication Data",
     Bit(C::kConnect) | Bit(C::kConnAck) | Bit(C::kAuth), false},
    {PropertyId::kRequestProblemInformation, T::kByte, "Request Problem Information",
     Bit(C::kConnect), false},
    {PropertyId::kWillDelayInterval, T::kFourByteInt, "Will Delay Interval", Bit(C::kWill), false},
    {PropertyId::kRequestResponseInformation, T::kByte, "Request Response Information",
     Bit(C::kConnect), false},
    {PropertyId::kResponseInformation, T::kUtf8String, "Response Information", Bit(C::kConnAck),
     false},
    {PropertyId::kServerReference, T::kUtf8String, "Server Reference",
     Bit(C::kConnAck) | Bit(C::kDisconnect), false},
    {PropertyId::kReasonString, T::kUtf8String, "Reason String",
     Bit(C::kConnAck) | kAcks | Bit(C::kSubAck) | Bit(C::kUnsubAck) | Bit(C::kDisconnect) |
         Bit(C::kAuth),
     false},
    {PropertyId::kReceiveMaximum, T::kTwoByteInt, "Receive Maximum",
     Bit(C::kConnect) | Bit(C::kConnAck), false},
    {PropertyId::kTopicAliasMaximum, T::kTwoByteInt, "Topic Alias Maximum",
     Bit(C::kConnect) | Bit(C::kConnAck), false},
    {PropertyId::kTopicAlias, T::kTwoByteInt, "Topic Alias", Bit(C::kPublish), false},
    {PropertyId::kMaximumQoS, T::kByte, "Maximum QoS", Bit(C::kConnAck), false},
    {PropertyId::kRetainAvailable, T::kByte, "Retain Available", Bit(C::kConnAck), false},
    {PropertyId::kUserProperty, T::kStringPair, "User Property", kEverywhere, true},
    {PropertyId::kMaximumPacketSize, T::kFourByteInt, "Maximum Packet Size",
     Bit(C::kConnect) | Bit(C::kConnAck), false},
    {PropertyId::kWildcardSubscriptionAvailable, T::kByte, "Wildcard Subscription Available",
     Bit(C::kConnAck), false},
    {PropertyId::kSubscriptionIdentifierAvailable, T::kByte, "Subscription Identifier Available",
     Bit(C::kConnAck), false},
    {PropertyId::kSharedSubscriptionAvailable, T::kByte, "Shared Subscription Available",
     Bit(C::kConnAck), false},
};

constexpr size_t kMaxId = 0x2A;

constexpr std::array<const PropertyInfo*, kMaxId + 1> BuildIndex() {
  std::array<const PropertyInfo*, kMaxId + 1> index{};
  for (const PropertyInfo& info : kTable) index[static_cast<size_t>(info.id)] = &info;
  return index;
}
constexpr std::array<const PropertyInfo*, kMaxId + 1> kIndex = BuildIndex();

enum class ParseError { kNone, kUnknownId, kTruncated, kBadVarInt };

// Parses the property at raw[pos]. Shared by the iterator and the validator so both agree on
// where properties start and end.
ParseError ParseOne(std::string_view raw, size_t pos, Property* out, size_t* next,
                    const PropertyInfo** info_out) {
  const auto* p = reinterpret_cast<const uint8_t*>(raw.data());
  const size_t n = raw.size();
  const PropertyInfo* info = FindPropertyInfo(p[pos]);
  if (info == nullptr) return ParseError::kUnknownId;
  *info_out = info;
  out->id = info->id;
  out->number = 0;
  out->data = {};
  out->value = {};
  size_t i = pos + 1;
  auto read_str = [&](std::string_view* s) {
    if (n - i < 2) return false;
    size_t len = (size_t{p[i]} << 8) | p[i + 1];
    i += 2;
    if (n - i < len) return false;
    *s = raw.substr(i, len);
    i += len;
    return true;
  };
  switch (info->type) {
    case T::kByte:
      if (n - i < 1) return ParseError::kTruncated;
      out->number = p[i];
      i += 1;
      break;
    case T::kTwoByteInt:
      if (n - i < 2) return ParseError::kTruncated;
      out->number = (uint32_t{p[i]} << 8) | p[i + 1];
      i += 2;
      break;
    case T::kFourByteInt:
      if (n - i < 4) return ParseError::kTruncated;
      out->number = (uint32_t{p[i]} << 24) | (uint32_t{p[i + 1]} << 16) |
                    (uint32_t{p[i + 2]} << 8) | p[i + 3];
      i += 4;
      break;
    case T::kVarInt: {
      size_t len = 0;
      wire::VarIntResult r = wire::DecodeVarInt(p + i, n - i, &out->number, &len);
      if (r == wire::VarIntResult::kIncomplete) return ParseError::kTruncated;
      if (r != wire::VarIntResult::kOk) return ParseError::kBadVarInt;
      i += len;
      break;
    }
    case T::kUtf8String:
    case T::kBinary:
      if (!read_str(&out->data)) return ParseError::kTruncated;
      break;
    case T::kStringPair:
      if (!read_str(&out->data) || !read_str(&out->value)) return ParseError::kTruncated;
      break;
  }
  *next = i;
  return ParseError::kNone;
}

bool IsBoolean(PropertyId id) {
  switch (id) {
    case PropertyId::kPayloadFormatIndicator:
    case PropertyId::kRequestProblemInformation:
    case PropertyId::kRequestResponseInformation:
    case PropertyId::kMaximumQoS:
    case PropertyId::kRetainAvailable:
    case PropertyId::kWildcardSubscriptionAvailable:
    case PropertyId::kSubscriptionIdentifierAvailable:
    case PropertyId::kSharedSubscriptionAvailable:
      return true;
    default:
      return false;
  }
}

bool MustBeNonZero(PropertyId id) {
  return id == PropertyId::kReceiveMaximum || id == PropertyId::kTopicAlias ||
         id == PropertyId::kMaximumPacketSize || id == PropertyId::kSubscriptionIdentifier;
}

std::string ValueError(const PropertyInfo& info, std::string_view rule, uint32_t got) {
  return std::string(info.name) + " " + std::string(rule) + ", got " + std::to_string(got);
}

}  // namespace

const PropertyInfo* FindPropertyInfo(uint8_t id) { return id <= kMaxId ? kIndex[id] : nullptr; }

std::string_view PropertyName(PropertyId id) {
  const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(id));
  return info != nullptr ? info->name : std::string_view("unknown property");
}

std::string_view PropertyContextName(PropertyContext context) {
  switch (context) {
    case C::kConnect:
      return "CONNECT";
    case C::kWill:
      return "CONNECT Will";
    case C::kConnAck:
      return "CONNACK";
    case C::kPublish:
      return "PUBLISH";
    case C::kPubAck:
      return "PUBACK";
    case C::kPubRec:
      return "PUBREC";
    case C::kPubRel:
      return "PUBREL";
    case C::kPubComp:
      return "PUBCOMP";
    case C::kSubscribe:
      return "SUBSCRIBE";
    case C::kSubAck:
      return "SUBACK";
    case C::kUnsubscribe:
      return "UNSUBSCRIBE";
    case C::kUnsubAck:
      return "UNSUBACK";
    case C::kDisconnect:
      return "DISCONNECT";
    case C::kAuth:
      return "AUTH";
  }
  return "unknown packet";
}

bool IsPropertyAllowed(PropertyId id, PropertyContext context) {
  const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(id));
  return info != nullptr && (info->allowed_in & Bit(context)) != 0;
}

Status ValidateProperties(std::string_view raw, PropertyContext context, size_t base_offset) {
  const std::string_view packet = PropertyContextName(context);
  auto fail = [&](const std::string& what, size_t pos) {
    return Status::InvalidArgument(wire::ErrorText(packet, "properties", what, base_offset + pos));
  };
  uint64_t seen = 0;
  size_t pos = 0;
  while (pos < raw.size()) {
    Property prop;
    size_t next = 0;
    const PropertyInfo* info = nullptr;
    switch (ParseOne(raw, pos, &prop, &next, &info)) {
      case ParseError::kNone:
        break;
      case ParseError::kUnknownId:
        return fail("unknown property identifier " + std::to_string(static_cast<uint8_t>(raw[pos])),
                    pos);
      case ParseError::kTruncated:
        return fail(std::string(info->name) + " overruns the property block", pos);
      case ParseError::kBadVarInt:
        return fail(std::string(info->name) + ": malformed variable byte integer", pos + 1);
    }
    if ((info->allowed_in & Bit(context)) == 0) {
      return fail(std::string(info->name) + " not allowed in " + std::string(packet), pos);
    }
    const uint64_t bit = uint64_t{1} << static_cast<unsigned>(info->id);
    const bool repeatable = info->repeatable || (info->id == PropertyId::kSubscriptionIdentifier &&
                                                 context == C::kPublish);
    if ((seen & bit) != 0 && !repeatable) {
      return fail("duplicate " + std::string(info->name), pos);
    }
    seen |= bit;
    if (IsBoolean(info->id) && prop.number > 1) {
      return fail(ValueError(*info, "must be 0 or 1", prop.number), pos);
    }
    if (MustBeNonZero(info->id) && prop.number == 0) {
      return fail(ValueError(*info, "must not be 0", prop.number), pos);
    }
    if (info->type == T::kUtf8String || info->type == T::kStringPair) {
      for (std::string_view s : {prop.data, prop.value}) {
        size_t bad = wire::FindInvalidUtf8(s);
        if (bad != wire::kNoError) {
          return fail(std::string(info->name) + ": " + std::string(wire::Utf8ErrorWhat(s, bad)),
                      static_cast<size_t>(s.data() - raw.data()) + bad);
        }
      }
    }
    if (info->id == PropertyId::kResponseTopic) {
      std::string_view what;
      size_t bad = wire::CheckTopicName(prop.data, &what);
      if (bad == wire::kNoError && prop.data.empty()) {
        what = "empty topic name";
        bad = 0;
      }
      if (bad != wire::kNoError) {
        return fail("Response Topic: " + std::string(what),
                    static_cast<size_t>(prop.data.data() - raw.data()) + bad);
      }
    }
    pos = next;
  }
  return Status::Ok();
}

// ---- PropertiesView

PropertiesView::Iterator::Iterator(std::string_view raw, size_t pos) : raw_(raw), next_(pos) {
  Advance();
}

void PropertiesView::Iterator::Advance() {
  if (next_ >= raw_.size()) {
    pos_ = std::string_view::npos;
    return;
  }
  const PropertyInfo* info = nullptr;
  size_t next = 0;
  if (ParseOne(raw_, next_, &current_, &next, &info) != ParseError::kNone) {
    pos_ = std::string_view::npos;
    return;
  }
  pos_ = next_;
  next_ = next;
}

std::optional<Property> PropertiesView::Find(PropertyId id) const {
  for (const Property& p : *this) {
    if (p.id == id) return p;
  }
  return std::nullopt;
}

std::optional<uint32_t> PropertiesView::GetNumber(PropertyId id) const {
  if (auto p = Find(id)) return p->number;
  return std::nullopt;
}

std::optional<std::string_view> PropertiesView::GetData(PropertyId id) const {
  if (auto p = Find(id)) return p->data;
  return std::nullopt;
}

std::optional<std::string_view> PropertiesView::FindUserProperty(std::string_view key) const {
  for (const Property& p : *this) {
    if (p.id == PropertyId::kUserProperty && p.data == key) return p.value;
  }
  return std::nullopt;
}

size_t PropertiesView::CountUserProperties() const {
  size_t count = 0;
  for (const Property& p : *this) count += p.id == PropertyId::kUserProperty ? 1 : 0;
  return count;
}

std::optional<uint16_t> PropertiesView::TopicAlias() const {
  if (auto n = GetNumber(PropertyId::kTopicAlias)) return static_cast<uint16_t>(*n);
  return std::nullopt;
}

std::optional<uint8_t> PropertiesView::PayloadFormatIndicator() const {
  if (auto n = GetNumber(PropertyId::kPayloadFormatIndicator)) return static_cast<uint8_t>(*n);
  return std::nullopt;
}

}  // namespace mqtt2s3::mqtt
