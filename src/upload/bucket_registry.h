// BucketRegistry: creates buckets on demand and remembers which ones exist, so that many
// workers that hit NoSuchBucket for the same new bucket send one CreateBucket, not one each.
//
//   uint64_t seen = registry.Epoch();          // before sending the request
//   auto r = client.PutObject(bucket, ...);
//   if (!r && r.error().code == "NoSuchBucket") registry.Create(bucket, seen);  // then retry
//
// Create() skips the request when the bucket was created after `seen`, i.e. while the caller's
// own request was in flight: that NoSuchBucket is stale. CreateBucket is idempotent in S3
// (BucketAlreadyOwnedByYou is success), so a duplicate is harmless, only wasteful.
//
// Lifecycle: one per Uploader; borrows the client. Thread-safety: all methods are thread-safe;
// Create() serialises CreateBucket calls under one mutex (bucket creation is rare).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "s3/client.h"

namespace mqtt2s3::upload {

class BucketRegistry {
 public:
  explicit BucketRegistry(const s3::Client* client) : client_(client) {}

  // A counter that moves on every successful creation.
  uint64_t Epoch() const { return epoch_.load(std::memory_order_acquire); }

  // Creates `bucket` unless it was created after `seen_epoch`.
  s3::Result<s3::Done> Create(std::string_view bucket, uint64_t seen_epoch);

  // Whether this registry created (or found existing with CreateBucket) the bucket.
  bool Known(std::string_view bucket) const;
  uint64_t created() const { return created_.load(std::memory_order_relaxed); }

 private:
  const s3::Client* client_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<uint64_t> created_{0};
  mutable std::mutex mu_;
  std::unordered_map<std::string, uint64_t> created_at_;  // bucket -> epoch of its creation
};

}  // namespace mqtt2s3::upload
