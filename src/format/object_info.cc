#include "format/object_info.h"

#include <charconv>

#include "format/encoding.h"
#include "format/index_format.h"

namespace mqtt2s3::format {
namespace {

const std::string* Find(const Metadata& m, std::string_view name) {
  auto it = m.find(std::string(name));
  return it == m.end() ? nullptr : &it->second;
}

StatusOr<std::string> Required(const Metadata& m, std::string_view name) {
  const std::string* v = Find(m, name);
  if (v == nullptr) return Status::InvalidArgument("object metadata lacks " + std::string(name));
  return *v;
}

template <typename T>
StatusOr<T> RequiredNumber(const Metadata& m, std::string_view name) {
  M2S_ASSIGN_OR_RETURN(std::string text, Required(m, name));
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status::InvalidArgument("object metadata " + std::string(name) + " is not a number: '" +
                                   text.substr(0, 64) + "'");
  }
  return value;
}

StatusOr<std::string> RequiredSha256(const Metadata& m, std::string_view name) {
  M2S_ASSIGN_OR_RETURN(std::string text, Required(m, name));
  const bool hex = text.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (text.size() != 64 || !hex) {
    return Status::InvalidArgument("object metadata " + std::string(name) +
                                   " is not 64 lowercase hex digits: '" + text.substr(0, 80) + "'");
  }
  return text;
}

}  // namespace

Metadata NormalizeMetadata(const Metadata& metadata) {
  Metadata out;
  for (const auto& [name, value] : metadata) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower.starts_with(kAmzMetaPrefix)) lower.erase(0, kAmzMetaPrefix.size());
    out.insert_or_assign(std::move(lower), value);
  }
  return out;
}

StatusOr<ObjectInfo> ParseObjectInfo(const Metadata& raw) {
  const Metadata m = NormalizeMetadata(raw);
  ObjectInfo info;
  M2S_ASSIGN_OR_RETURN(std::string version, Required(m, kMetaFormat));
  if (version != std::to_string(kFormatVersion)) {
    return Status::FailedPrecondition("unsupported object format version '" +
                                      version.substr(0, 32) + "' (this reader knows version " +
                                      std::to_string(kFormatVersion) + "); upgrade the reader");
  }
  info.format_version = kFormatVersion;
  M2S_ASSIGN_OR_RETURN(info.message_count, RequiredNumber<uint64_t>(m, kMetaCount));
  M2S_ASSIGN_OR_RETURN(info.first_event_ms, RequiredNumber<int64_t>(m, kMetaFirstEvent));
  M2S_ASSIGN_OR_RETURN(info.last_event_ms, RequiredNumber<int64_t>(m, kMetaLastEvent));
  M2S_ASSIGN_OR_RETURN(info.body_length, RequiredNumber<uint64_t>(m, kMetaBodyLength));
  M2S_ASSIGN_OR_RETURN(info.body_sha256, RequiredSha256(m, kMetaBodySha256));
  M2S_ASSIGN_OR_RETURN(std::string separator, Required(m, kMetaSeparator));
  if (separator != kSeparatorNone) {
    auto decoded = HexDecode(separator);
    if (!decoded.ok()) return decoded.status().WithContext(std::string(kMetaSeparator));
    info.separator = std::move(*decoded);
  }
  if (const std::string* body = Find(m, kMetaBodyFormat)) {
    if (!ParseBodyFormat(*body, &info.body_format)) {
      return Status::InvalidArgument("object metadata " + std::string(kMetaBodyFormat) + " is '" +
                                     body->substr(0, 32) +
                                     "', expected 'jsonl' or 'parquet'; upgrade the reader");
    }
  }
  M2S_ASSIGN_OR_RETURN(info.index_size, RequiredNumber<uint64_t>(m, kMetaIndexSize));
  M2S_ASSIGN_OR_RETURN(info.index_sha256, RequiredSha256(m, kMetaIndexSha256));
  M2S_ASSIGN_OR_RETURN(std::string location, Required(m, kMetaIndexLocation));
  if (location == kLocationInline) {
    info.index_inline = true;
  } else if (location == kLocationObject) {
    for (auto [name, field] : {std::pair{kMetaIndexPrefix, &info.index_prefix},
                               std::pair{kMetaIndexSuffix, &info.index_suffix}}) {
      if (const std::string* v = Find(m, name)) {
        auto decoded = PercentDecode(*v);
        if (!decoded.ok()) return decoded.status().WithContext(std::string(name));
        *field = std::move(*decoded);
      }
    }
    if (info.index_prefix.empty() && info.index_suffix.empty()) {
      return Status::InvalidArgument(
          "object metadata " + std::string(kMetaIndexLocation) + " is 'object' but names neither " +
          std::string(kMetaIndexPrefix) + " nor " + std::string(kMetaIndexSuffix));
    }
  } else {
    return Status::InvalidArgument("object metadata " + std::string(kMetaIndexLocation) + " is '" +
                                   location.substr(0, 32) + "', expected 'inline' or 'object'");
  }
  if (info.message_count > 0 && info.first_event_ms > info.last_event_ms) {
    return Status::InvalidArgument("object metadata first event time is after the last");
  }
  return info;
}

}  // namespace mqtt2s3::format
