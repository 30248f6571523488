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
#include <optional>
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

// The bucketed directory in the companion index (FORMAT.md 3.4), for objects whose directory
// does not fit the metadata: one ranged GET of the index object reads the bucket of a device.
//
//   auto b = ParseGroupBuckets(head.metadata, *info);       // nullopt: none (or malformed)
//   const uint32_t bucket = b->BucketOf(b->ClusterKeyOf("robot-03/weld/1"));
//   bytes = GET(index_object_key, b->SlotRange(bucket));
//   std::optional<std::vector<DirectoryGroup>> groups = ParseGroupBucket(*info, *b, bucket, bytes);
struct GroupBucketsInfo {
  uint64_t offset = 0;      // of bucket 0's bytes in the companion index object
  uint32_t buckets = 0;     // >= 1
  uint32_t slot = 0;        // bytes per bucket, 1..65535
  char delimiter = '/';     // between index key components
  uint32_t components = 0;  // a cluster key is this many leading components; 0 = the whole key

  // The bucket of a cluster key.
  uint32_t BucketOf(std::string_view cluster_key) const;
  // The cluster key of an index key: its first `components` components (all when 0 or when
  // it has fewer).
  std::string_view ClusterKeyOf(std::string_view index_key) const;
  // Bucket b's bytes in the index object (stored deflate blocks: 5 header bytes each).
  ByteRange SlotRange(uint32_t bucket) const;
};

// FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
uint64_t GroupBucketHash(std::string_view bytes);

// mqtt2s3-group-buckets of `metadata`; nullopt when absent or malformed, or when the index is
// not a companion object of at least the buckets' size.
std::optional<GroupBucketsInfo> ParseGroupBuckets(const Metadata& metadata,
                                                  const ObjectInfo& info);
// The groups in one bucket's bytes (the response to SlotRange(bucket)); nullopt when anything
// breaks a rule of 3.4 (a record that does not parse or belongs to another bucket, keys or
// ranges out of order): the reader then uses the whole index.
std::optional<std::vector<DirectoryGroup>> ParseGroupBucket(const ObjectInfo& info,
                                                            const GroupBucketsInfo& buckets,
                                                            uint32_t bucket,
                                                            std::string_view bytes);

}  // namespace mqtt2s3::format
