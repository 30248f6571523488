// MQTT 5.0 properties (OASIS MQTT 5.0, section 2.2.2): identifiers, their wire types, which
// packets may carry them, a zero-copy view over a property block, and a builder for encoding.
//
//   // Reading (the view points into the receive buffer; no allocation):
//   if (auto expiry = publish.properties.MessageExpiryInterval()) ...;
//   for (const Property& p : publish.properties)
//     if (p.id == PropertyId::kUserProperty) Use(p.data /*key*/, p.value);
//
//   // Writing:
//   PropertiesBuilder props;
//   props.Add(PropertyId::kReceiveMaximum, 100).Add(PropertyId::kSessionExpiryInterval, 3600);
//   M2S_RETURN_IF_ERROR(props.status());
//   connect.properties = props.view();   // valid while `props` lives and is not modified
//
// A property block's raw bytes are the bytes after the Property Length varint. Views handed out
// by the decoder and by PropertiesBuilder have been validated (types, lengths, UTF-8, allowed on
// the packet, no duplicates); iterating a view over unvalidated bytes is safe (it stops at the
// first malformed property) but may silently skip data, so validate first with
// ValidateProperties.
// Thread-safety: PropertiesView is an immutable value (safe to share if the bytes outlive it);
// PropertiesBuilder is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::mqtt {

enum class PropertyId : uint8_t {
  kPayloadFormatIndicator = 0x01,      // byte: PUBLISH, Will
  kMessageExpiryInterval = 0x02,       // four-byte int: PUBLISH, Will
  kContentType = 0x03,                 // UTF-8: PUBLISH, Will
  kResponseTopic = 0x08,               // UTF-8: PUBLISH, Will
  kCorrelationData = 0x09,             // binary: PUBLISH, Will
  kSubscriptionIdentifier = 0x0B,      // varint: PUBLISH (repeatable), SUBSCRIBE
  kSessionExpiryInterval = 0x11,       // four-byte int: CONNECT, CONNACK, DISCONNECT
  kAssignedClientIdentifier = 0x12,    // UTF-8: CONNACK
  kServerKeepAlive = 0x13,             // two-byte int: CONNACK
  kAuthenticationMethod = 0x15,        // UTF-8: CONNECT, CONNACK, AUTH
  kAuthenticationData = 0x16,          // binary: CONNECT, CONNACK, AUTH
  kRequestProblemInformation = 0x17,   // byte: CONNECT
  kWillDelayInterval = 0x18,           // four-byte int: Will
  kRequestResponseInformation = 0x19,  // byte: CONNECT
  kResponseInformation = 0x1A,         // UTF-8: CONNACK
  kServerReference = 0x1C,             // UTF-8: CONNACK, DISCONNECT
  kReasonString = 0x1F,                // UTF-8: CONNACK, acks, SUBACK, UNSUBACK, DISCONNECT, AUTH
  kReceiveMaximum = 0x21,              // two-byte int: CONNECT, CONNACK
  kTopicAliasMaximum = 0x22,           // two-byte int: CONNECT, CONNACK
  kTopicAlias = 0x23,                  // two-byte int: PUBLISH
  kMaximumQoS = 0x24,                  // byte: CONNACK
  kRetainAvailable = 0x25,             // byte: CONNACK
  kUserProperty = 0x26,                // UTF-8 pair: every packet with properties (repeatable)
  kMaximumPacketSize = 0x27,           // four-byte int: CONNECT, CONNACK
  kWildcardSubscriptionAvailable = 0x28,    // byte: CONNACK
  kSubscriptionIdentifierAvailable = 0x29,  // byte: CONNACK
  kSharedSubscriptionAvailable = 0x2A,      // byte: CONNACK
};

enum class PropertyType : uint8_t {
  kByte,
  kTwoByteInt,
  kFourByteInt,
  kVarInt,
  kUtf8String,
  kBinary,
  kStringPair,
};

// Where a property block sits. kWill is the CONNECT payload's Will Properties.
enum class PropertyContext : uint8_t {
  kConnect,
  kWill,
  kConnAck,
  kPublish,
  kPubAck,
  kPubRec,
  kPubRel,
  kPubComp,
  kSubscribe,
  kSubAck,
  kUnsubscribe,
  kUnsubAck,
  kDisconnect,
  kAuth,
};

// Static facts about one property identifier.
struct PropertyInfo {
  PropertyId id;
  PropertyType type;
  std::string_view name;  // the spec's name, e.g. "Message Expiry Interval"
  uint16_t allowed_in;    // bit (1 << PropertyContext) per context that may carry it
  bool repeatable;        // User Property everywhere; Subscription Identifier in PUBLISH
};

