#include "mqtt/reason_codes.h"

#include <algorithm>
#include <initializer_list>

#include "mqtt/codec.h"

namespace mqtt2s3::mqtt {
namespace {

// Names are the spec's (MQTT 5.0 table 2-6). 0x00 has three names; "Success" is the generic one.
std::string_view KnownName(uint8_t code) {
  switch (code) {
    case 0x00:
      return "Success";
    case 0x01:
      return "Granted QoS 1";
    case 0x02:
      return "Granted QoS 2";
    case 0x04:
      return "Disconnect with Will Message";
    case 0x10:
      return "No matching subscribers";
    case 0x11:
      return "No subscription existed";
    case 0x18:
      return "Continue authentication";
    case 0x19:
      return "Re-authenticate";
    case 0x80:
      return "Unspecified error";
    case 0x81:
      return "Malformed Packet";
    case 0x82:
      return "Protocol Error";
    case 0x83:
      return "Implementation specific error";
    case 0x84:
      return "Unsupported Protocol Version";
    case 0x85:
      return "Client Identifier not valid";
    case 0x86:
      return "Bad User Name or Password";
    case 0x87:
      return "Not authorized";
    case 0x88:
      return "Server unavailable";
    case 0x89:
      return "Server busy";
    case 0x8A:
      return "Banned";
    case 0x8B:
      return "Server shutting down";
    case 0x8C:
      return "Bad authentication method";
    case 0x8D:
      return "Keep Alive timeout";
    case 0x8E:
      return "Session taken over";
    case 0x8F:
      return "Topic Filter invalid";
    case 0x90:
      return "Topic Name invalid";
    case 0x91:
      return "Packet Identifier in use";
    case 0x92:
      return "Packet Identifier not found";
    case 0x93:
      return "Receive Maximum exceeded";
    case 0x94:
      return "Topic Alias invalid";
    case 0x95:
      return "Packet too large";
    case 0x96:
      return "Message rate too high";
    case 0x97:
      return "Quota exceeded";
    case 0x98:
      return "Administrative action";
    case 0x99:
      return "Payload format invalid";
    case 0x9A:
      return "Retain not supported";
    case 0x9B:
      return "QoS not supported";
    case 0x9C:
      return "Use another server";
    case 0x9D:
      return "Server moved";
    case 0x9E:
      return "Shared Subscriptions not supported";
    case 0x9F:
      return "Connection rate exceeded";
    case 0xA0:
      return "Maximum connect time";
    case 0xA1:
      return "Subscription Identifiers not supported";
    case 0xA2:
      return "Wildcard Subscriptions not supported";
    default:
      return {};
  }
}

}  // namespace

std::string_view ReasonCodeName(uint8_t code) {
  std::string_view name = KnownName(code);
  return name.empty() ? std::string_view("Unknown reason code") : name;
}

bool IsKnownReasonCode(uint8_t code) { return !KnownName(code).empty(); }

std::string_view ConnectReturnCodeName(uint8_t code) {
  switch (code) {
    case 0:
      return "Connection Accepted";
    case 1:
      return "Connection Refused, unacceptable protocol version";
    case 2:
      return "Connection Refused, identifier rejected";
    case 3:
      return "Connection Refused, Server unavailable";
    case 4:
      return "Connection Refused, bad user name or password";
    case 5:
      return "Connection Refused, not authorized";
    default:
      return "Reserved return code";
  }
}

namespace {

bool OneOf(uint8_t code, std::initializer_list<uint8_t> allowed) {
  return std::find(allowed.begin(), allowed.end(), code) != allowed.end();
}

}  // namespace

// The per-packet lists of MQTT 5.0 sections 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1,
// 3.9.3, 3.11.3, 3.14.2.1 and 3.15.2.1.
bool IsReasonCodeAllowed(PacketType type, ProtocolVersion version, uint8_t code) {
  if (version != ProtocolVersion::kV5) {
    if (type == PacketType::kConnAck) return code <= 5;
    if (type == PacketType::kSubAck) return OneOf(code, {0x00, 0x01, 0x02, 0x80});
    return code == 0;
  }
  switch (type) {
    case PacketType::kConnAck:
      return OneOf(code, {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                          0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F});
    case PacketType::kPubAck:
    case PacketType::kPubRec:
      return OneOf(code, {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99});
    case PacketType::kPubRel:
    case PacketType::kPubComp:
      return OneOf(code, {0x00, 0x92});
    case PacketType::kSubAck:
      return OneOf(code, {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2});
    case PacketType::kUnsubAck:
      return OneOf(code, {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91});
    case PacketType::kDisconnect:
      return OneOf(code, {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8C,
                          0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
                          0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2});
    case PacketType::kAuth:
      return OneOf(code, {0x00, 0x18, 0x19});
    default:
      return code == 0;
  }
}

}  // namespace mqtt2s3::mqtt
