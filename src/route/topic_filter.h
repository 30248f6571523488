// MQTT topic filters: validation (MQTT 5 §4.7, shared subscriptions §4.8.2) and matching.
//
//   if (Status s = ValidateTopicFilter("$share/g/plant/+/#"); !s.ok()) ...
//   TopicFilter f("sport/#");
//   f.Matches("sport/tennis");   // true
//   f.Matches("sport");          // true: '#' also matches the parent level
//
// Thread-safety: TopicFilter is immutable after construction; Matches() is safe from many
// threads and never allocates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::route {

// OK when `filter` is a valid MQTT topic filter: non-empty, at most 65535 bytes, valid UTF-8
// without NUL, '+' and '#' only as whole levels, '#' only last, and for "$share/{group}/{f}"
// a non-empty group without '+', '#' and '/' followed by a valid filter {f}.
Status ValidateTopicFilter(std::string_view filter);

// The filter without a "$share/{group}/" prefix; `filter` unchanged when it has none.
std::string_view StripSharePrefix(std::string_view filter);

// A filter compiled into levels for matching. Construct only from a filter that passed
// ValidateTopicFilter (an invalid one matches as if its text were literal levels).
class TopicFilter {
 public:
  explicit TopicFilter(std::string_view filter);

  // MQTT matching semantics; the "$share/{group}/" prefix is ignored. Topics starting with
  // '$' are not matched by a filter whose first level is '+' or '#'.
  bool Matches(std::string_view topic) const;

  // The filter text as given (including any $share prefix).
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> levels_;  // of the filter without $share prefix
};

}  // namespace mqtt2s3::route
