// The group directory: an object's groups (cluster key -> byte range, count, time range) in
// its user metadata, so a reader gets one device with HEAD + one ranged GET, no index GET.
// Optional; docs/FORMAT.md 3.3 is the spec. The writer side is in object_writer.cc.
//
//   auto info = ParseObjectInfo(head.metadata);
//   std::vector<DirectoryGroup> dir = ParseGroupDirectory(head.metadata, *info);
//   for (const DirectoryGroup& g : dir) if (g.key == "robot-03") {
//     bytes = GET(key, g.FetchRange(*info));
//     auto payloads = SplitGroup(*info, g, bytes);     // exactly g.count views, or an error
//   }
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/object_index.h"
#include "format/object_info.h"

namespace mqtt2s3::format {

struct DirectoryGroup {
  std::string key;     // the cluster key, decoded
  ByteRange range;     // the group's payloads in the body (FORMAT.md 3.3)
  uint32_t count = 0;  // messages
  int64_t first_ms = 0;  // smallest / largest event time in the group
  int64_t last_ms = 0;

  // What to GET: `range`, and for a Parquet body the 4-byte length prefix before it.
  ByteRange FetchRange(const ObjectInfo& info) const;
};

// The directory of `metadata` (names as ParseObjectInfo accepts them). Empty when there is
// none, and when it is malformed in any way (bad part count, a record that does not parse, a
// range past the body, keys out of order, counts not adding up to the object's): a reader then
// uses the index, it never guesses.
std::vector<DirectoryGroup> ParseGroupDirectory(const Metadata& metadata, const ObjectInfo& info);

// The payloads of `group` in `bytes` (the response to FetchRange): JSON Lines split on the
// separator, Parquet as (u32 little-endian length, bytes) runs. Corruption when the framing
// does not give exactly group.count payloads (the reader then falls back to the index).
StatusOr<std::vector<std::string_view>> SplitGroup(const ObjectInfo& info,
                                                   const DirectoryGroup& group,
                                                   std::string_view bytes);

}  // namespace mqtt2s3::format
