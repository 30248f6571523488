#include "route/dead_letter.h"

#include "route/key_sanitizer.h"
#include "route/utc_time.h"

namespace mqtt2s3::route {
namespace {


}  // namespace

std::string_view DeadLetterReasonName(DeadLetterReason reason) {
  switch (reason) {
    case DeadLetterReason::kNone: return "none";
    case DeadLetterReason::kNoRoute: return "no_route";
    case DeadLetterReason::kMissingField: return "missing_field";
    case DeadLetterReason::kInvalidJson: return "invalid_json";
    case DeadLetterReason::kInvalidBucket: return "invalid_bucket";
    case DeadLetterReason::kInvalidKey: return "invalid_key";
    case DeadLetterReason::kInvalidPayload: return "invalid_payload";
    case DeadLetterReason::kEventTimeOutOfWindow: return "event_time_out_of_window";
  }
  return "unknown";
}

void AppendDeadLetterKey(std::string_view prefix, DeadLetterReason reason,
                         std::chrono::system_clock::time_point receive_time, uint64_t seq,
                         std::string_view instance, std::string* out) {
  out->append(prefix);
  out->append(DeadLetterReasonName(reason));
  out->push_back('/');
  CivilTimeUtc c = ToCivilUtc(receive_time);
  AppendPaddedDecimal(static_cast<uint64_t>(c.year < 0 ? 0 : c.year), 4, out);
  out->push_back('/');
  AppendPaddedDecimal(c.month, 2, out);
  out->push_back('/');
  AppendPaddedDecimal(c.day, 2, out);
  out->push_back('/');
  AppendKeyComponent(instance, out);
  out->push_back('-');
  AppendPaddedDecimal(seq, kDeadLetterSeqWidth, out);
}

std::string DeadLetterKey(std::string_view prefix, DeadLetterReason reason,
                          std::chrono::system_clock::time_point receive_time, uint64_t seq,
                          std::string_view instance) {
  std::string key;
  AppendDeadLetterKey(prefix, reason, receive_time, seq, instance, &key);
  return key;
}

}  // namespace mqtt2s3::route
