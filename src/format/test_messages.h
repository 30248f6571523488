// Deterministic message sets shared by the format tests: welding telemetry from interleaved
// robots, the workload the object format is sized for. Test-only.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "format/object_writer.h"

namespace mqtt2s3::format::testing {

// Owns the bytes; records() views them.
struct MessageSet {
  std::vector<std::string> payloads, topics, keys, dedupe_ids;
  std::vector<int64_t> times;
  std::vector<MessageRecord> records() const;
};

// `count` messages from `devices` robots, round-robin interleaved ("line-1/robot-03").
MessageSet WeldingMessages(size_t count, size_t devices);

}  // namespace mqtt2s3::format::testing
