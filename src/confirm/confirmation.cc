#include "confirm/confirmation.h"

#include <simdjson.h>

namespace mqtt2s3::confirm {
namespace {

// JSON string escaping; bytes >= 0x80 are passed through (UTF-8 is the common case, and an
// invalid sequence would make the payload invalid JSON, so those are escaped as \u00XX).
void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
    } else if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else {
      // Copy a whole valid UTF-8 sequence, else escape the byte.
      size_t len = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
      bool valid = len > 0 && i + len <= s.size();
      for (size_t k = 1; valid && k < len; ++k) {
        valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      }
      if (valid) {
        out->append(s.substr(i, len));
        i += len - 1;
      } else {
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
      }
    }
  }
  out->push_back('"');
}

}  // namespace

void ConfirmationEncoder::Begin(std::string_view instance, std::string_view bucket,
                                std::string_view key, std::string* out) {
  out_ = out;
  out_->clear();
  out_->append("{\"v\":1,\"instance\":");
  AppendJsonString(instance, out_);
  out_->append(",\"bucket\":");
  AppendJsonString(bucket, out_);
  out_->append(",\"key\":");
  AppendJsonString(key, out_);
  out_->append(",\"ids\":[");
  first_ = true;
}

void ConfirmationEncoder::AddId(std::string_view id) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendJsonString(id, out_);
}

void ConfirmationEncoder::Finish() { out_->append("]}"); }

StatusOr<Confirmation> ParseConfirmation(std::string_view payload) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(payload.data(), payload.size()).get(root) != simdjson::SUCCESS) {
    return Status::InvalidArgument("confirmation: not valid JSON");
  }
  int64_t version = 0;
  if (root["v"].get(version) != simdjson::SUCCESS || version != kConfirmationVersion) {
    return Status::InvalidArgument("confirmation: field 'v' must be 1");
  }
  Confirmation c;
  auto text = [&](const char* name, std::string* dst) -> Status {
    std::string_view v;
    if (root[name].get(v) != simdjson::SUCCESS) {
      return Status::InvalidArgument(std::string("confirmation: field '") + name +
                                     "' missing or not a string");
    }
    dst->assign(v);
    return Status::Ok();
  };
  M2S_RETURN_IF_ERROR(text("instance", &c.instance));
  M2S_RETURN_IF_ERROR(text("bucket", &c.bucket));
  M2S_RETURN_IF_ERROR(text("key", &c.key));
  simdjson::dom::array ids;
  if (root["ids"].get(ids) != simdjson::SUCCESS) {
    return Status::InvalidArgument("confirmation: field 'ids' missing or not an array");
  }
  c.ids.reserve(ids.size());
  for (simdjson::dom::element e : ids) {
    std::string_view id;
    if (e.get(id) != simdjson::SUCCESS) {
      return Status::InvalidArgument("confirmation: 'ids' must hold strings only");
    }
    c.ids.emplace_back(id);
  }
  return c;
}

}  // namespace mqtt2s3::confirm
