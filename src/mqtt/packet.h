// MQTT 3.1.1 (protocol level 4) and 5.0 (level 5) control packets as plain structs of views.
//
// The same structs serve decoding and encoding:
//   - decoded packets point into the receive buffer (string_view fields, PropertiesView), so
//     decoding a PUBLISH allocates nothing; the buffer must outlive the packet;
//   - to encode, fill the struct with views of your own data and call the matching Encode* in
//     codec.h before that data goes away.
// Binary fields (payload, password, will payload) are std::string_view too: raw bytes, may contain
// NUL, never UTF-8-checked. Fields that only exist in MQTT 5 (properties, reason codes in acks)
// are ignored by 3.1.1 encoders when empty/zero and rejected when set (see codec.h).
//
//   Publish p;                       // (designated initializers trip GCC 12's
//   p.topic = "a/b";                 //  -Wmissing-field-initializers; assign fields instead)
//   p.payload = body;
//   p.qos = QoS::kAtLeastOnce;
//   p.packet_id = 7;
//
// Thread-safety: plain values; the views are as thread-safe as the bytes behind them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "mqtt/properties.h"
#include "mqtt/reason_codes.h"

namespace mqtt2s3::mqtt {

enum class ProtocolVersion : uint8_t {
  kV311 = 4,  // MQTT 3.1.1
  kV5 = 5,    // MQTT 5.0
};

// Fixed-header packet type (upper nibble of byte 1). 0 is reserved / invalid.
enum class PacketType : uint8_t {
  kConnect = 1,
  kConnAck = 2,
  kPublish = 3,
  kPubAck = 4,
  kPubRec = 5,
  kPubRel = 6,
  kPubComp = 7,
  kSubscribe = 8,
  kSubAck = 9,
  kUnsubscribe = 10,
  kUnsubAck = 11,
  kPingReq = 12,
  kPingResp = 13,
  kDisconnect = 14,
  kAuth = 15,  // MQTT 5 only
};

// "CONNECT", "PUBLISH", ...; "RESERVED" for 0 and anything out of range.
std::string_view PacketTypeName(PacketType type);

enum class QoS : uint8_t {
  kAtMostOnce = 0,
  kAtLeastOnce = 1,
  kExactlyOnce = 2,
};

// Largest values the protocol allows.
inline constexpr uint32_t kMaxRemainingLength = 268'435'455;  // 4-byte varint maximum
inline constexpr uint32_t kMaxPacketSize = 268'435'460;       // 1 + 4 + kMaxRemainingLength
inline constexpr uint32_t kMaxVarInt = kMaxRemainingLength;
inline constexpr size_t kMaxStringLength = 65'535;  // two-byte length prefix

// The Will Message inside CONNECT.
struct Will {
  std::string_view topic;
  std::string_view payload;  // binary
  QoS qos = QoS::kAtMostOnce;
  bool retain = false;
  PropertiesView properties;  // MQTT 5 Will Properties

  friend bool operator==(const Will&, const Will&) = default;
};

struct Connect {
  ProtocolVersion version = ProtocolVersion::kV5;
  std::string_view client_id;  // may be empty (server assigns one when clean_start)
  bool clean_start = true;     // "Clean Session" in 3.1.1
  uint16_t keep_alive_s = 60;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;  // binary; 3.1.1 requires a username with it
  std::optional<Will> will;
  PropertiesView properties;  // MQTT 5 only

  friend bool operator==(const Connect&, const Connect&) = default;
};

struct ConnAck {
  bool session_present = false;
  // MQTT 5: a reason code (reason_codes.h). MQTT 3.1.1: a ConnectReturnCode (0..5).
  uint8_t reason_code = 0;
  PropertiesView properties;  // MQTT 5 only

