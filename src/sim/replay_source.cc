#include "sim/replay_source.h"

// See route/json_fields.cc: GCC 12 reports -Wnull-dereference inside simdjson's inlined code.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <simdjson.h>


namespace mqtt2s3::sim {

// The DOM parser validates the whole line and gives a minified re-serialization, so a
// recorded payload is published as compact single-line JSON whatever its spacing.
struct ReplaySource::Parser {
  simdjson::dom::parser dom;
};

ReplaySource::ReplaySource(std::string path, ReplayOptions options)
    : path_(std::move(path)), options_(std::move(options)), parser_(std::make_unique<Parser>()) {}

ReplaySource::~ReplaySource() = default;

StatusOr<std::unique_ptr<ReplaySource>> ReplaySource::Open(const std::string& path,
                                                           ReplayOptions options) {
  std::unique_ptr<ReplaySource> src(new ReplaySource(path, std::move(options)));
  src->in_.open(path, std::ios::binary);
  if (!src->in_) return Status::NotFound("replay file '" + path + "' cannot be opened");
  return src;
}

Status ReplaySource::ParseLine(std::string_view line, SimMessage* out) {
  out->last_of_device = false;
  simdjson::dom::element root;
  if (auto err = parser_->dom.parse(line.data(), line.size(), true).get(root)) {
    return Status::InvalidArgument(std::string("not JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return Status::InvalidArgument("expected a JSON object");
  simdjson::dom::element topic;
  simdjson::dom::element payload;
  const bool has_topic = !obj["topic"].get(topic);
  const bool has_payload = !obj["payload"].get(payload);
  if (has_topic != has_payload) {
    return Status::InvalidArgument("\"topic\" and \"payload\" go together");
  }
  std::string text;
  if (has_topic) {
    std::string_view t;
    if (topic.get_string().get(t) || t.empty()) {
      return Status::InvalidArgument("\"topic\" must be a non-empty string");
    }
    out->topic.assign(t);
    std::string_view p;
    if (!payload.get_string().get(p)) {
      text.assign(p);
    } else {
      text = simdjson::minify(payload);
    }
  } else {
    out->topic = options_.default_topic;
    text = simdjson::minify(root);
  }
  if (!options_.compress) {
    out->payload = std::move(text);
    return Status::Ok();
  }
  return deflater_.Compress(text, &out->payload);
}

bool ReplaySource::Next(SimMessage* out) {
  if (!status_.ok()) return false;
  while (std::getline(in_, line_)) {
    ++line_number_;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.find_first_not_of(" \t") == std::string::npos) continue;
    Status s = line_.size() > options_.max_line_bytes
                   ? Status::InvalidArgument("line longer than " +
                                             std::to_string(options_.max_line_bytes) + " bytes")
                   : ParseLine(line_, out);
    if (!s.ok()) {
      status_ = s.WithContext(path_ + ":" + std::to_string(line_number_));
      return false;
    }
    return true;
  }
  if (in_.bad()) status_ = Status::IOError("reading replay file '" + path_ + "' failed");
  return false;
}

}  // namespace mqtt2s3::sim
