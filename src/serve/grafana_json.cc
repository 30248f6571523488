// Requests are parsed with simdjson's DOM API into plain structs; responses are written by
// hand (small, fixed shapes) so the bytes are predictable for tests.
#include "serve/grafana_json.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "mqtt2s3/reader.h"

namespace mqtt2s3::serve {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

Status Bad(std::string_view member, std::string_view expected) {
  return Status::InvalidArgument("request member '" + std::string(member) + "': expected " +
                                 std::string(expected));
}

StatusOr<element> ParseBody(simdjson::dom::parser& parser, std::string_view body) {
  if (body.size() > kMaxRequestBodyBytes) {
    return Status::InvalidArgument("request body of " + std::to_string(body.size()) +
                                   " bytes is larger than the limit of " +
                                   std::to_string(kMaxRequestBodyBytes));
  }
  element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc)) {
    return Status::InvalidArgument(std::string("request body is not JSON: ") +
                                   simdjson::error_message(err));
  }
  if (!doc.is_object()) return Status::InvalidArgument("request body: expected a JSON object");
  return doc;
}

// Optional string member; absent or null gives "".
StatusOr<std::string> OptString(object obj, std::string_view key, std::string_view where) {
  element v;
  if (obj[key].get(v) || v.is_null()) return std::string();
  if (!v.is_string()) return Bad(std::string(where) + std::string(key), "a string");
  return std::string(v.get_string().value_unsafe());
}

// Optional non-negative number member; absent or null gives 0.
StatusOr<double> OptNumber(object obj, std::string_view key) {
  element v;
  if (obj[key].get(v) || v.is_null()) return 0.0;
  double d = 0;
  if (v.get_double().get(d) || !std::isfinite(d) || d < 0) {
    return Bad(key, "a non-negative number");
  }
  return d;
}

void ReadPayload(object obj, std::map<std::string, std::string, std::less<>>* out) {
  object payload;
  if (obj["payload"].get(payload)) return;  // absent, or not an object (Grafana: a string)
  for (auto [key, value] : payload) {
    if (value.is_string()) {
      out->emplace(std::string(key), std::string(value.get_string().value_unsafe()));
    }
  }
}

Status ReadRange(object obj, bool required, bool* has, int64_t* from, int64_t* to) {
  object range;
  if (obj["range"].get(range)) {
    if (required) return Bad("range", "an object with 'from' and 'to' times");
    return Status::Ok();
  }
  for (auto [key, out] : {std::pair{"from", from}, {"to", to}}) {
    std::string_view text;
    if (range[key].get(text)) {
      return Bad(std::string("range.") + key, "an ISO 8601 time string");
    }
    auto t = ParseGrafanaTime(text);
    if (!t.ok()) return t.status().WithContext(std::string("request member 'range.") + key + "'");
    *out = *t;
  }
  if (*from > *to) {
    return Status::InvalidArgument("request member 'range': 'from' is after 'to'");
  }
  *has = true;
  return Status::Ok();
}

}  // namespace

StatusOr<int64_t> ParseGrafanaTime(std::string_view text) {
  if (text.find('+') != std::string_view::npos ||
      (text.size() > 19 && text.substr(19).find('-') != std::string_view::npos)) {
    return Status::InvalidArgument("time '" + std::string(text) +
                                   "': only UTC ('Z') is accepted, as Grafana sends");
  }
  return ParseTimeArg(text);
}

StatusOr<QueryRequest> ParseQueryRequest(std::string_view body) {
  simdjson::dom::parser parser;
  M2S_ASSIGN_OR_RETURN(element doc, ParseBody(parser, body));
  object obj = doc.get_object().value_unsafe();
  QueryRequest q;
  bool has_range = false;
  M2S_RETURN_IF_ERROR(ReadRange(obj, true, &has_range, &q.from_ms, &q.to_ms));
  M2S_ASSIGN_OR_RETURN(double interval, OptNumber(obj, "intervalMs"));
  M2S_ASSIGN_OR_RETURN(double max_points, OptNumber(obj, "maxDataPoints"));
  q.interval_ms = static_cast<int64_t>(std::min(interval, 1e15));
  q.max_data_points = static_cast<size_t>(std::min(max_points, 1e9));
  simdjson::dom::array targets;
  if (obj["targets"].get(targets)) return Bad("targets", "an array of target objects");
  size_t i = 0;
  for (element t : targets) {
    const std::string where = "targets[" + std::to_string(i++) + "].";
    object tobj;
    if (t.get(tobj)) return Bad(where, "a target object");
    if (q.targets.size() == kMaxTargets) {
      return Status::InvalidArgument("request member 'targets': more than " +
                                     std::to_string(kMaxTargets) + " targets");
    }
    QueryTargetSpec spec;
    M2S_ASSIGN_OR_RETURN(spec.target, OptString(tobj, "target", where));
    M2S_ASSIGN_OR_RETURN(spec.ref_id, OptString(tobj, "refId", where));
    bool hide = false;
    spec.hide = !tobj["hide"].get(hide) && hide;
    ReadPayload(tobj, &spec.payload);
    q.targets.push_back(std::move(spec));
  }
  return q;
}

