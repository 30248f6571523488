// A flush request from a producer, received on the configured control topic
// (flush.control_topic). The payload says which batches to flush now:
//
//   ""  or  "{}"                          every partition
//   {"bucket": "company-x-plant-1"}       every partition of that bucket
//   {"partition": "<partition id>"}       one partition (ids as reported in logs and metrics)
//
// Anything else is refused with an error naming what is wrong; the converter counts and logs
// it and acknowledges the control message (a malformed command is not retried forever).
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::converter {

struct FlushCommand {
  enum class Scope : uint8_t { kAll, kBucket, kPartition };
  Scope scope = Scope::kAll;
  std::string target;  // bucket or partition id; empty for kAll
};

StatusOr<FlushCommand> ParseFlushCommand(std::string_view payload);

}  // namespace mqtt2s3::converter
