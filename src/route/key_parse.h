// Reads a batch's values back out of an object key, given the route's key template: the
// reverse of Router::RenderObjectKey for readers that list a bucket.
//
//   auto t = KeyTemplate::Parse("{first:%Y/%m/%d/%H}/{object_name}", vocab);
//   StatusOr<ParsedBatchKey> k = ParseKeyWithTemplate(*t, "2018/10/01/17/20181001T17...jsonl");
//   if (k.ok() && k->object_name) Use(k->object_name->first_ms, k->object_name->last_ms);
//
// {object_name} (best as the last path component) carries everything exactly; with it,
// ParseObjectName() on the key alone is enough. Otherwise {first:...}/{last:...} give the time
// truncated to their format (a lower bound: "%Y/%m/%d/%H" gives the start of the hour; formats
// with %j or %s are not read back), and {partition_seq} / {count} their numbers. Message-level
// values are matched but not returned. When several splits of the key fit the template (a
// value that contains the next literal), the one with the shortest early values wins.
//
// Pure function; thread-safe; meant for readers and tools, not the hot path.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "route/key_template.h"
#include "route/object_name.h"

namespace mqtt2s3::route {

struct ParsedBatchKey {
  std::optional<ObjectNameParts> object_name;
  // From {object_name} (exact) if present, else {first:...} / {last:...} truncated to their
  // format.
  std::optional<int64_t> first_ms;
  std::optional<int64_t> last_ms;
  std::optional<uint64_t> partition_seq;
  std::optional<uint64_t> count;
};

// InvalidArgument naming the key and the template when the key does not fit the template.
StatusOr<ParsedBatchKey> ParseKeyWithTemplate(const KeyTemplate& key_template,
                                              std::string_view key);

}  // namespace mqtt2s3::route
