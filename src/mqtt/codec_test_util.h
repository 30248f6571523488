// Test helpers shared by the codec tests: byte-vector literals and one-shot encode/decode.
// Not linked into the library.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "mqtt/codec.h"

namespace mqtt2s3::mqtt::testing {

inline std::vector<uint8_t> Bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

inline std::vector<uint8_t> Concat(std::vector<uint8_t> a, const std::string& text) {
  a.insert(a.end(), text.begin(), text.end());
  return a;
}

inline std::vector<uint8_t> MustEncode(const Packet& packet, ProtocolVersion version) {
  std::vector<uint8_t> out;
  Status s = EncodePacket(packet, version, out);
  if (!s.ok()) out.clear();
  return out;
}

}  // namespace mqtt2s3::mqtt::testing