  friend bool operator==(const ConnAck&, const ConnAck&) = default;
};

// The hot-path packet. Decoding it yields views into the receive buffer: no allocation.
struct Publish {
  std::string_view topic;    // may be empty in MQTT 5 when properties carry a Topic Alias
  std::string_view payload;  // binary application message
  QoS qos = QoS::kAtMostOnce;
  bool dup = false;
  bool retain = false;
  uint16_t packet_id = 0;     // non-zero iff qos > 0
  PropertiesView properties;  // MQTT 5 only

  friend bool operator==(const Publish&, const Publish&) = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape; `type` says which.
struct Ack {
  PacketType type = PacketType::kPubAck;
  uint16_t packet_id = 0;     // non-zero
  uint8_t reason_code = 0;    // MQTT 5 only; 0 = Success
  PropertiesView properties;  // MQTT 5 only

  friend bool operator==(const Ack&, const Ack&) = default;
};

// Subscription Options byte of SUBSCRIBE (MQTT 5 section 3.8.3.1; 3.1.1 has only max_qos).
struct SubscribeOptions {
  QoS max_qos = QoS::kAtLeastOnce;
  bool no_local = false;             // MQTT 5 only
  bool retain_as_published = false;  // MQTT 5 only
  uint8_t retain_handling = 0;       // MQTT 5 only: 0, 1 or 2

  friend bool operator==(const SubscribeOptions&, const SubscribeOptions&) = default;
};

struct SubscribeTopic {
  std::string_view filter;  // topic filter, may hold wildcards, e.g. "$share/g/sensors/#"
  SubscribeOptions options;

  friend bool operator==(const SubscribeTopic&, const SubscribeTopic&) = default;
};

// Not on the hot path: decoding fills a vector (bounded by the packet size).
struct Subscribe {
  uint16_t packet_id = 0;              // non-zero
  std::vector<SubscribeTopic> topics;  // at least one
  PropertiesView properties;           // MQTT 5 only (Subscription Identifier, User Property)

  friend bool operator==(const Subscribe&, const Subscribe&) = default;
};

struct SubAck {
  uint16_t packet_id = 0;
  // One byte per requested filter, in order: granted QoS 0..2 or an error code >= 0x80.
  std::string_view reason_codes;
  PropertiesView properties;  // MQTT 5 only

  friend bool operator==(const SubAck&, const SubAck&) = default;
};

struct Unsubscribe {
  uint16_t packet_id = 0;                 // non-zero
  std::vector<std::string_view> filters;  // at least one
  PropertiesView properties;              // MQTT 5 only

  friend bool operator==(const Unsubscribe&, const Unsubscribe&) = default;
};

struct UnsubAck {
  uint16_t packet_id = 0;
  std::string_view reason_codes;  // MQTT 5 only (one byte per filter); empty in 3.1.1
  PropertiesView properties;      // MQTT 5 only

  friend bool operator==(const UnsubAck&, const UnsubAck&) = default;
};

struct PingReq {
  friend bool operator==(const PingReq&, const PingReq&) = default;
};

struct PingResp {
  friend bool operator==(const PingResp&, const PingResp&) = default;
};

struct Disconnect {
  uint8_t reason_code = 0;    // MQTT 5 only; 0 = Normal disconnection
  PropertiesView properties;  // MQTT 5 only

  friend bool operator==(const Disconnect&, const Disconnect&) = default;
};

// MQTT 5 only.
struct Auth {
  uint8_t reason_code = 0;  // 0x00 Success, 0x18 Continue authentication, 0x19 Re-authenticate
  PropertiesView properties;

  friend bool operator==(const Auth&, const Auth&) = default;
};

// Any packet. Ack stands for PUBACK, PUBREC, PUBREL and PUBCOMP.
using Packet = std::variant<Connect, ConnAck, Publish, Ack, Subscribe, SubAck, Unsubscribe,
                            UnsubAck, PingReq, PingResp, Disconnect, Auth>;

// The fixed-header type of a packet value.
PacketType TypeOf(const Packet& packet);

}  // namespace mqtt2s3::mqtt
