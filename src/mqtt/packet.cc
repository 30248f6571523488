#include "mqtt/packet.h"

#include <type_traits>

namespace mqtt2s3::mqtt {

std::string_view PacketTypeName(PacketType type) {
  switch (type) {
    case PacketType::kConnect:
      return "CONNECT";
    case PacketType::kConnAck:
      return "CONNACK";
    case PacketType::kPublish:
      return "PUBLISH";
    case PacketType::kPubAck:
      return "PUBACK";
    case PacketType::kPubRec:
      return "PUBREC";
    case PacketType::kPubRel:
      return "PUBREL";
    case PacketType::kPubComp:
      return "PUBCOMP";
    case PacketType::kSubscribe:
      return "SUBSCRIBE";
    case PacketType::kSubAck:
      return "SUBACK";
    case PacketType::kUnsubscribe:
      return "UNSUBSCRIBE";
    case PacketType::kUnsubAck:
      return "UNSUBACK";
    case PacketType::kPingReq:
      return "PINGREQ";
    case PacketType::kPingResp:
      return "PINGRESP";
    case PacketType::kDisconnect:
      return "DISCONNECT";
    case PacketType::kAuth:
      return "AUTH";
  }
  return "RESERVED";
}

PacketType TypeOf(const Packet& packet) {
  return std::visit(
      [](const auto& p) -> PacketType {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Connect>)
          return PacketType::kConnect;
        else if constexpr (std::is_same_v<T, ConnAck>)
          return PacketType::kConnAck;
        else if constexpr (std::is_same_v<T, Publish>)
          return PacketType::kPublish;
        else if constexpr (std::is_same_v<T, Ack>)
          return p.type;
        else if constexpr (std::is_same_v<T, Subscribe>)
          return PacketType::kSubscribe;
        else if constexpr (std::is_same_v<T, SubAck>)
          return PacketType::kSubAck;
        else if constexpr (std::is_same_v<T, Unsubscribe>)
          return PacketType::kUnsubscribe;
        else if constexpr (std::is_same_v<T, UnsubAck>)
          return PacketType::kUnsubAck;
        else if constexpr (std::is_same_v<T, PingReq>)
          return PacketType::kPingReq;
        else if constexpr (std::is_same_v<T, PingResp>)
          return PacketType::kPingResp;
        else if constexpr (std::is_same_v<T, Disconnect>)
          return PacketType::kDisconnect;
        else
          return PacketType::kAuth;
      },
      packet);
}

}  // namespace mqtt2s3::mqtt
