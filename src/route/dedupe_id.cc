#include "route/dedupe_id.h"

namespace mqtt2s3::route {

void AppendContentHash(std::string_view topic, std::string_view payload, std::string* out) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(topic);
  mix(std::string_view("\0", 1));
  mix(payload);
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out->push_back(kHex[(h >> shift) & 0xF]);
}

void AppendDedupeId(const CompiledRoute& route, const RouteResult& result,
                    std::optional<std::string_view> user_property, std::string_view topic,
                    std::string_view payload, std::string* out) {
  if (!result.dedupe_id.empty()) {
    out->append(result.dedupe_id);
  } else if (user_property && !route.dedupe_user_property().empty()) {
    out->append(*user_property);
  } else {
    AppendContentHash(topic, payload, out);
  }
}

}  // namespace mqtt2s3::route
