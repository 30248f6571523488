// Upload confirmations: after each object is stored, the converter publishes on its confirm
// topic (delivery.confirm_topic) which messages the object holds, by dedupe id. The backup
// consumer (mqtt2s3 backup) drops its local copies of confirmed messages and uploads the rest
// after a timeout. Payload (JSON, version 1, docs/DELIVERY.md):
//
//   {"v":1,"instance":"conv-a","bucket":"plant-1","key":"2018..._conv-a_7.jsonl",
//    "ids":["5f0c...","9a1e..."]}
//
// One id per message in the object, in object order; ids may repeat (identical messages).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::confirm {

inline constexpr int kConfirmationVersion = 1;

struct Confirmation {
  std::string instance;
  std::string bucket;
  std::string key;
  std::vector<std::string> ids;
};

// Appends the JSON payload to *out (cleared first). Strings are JSON-escaped; ids that are
// not valid UTF-8 are escaped byte-wise as \u00XX so the payload stays valid JSON.
class ConfirmationEncoder {
 public:
  void Begin(std::string_view instance, std::string_view bucket, std::string_view key,
             std::string* out);
  void AddId(std::string_view id);
  void Finish();

 private:
  std::string* out_ = nullptr;
  bool first_ = true;
};

// InvalidArgument naming what is wrong (not JSON, missing or mistyped field, version).
StatusOr<Confirmation> ParseConfirmation(std::string_view payload);

}  // namespace mqtt2s3::confirm
