#include "route/json_fields.h"

// GCC 12 has reported -Wnull-dereference inside simdjson's inlined token_iterator (a
// middle-end warning that depends on inlining decisions, so it comes and goes with unrelated
// edits here). Keep it off for this one adapter file so -Werror builds stay stable.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <simdjson.h>

#include <cstdint>
#include <string>

namespace mqtt2s3::route {

struct JsonFields::Impl {
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  std::string padded;  // payload copy + SIMDJSON_PADDING; capacity kept across messages
  std::string_view payload;
  enum class State : uint8_t { kUnparsed, kParsed, kFailed } state = State::kUnparsed;
  // Full validation, used only on the failure path (see Missing()).
  std::unique_ptr<simdjson::dom::parser> validator;
  enum class Valid : uint8_t { kUnknown, kYes, kNo } valid = Valid::kUnknown;
  // Fields already read from this payload: a route usually reads one pointer twice (the time
  // field, and the same field in the index key), and each at_pointer walks the document from
  // its start. Values are copied into memo_bytes: a rewind (the next at_pointer) reuses the
  // parser's string buffer, so simdjson's own views would not survive.
  struct Memo {
    std::string_view pointer;
    uint32_t offset;
    uint32_t size;
    JsonFieldResult result;
  };
  static constexpr size_t kMemoSlots = 4;
  Memo memo[kMemoSlots];
  size_t memo_count = 0;
  std::string memo_bytes;  // capacity kept across messages

  // ondemand parses lazily, so "not json" or a truncated document can look like a missing
  // field. Before we blame the field, check the whole payload once with the DOM parser: a
  // dead letter must say invalid_json when the payload is not JSON.
  JsonFieldResult Missing() {
    if (valid == Valid::kUnknown) {
      if (!validator) validator = std::make_unique<simdjson::dom::parser>();
      simdjson::dom::element unused;
      valid = validator->parse(padded.data(), payload.size(), false).get(unused) ? Valid::kNo
                                                                                  : Valid::kYes;
    }
    if (valid == Valid::kYes) return JsonFieldResult::kMissing;
    return Fail();
  }

  // After a hard error simdjson's document is unusable (rewinding it dereferences a reset
  // iterator, found by fuzz/fuzz_route.cc): never touch it again for this payload.
  JsonFieldResult Fail() {
    state = State::kFailed;
    return JsonFieldResult::kInvalidJson;
  }

  bool EnsureParsed() {
    if (state == State::kParsed) return true;
    if (state == State::kFailed) return false;
    // ondemand reads up to SIMDJSON_PADDING bytes past the end; MQTT payload buffers carry no
    // such guarantee, so copy into our own reused, padded buffer.
    padded.assign(payload);
    padded.resize(payload.size() + simdjson::SIMDJSON_PADDING, '\0');
    auto err = parser.iterate(padded.data(), payload.size(), padded.size()).get(doc);
    state = err ? State::kFailed : State::kParsed;
    return !err;
  }
};

JsonFields::JsonFields() : impl_(std::make_unique<Impl>()) {}
JsonFields::~JsonFields() = default;
JsonFields::JsonFields(JsonFields&&) noexcept = default;
JsonFields& JsonFields::operator=(JsonFields&&) noexcept = default;

void JsonFields::Reset(std::string_view payload) {
  impl_->payload = payload;
  impl_->state = Impl::State::kUnparsed;
  impl_->valid = Impl::Valid::kUnknown;
  impl_->memo_count = 0;
  impl_->memo_bytes.clear();
}

JsonFieldResult JsonFields::Get(std::string_view pointer, std::string_view* value) {
  Impl& im = *impl_;
  for (size_t i = 0; i < im.memo_count; ++i) {
    const Impl::Memo& m = im.memo[i];
    if (m.pointer == pointer) {
      if (m.result == JsonFieldResult::kOk) {
        *value = std::string_view(im.memo_bytes).substr(m.offset, m.size);
      }
      return m.result;
    }
  }
  std::string_view v;
  const JsonFieldResult r = Read(pointer, &v);
  if (r == JsonFieldResult::kOk) *value = v;
  if (im.memo_count < Impl::kMemoSlots && im.state != Impl::State::kFailed &&
      im.memo_bytes.size() + v.size() <= UINT32_MAX) {
    im.memo[im.memo_count++] = {pointer, static_cast<uint32_t>(im.memo_bytes.size()),
                                static_cast<uint32_t>(v.size()), r};
    im.memo_bytes.append(v);
  }
  return r;
}

bool JsonFields::IsValid() {
  Impl& im = *impl_;
  if (im.valid == Impl::Valid::kUnknown) {
    // EnsureParsed makes the padded copy the DOM parser needs, whatever ondemand says.
    if (im.state == Impl::State::kUnparsed) im.EnsureParsed();
    if (!im.validator) im.validator = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::element unused;
    im.valid = im.validator->parse(im.padded.data(), im.payload.size(), false).get(unused)
                   ? Impl::Valid::kNo
                   : Impl::Valid::kYes;
  }
  return im.valid == Impl::Valid::kYes;
}

JsonFieldResult JsonFields::Read(std::string_view pointer, std::string_view* value) {
  if (!impl_->EnsureParsed()) return JsonFieldResult::kInvalidJson;
  simdjson::ondemand::value v;
  // document::at_pointer rewinds, so several fields of one message can be read in any order.
  auto err = impl_->doc.at_pointer(pointer).get(v);
  if (err == simdjson::NO_SUCH_FIELD || err == simdjson::INDEX_OUT_OF_BOUNDS ||
      err == simdjson::INCORRECT_TYPE || err == simdjson::INVALID_JSON_POINTER) {
    return impl_->Missing();
  }
  if (err) return impl_->Fail();
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return impl_->Fail();
  switch (type) {
    case simdjson::ondemand::json_type::string:
      if (v.get_string().get(*value)) return impl_->Fail();
      return JsonFieldResult::kOk;
    case simdjson::ondemand::json_type::number: {
      std::string_view raw = v.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                              raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      // ondemand does not validate a number until asked; refuse garbage like "12abc".
      double unused;
      if (v.get_double().get(unused)) return impl_->Fail();
      *value = raw;
      return JsonFieldResult::kOk;
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b;
      if (v.get_bool().get(b)) return impl_->Fail();
      *value = b ? "true" : "false";
      return JsonFieldResult::kOk;
    }
    default:
      return impl_->Missing();
  }
}

}  // namespace mqtt2s3::route
