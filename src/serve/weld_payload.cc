// simdjson's DOM parser: payloads are small and the field is read once, so the simpler API
// costs nothing measurable here and needs no ondemand iterator care.
#include "serve/weld_payload.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "route/payload_inflater.h"

namespace mqtt2s3::serve {

struct WeldPayloadParser::Impl {
  simdjson::dom::parser parser;
  route::PayloadInflater inflater;  // keeps its zlib stream and buffer across payloads
  std::string why;
};

WeldPayloadParser::WeldPayloadParser() : impl_(std::make_unique<Impl>()) {}
WeldPayloadParser::~WeldPayloadParser() = default;

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
  if (route::LooksZlibOrGzip(payload)) {
    if (impl_->inflater.Inflate(payload, kMaxInflatedBytes, &payload, &impl_->why) !=
        route::InflateResult::kOk) {
      return bad(impl_->why);
    }
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
