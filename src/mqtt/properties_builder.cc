// PropertiesBuilder: serialises properties in wire format. Type and range errors are caught
// here; whether a property may appear in a packet is checked when the packet is encoded.
#include <string>

#include "mqtt/packet.h"
#include "mqtt/properties.h"

namespace mqtt2s3::mqtt {

namespace {

using T = PropertyType;

void AppendBigEndian(std::string& out, uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void AppendString(std::string& out, std::string_view s) {
  AppendBigEndian(out, static_cast<uint32_t>(s.size()), 2);
  out.append(s);
}

}  // namespace

PropertiesBuilder& PropertiesBuilder::Add(PropertyId id, uint32_t number) {
  if (!status_.ok()) return *this;
  const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(id));
  if (info == nullptr) {
    status_ = Status::InvalidArgument("properties: unknown property identifier " +
                                      std::to_string(static_cast<unsigned>(id)));
    return *this;
  }
  std::string bytes(1, static_cast<char>(id));
  switch (info->type) {
    case T::kByte:
      if (number > 0xFF) break;
      AppendBigEndian(bytes, number, 1);
      return Append(bytes);
    case T::kTwoByteInt:
      if (number > 0xFFFF) break;
      AppendBigEndian(bytes, number, 2);
      return Append(bytes);
    case T::kFourByteInt:
      AppendBigEndian(bytes, number, 4);
      return Append(bytes);
    case T::kVarInt: {
      if (number > kMaxVarInt) break;
      uint32_t v = number;
      do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        if (v != 0) b |= 0x80;
        bytes.push_back(static_cast<char>(b));
      } while (v != 0);
      return Append(bytes);
    }
    default:
      status_ = Status::InvalidArgument("properties: " + std::string(info->name) +
                                        " takes a string, not a number");
      return *this;
  }
  status_ = Status::InvalidArgument("properties: " + std::string(info->name) + " value " +
                                    std::to_string(number) + " out of range");
  return *this;
}

PropertiesBuilder& PropertiesBuilder::Add(PropertyId id, std::string_view data) {
  if (!status_.ok()) return *this;
  const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(id));
  if (info == nullptr || (info->type != T::kUtf8String && info->type != T::kBinary)) {
    status_ = Status::InvalidArgument("properties: " + std::string(PropertyName(id)) +
                                      " does not take a single string");
    return *this;
  }
  if (data.size() > kMaxStringLength) {
    status_ = Status::InvalidArgument("properties: " + std::string(info->name) +
                                      " longer than 65535 bytes");
    return *this;
  }
  std::string bytes(1, static_cast<char>(id));
  AppendString(bytes, data);
  return Append(bytes);
}

PropertiesBuilder& PropertiesBuilder::AddUserProperty(std::string_view key,
                                                      std::string_view value) {
  if (!status_.ok()) return *this;
  if (key.size() > kMaxStringLength || value.size() > kMaxStringLength) {
    status_ = Status::InvalidArgument("properties: User Property longer than 65535 bytes");
    return *this;
  }
  std::string bytes(1, static_cast<char>(PropertyId::kUserProperty));
  AppendString(bytes, key);
  AppendString(bytes, value);
  return Append(bytes);
}

PropertiesBuilder& PropertiesBuilder::Append(const std::string& encoded) {
  if (bytes_.size() + encoded.size() > kMaxVarInt) {
    status_ = Status::InvalidArgument("properties: block longer than 268435455 bytes");
    return *this;
  }
  bytes_.append(encoded);
  return *this;
}

}  // namespace mqtt2s3::mqtt