// Info for a wire identifier, or nullptr when the identifier is not defined by MQTT 5.0.
const PropertyInfo* FindPropertyInfo(uint8_t id);
// "Message Expiry Interval"; "unknown property" for undefined ids.
std::string_view PropertyName(PropertyId id);
// "PUBLISH", "Will properties", ... (used in error messages).
std::string_view PropertyContextName(PropertyContext context);
// True when a property may appear in `context` per the spec's table.
bool IsPropertyAllowed(PropertyId id, PropertyContext context);

// One decoded property. Which fields are set depends on its type:
//   byte / two-byte / four-byte / varint -> number
//   UTF-8 string / binary                -> data
//   string pair (User Property)          -> data = key, value = value
// Views point into the property block's bytes.
struct Property {
  PropertyId id = PropertyId::kUserProperty;
  uint32_t number = 0;
  std::string_view data;
  std::string_view value;

  friend bool operator==(const Property&, const Property&) = default;
};

// A read-only, non-owning view of a property block. Copying is cheap (a string_view).
// Equality compares the raw bytes.
class PropertiesView {
 public:
  // Forward iterator yielding Property values; ends early at the first malformed property.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Property;
    using difference_type = std::ptrdiff_t;
    using pointer = const Property*;
    using reference = const Property&;

    Iterator() = default;
    const Property& operator*() const { return current_; }
    const Property* operator->() const { return &current_; }
    Iterator& operator++() {
      Advance();
      return *this;
    }
    Iterator operator++(int) {
      Iterator copy = *this;
      Advance();
      return copy;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.pos_ == b.pos_; }

   private:
    friend class PropertiesView;
    Iterator(std::string_view raw, size_t pos);
    void Advance();  // parses the property at next_, or becomes end()

    std::string_view raw_;
    size_t pos_ = std::string_view::npos;  // npos == end
    size_t next_ = 0;
    Property current_;
  };

  PropertiesView() = default;
  // `raw`: the bytes after the Property Length varint. Not copied; must outlive the view.
  explicit PropertiesView(std::string_view raw) : raw_(raw) {}

  std::string_view raw() const { return raw_; }
  bool empty() const { return raw_.empty(); }
  Iterator begin() const { return Iterator(raw_, 0); }
  Iterator end() const { return Iterator(); }

  // First property with this id.
  std::optional<Property> Find(PropertyId id) const;
  // Numeric value of the first property with this id (byte, int, varint types).
  std::optional<uint32_t> GetNumber(PropertyId id) const;
  // String / binary value of the first property with this id.
  std::optional<std::string_view> GetData(PropertyId id) const;
  // Value of the first User Property with this key.
  std::optional<std::string_view> FindUserProperty(std::string_view key) const;
  // Number of User Properties.
  size_t CountUserProperties() const;

  // Shorthands for the properties the hot path reads.
  std::optional<uint32_t> MessageExpiryInterval() const {
    return GetNumber(PropertyId::kMessageExpiryInterval);
  }
  std::optional<uint16_t> TopicAlias() const;
  std::optional<std::string_view> ContentType() const { return GetData(PropertyId::kContentType); }
  std::optional<uint8_t> PayloadFormatIndicator() const;
  std::optional<std::string_view> ReasonString() const {
    return GetData(PropertyId::kReasonString);
  }

  friend bool operator==(const PropertiesView& a, const PropertiesView& b) {
    return a.raw_ == b.raw_;
  }

 private:
  std::string_view raw_;
};

// Checks a raw property block: every identifier defined, the value fits its type and the block,
// strings are valid MQTT UTF-8, value ranges the spec fixes (e.g. Receive Maximum != 0), the
// property is allowed in `context`, and single-occurrence properties appear once.
// `base_offset` is added to byte offsets in error messages (offset of raw[0] in the packet).
// Error: kInvalidArgument "PUBLISH: properties: duplicate Topic Alias at offset 12".
Status ValidateProperties(std::string_view raw, PropertyContext context, size_t base_offset = 0);

// Builds a property block for encoding. Errors (wrong type for the id, string longer than 65535
// bytes, block longer than the varint maximum) are sticky: status() reports the first one and
// later Add calls are ignored. Allowed-in-packet checks happen when the packet is encoded.
// Lifecycle: fill, then take view(); the view dangles after the builder is modified or dies.
class PropertiesBuilder {
 public:
  // Byte, two-byte, four-byte and varint properties.
  PropertiesBuilder& Add(PropertyId id, uint32_t number);
  // UTF-8 string and binary properties.
  PropertiesBuilder& Add(PropertyId id, std::string_view data);
  PropertiesBuilder& AddUserProperty(std::string_view key, std::string_view value);

  const Status& status() const { return status_; }
  PropertiesView view() const { return PropertiesView(bytes_); }
  void Clear() {
    bytes_.clear();
    status_ = Status::Ok();
  }

 private:
  PropertiesBuilder& Append(const std::string& encoded);

  std::string bytes_;
  Status status_;
};

}  // namespace mqtt2s3::mqtt
