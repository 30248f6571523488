// Why a message could not be routed, and where such a message goes instead.
//
//   std::string key = DeadLetterKey("dead-letter/", DeadLetterReason::kNoRoute, now, 42, "gw1");
//   // "dead-letter/no_route/2026/11/22/gw1-00000000000000000042"
//
// The original topic is not part of the key (it is hostile input); the caller stores it in
// the object's metadata. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mqtt2s3::route {

enum class DeadLetterReason : uint8_t {
  kNone = 0,       // routed
  kNoRoute,        // no route's filter matches the topic
  kMissingField,   // a template names a topic level or payload field the message lacks
  kInvalidJson,    // the payload is not JSON but a template reads a {json:...} field
  kInvalidBucket,  // the rendered bucket breaks the S3 bucket naming rules
  kInvalidKey,     // the rendered key or one of its values is too long
  kInvalidPayload, // a compressed payload is corrupt, inflates past the limit, or its
                   // topic's compressed level is neither 0 nor 1
  kEventTimeOutOfWindow,  // the payload's event time is outside the route's window and the
                          // route's out_of_window policy is dead_letter
};

// "no_route", "missing_field", "invalid_json", "invalid_bucket", "invalid_key",
// "invalid_payload", "event_time_out_of_window"; "none".
std::string_view DeadLetterReasonName(DeadLetterReason reason);

// Width of the zero-padded sequence number in dead-letter keys (all of uint64).
inline constexpr int kDeadLetterSeqWidth = 20;

// Appends "{prefix}{reason}/{YYYY}/{MM}/{DD}/{instance}-{seq:020}" to *out. `instance` is
// encoded as a key component; `prefix` is used as given (validated by the config).
void AppendDeadLetterKey(std::string_view prefix, DeadLetterReason reason,
                         std::chrono::system_clock::time_point receive_time, uint64_t seq,
                         std::string_view instance, std::string* out);

std::string DeadLetterKey(std::string_view prefix, DeadLetterReason reason,
                          std::chrono::system_clock::time_point receive_time, uint64_t seq,
                          std::string_view instance);

}  // namespace mqtt2s3::route