StatusOr<LookupRequest> ParseLookupRequest(std::string_view body) {
  LookupRequest r;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return r;
  simdjson::dom::parser parser;
  M2S_ASSIGN_OR_RETURN(element doc, ParseBody(parser, body));
  object obj = doc.get_object().value_unsafe();
  M2S_ASSIGN_OR_RETURN(r.target, OptString(obj, "target", ""));
  M2S_ASSIGN_OR_RETURN(r.metric, OptString(obj, "metric", ""));
  M2S_ASSIGN_OR_RETURN(r.name, OptString(obj, "name", ""));
  ReadPayload(obj, &r.payload);
  // /variable carries the query text as payload.target.
  if (r.target.empty()) {
    if (auto it = r.payload.find("target"); it != r.payload.end()) r.target = it->second;
  }
  M2S_RETURN_IF_ERROR(ReadRange(obj, false, &r.has_range, &r.from_ms, &r.to_ms));
  return r;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
      ++i;
    } else if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else {
      // Copy a valid UTF-8 sequence whole; replace an invalid byte by U+FFFD.
      const size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
      bool ok = len != 0 && c < 0xf5 && i + len <= s.size();
      for (size_t k = 1; ok && k < len; ++k) {
        ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
      }
      if (ok && len == 3) {
        const auto c1 = static_cast<unsigned char>(s[i + 1]);
        ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogate
      } else if (ok && len == 4) {
        const auto c1 = static_cast<unsigned char>(s[i + 1]);
        ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
      }
      if (ok) {
        out->append(s.substr(i, len));
        i += len;
      } else {
        out->append("\xef\xbf\xbd");
        ++i;
      }
    }
  }
  out->push_back('"');
}

void AppendJsonNumber(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, ec == std::errc() ? end : buf);
}

std::string RenderTimeSeries(const std::vector<TimeSeries>& series) {
  std::string out = "[";
  for (size_t s = 0; s < series.size(); ++s) {
    if (s) out += ',';
    out += "{\"target\":";
    AppendJsonString(series[s].target, &out);
    out += ",\"datapoints\":[";
    const std::vector<Point>& pts = series[s].points;
    for (size_t i = 0; i < pts.size(); ++i) {
      if (i) out += ',';
      out += '[';
      AppendJsonNumber(pts[i].value, &out);
      out += ',';
      out += std::to_string(pts[i].time_ms);
      out += ']';
    }
    out += "]}";
  }
  out += ']';
  return out;
}

std::string RenderStrings(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(values[i], &out);
  }
  out += ']';
  return out;
}

std::string RenderOptions(const std::vector<std::pair<std::string, std::string>>& options,
                          std::string_view text_key, std::string_view value_key) {
  std::string out = "[";
  for (size_t i = 0; i < options.size(); ++i) {
    if (i) out += ',';
    out += '{';
    AppendJsonString(text_key, &out);
    out += ':';
    AppendJsonString(options[i].first, &out);
    out += ',';
    AppendJsonString(value_key, &out);
    out += ':';
    AppendJsonString(options[i].second, &out);
    out += '}';
  }
  out += ']';
  return out;
}

std::string RenderError(const Status& status) {
  std::string out = "{\"error\":";
  AppendJsonString(status.message(), &out);
  out += ",\"code\":";
  AppendJsonString(StatusCodeName(status.code()), &out);
  out += '}';
  return out;
}

}  // namespace mqtt2s3::serve
