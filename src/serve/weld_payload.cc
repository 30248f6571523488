// simdjson's DOM parser: payloads are small and the field is read once, so the simpler API
// costs nothing measurable here and needs no ondemand iterator care.
#include "serve/weld_payload.h"

#include <simdjson.h>
#include <zlib.h>

#include <charconv>
#include <cmath>

namespace mqtt2s3::serve {

struct WeldPayloadParser::Impl {
  simdjson::dom::parser parser;
  std::string inflated;
};

WeldPayloadParser::WeldPayloadParser() : impl_(std::make_unique<Impl>()) {}
WeldPayloadParser::~WeldPayloadParser() = default;

StatusOr<std::string> ZlibInflate(std::string_view data, size_t max_bytes) {
  z_stream zs{};
  // 15 + 32: window bits with automatic zlib / gzip header detection.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("zlib: inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (out.size() >= max_bytes) break;
    const size_t old = out.size();
    out.resize(std::min(max_bytes, old + 16384));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    zs.avail_out = static_cast<uInt>(out.size() - old);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(out.size() - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return Status::InvalidArgument(out.size() >= max_bytes
                                       ? "compressed payload inflates to more than " +
                                             std::to_string(max_bytes) + " bytes"
                                       : std::string("payload is neither JSON nor zlib/gzip data"));
  }
  return out;
}

StatusOr<double> WeldPayloadParser::Number(std::string_view payload, std::string_view pointer) {
  return Read(payload, pointer, pointer);
}

StatusOr<double> WeldPayloadParser::Field(std::string_view payload, std::string_view field) {
  return Read(payload, "/weldspot/" + std::string(field), "weldspot." + std::string(field));
}

StatusOr<double> WeldPayloadParser::Read(std::string_view payload, std::string_view pointer,
                                         std::string_view label) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(std::string(label) + ": " + std::string(why));
  };
  // zlib streams start with 0x78 (deflate, 32 KiB window), gzip with 0x1f; JSON never does.
  if (!payload.empty() && (static_cast<unsigned char>(payload[0]) == 0x78 ||
                           static_cast<unsigned char>(payload[0]) == 0x1f)) {
    auto inflated = ZlibInflate(payload, kMaxInflatedBytes);
    if (!inflated.ok()) return bad(inflated.status().message());
    impl_->inflated = std::move(*inflated);
    payload = impl_->inflated;
  }
  simdjson::dom::element doc;
  if (auto err = impl_->parser.parse(payload.data(), payload.size()).get(doc)) {
    return bad(std::string("payload is not JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::element value;
  if (doc.at_pointer(pointer).get(value) || value.is_null()) return bad("missing");
  double out = 0;
  if (value.is_string()) {
    std::string_view text = value.get_string().value_unsafe();
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      return bad("'" + std::string(text.substr(0, 40)) + "' is not a number");
    }
  } else if (value.is_number()) {
    out = value.get_double().value_unsafe();
  } else if (value.is_bool()) {
    out = value.get_bool().value_unsafe() ? 1 : 0;
  } else {
    return bad("not a number or numeric string");
  }
  if (!std::isfinite(out)) return bad("not a finite number");
  return out;
}

}  // namespace mqtt2s3::serve
