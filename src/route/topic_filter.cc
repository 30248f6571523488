#include "route/topic_filter.h"

#include <string>

#include "route/key_sanitizer.h"

namespace mqtt2s3::route {
namespace {

constexpr std::string_view kSharePrefix = "$share/";

Status FilterError(std::string_view filter, std::string_view why) {
  std::string m = "invalid topic filter '";
  m.append(filter).append("': ").append(why);
  return Status::InvalidArgument(std::move(m));
}

// Validates the part after any $share prefix; `whole` is only for the message.
Status ValidatePlainFilter(std::string_view whole, std::string_view f) {
  if (f.empty()) return FilterError(whole, "empty filter");
  size_t start = 0;
  while (true) {
    size_t slash = f.find('/', start);
    std::string_view level = f.substr(start, slash == std::string_view::npos ? f.npos : slash - start);
    const bool last = slash == std::string_view::npos;
    if (level.find('#') != std::string_view::npos) {
      if (level != "#") return FilterError(whole, "'#' must occupy a whole level");
      if (!last) return FilterError(whole, "'#' is only allowed as the last level");
    }
    if (level.find('+') != std::string_view::npos && level != "+") {
      return FilterError(whole, "'+' must occupy a whole level");
    }
    if (last) break;
    start = slash + 1;
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTopicFilter(std::string_view filter) {
  if (filter.empty()) return FilterError(filter, "empty filter");
  if (filter.size() > 65535) return FilterError(filter.substr(0, 64), "longer than 65535 bytes");
  if (filter.find('\0') != std::string_view::npos) return FilterError(filter, "contains NUL");
  if (!IsValidUtf8(filter)) return FilterError(filter, "not valid UTF-8");
  if (filter.substr(0, kSharePrefix.size()) == kSharePrefix) {
    std::string_view rest = filter.substr(kSharePrefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      return FilterError(filter, "shared subscription needs '$share/{group}/{filter}'");
    }
    std::string_view group = rest.substr(0, slash);
    if (group.empty()) return FilterError(filter, "empty share group name");
    if (group.find_first_of("+#") != std::string_view::npos) {
      return FilterError(filter, "share group name must not contain '+' or '#'");
    }
    return ValidatePlainFilter(filter, rest.substr(slash + 1));
  }
  return ValidatePlainFilter(filter, filter);
}

std::string_view StripSharePrefix(std::string_view filter) {
  if (filter.substr(0, kSharePrefix.size()) != kSharePrefix) return filter;
  std::string_view rest = filter.substr(kSharePrefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return filter;
  return rest.substr(slash + 1);
}

TopicFilter::TopicFilter(std::string_view filter) : text_(filter) {
  std::string_view f = StripSharePrefix(filter);
  size_t start = 0;
  while (true) {
    size_t slash = f.find('/', start);
    if (slash == std::string_view::npos) {
      levels_.emplace_back(f.substr(start));
      break;
    }
    levels_.emplace_back(f.substr(start, slash - start));
    start = slash + 1;
  }
}

bool TopicFilter::Matches(std::string_view topic) const {
  // MQTT-4.7.2-1: wildcards at the first level never match '$' topics.
  if (!topic.empty() && topic[0] == '$' && !levels_.empty() &&
      (levels_[0] == "+" || levels_[0] == "#")) {
    return false;
  }
  size_t pos = 0;  // start of the current topic level
  bool topic_done = false;
  for (size_t i = 0; i < levels_.size(); ++i) {
    const std::string& want = levels_[i];
    if (want == "#") return true;  // matches this level, everything below, and the parent
    if (topic_done) return false;
    size_t slash = topic.find('/', pos);
    std::string_view level =
        topic.substr(pos, slash == std::string_view::npos ? topic.npos : slash - pos);
    if (want != "+" && want != level) return false;
    if (slash == std::string_view::npos) {
      topic_done = true;
      // "sport/#" matches "sport": a trailing '#' may follow the topic's last level.
      if (i + 2 == levels_.size() && levels_[i + 1] == "#") return true;
    } else {
      pos = slash + 1;
    }
  }
  return topic_done;
}

}  // namespace mqtt2s3::route
