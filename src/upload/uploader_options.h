// UploaderOptions: concurrency, multipart and retry settings of the Uploader
// (upload/uploader.h). Options hold no runtime state.
//
//   UploaderOptions o;
//   o.max_concurrent_uploads = 4;
//   M2S_RETURN_IF_ERROR(o.Validate());
//
// Thread-safety: a value type.
#pragma once

#include <chrono>
#include <cstddef>

#include "common/status.h"
#include "upload/retry_policy.h"

namespace mqtt2s3::upload {

inline constexpr size_t kMiB = size_t{1} << 20;
// S3 limits: every multipart part but the last is >= 5 MiB; a part and a single PUT are
// <= 5 GiB; an upload has <= 10,000 parts.
inline constexpr size_t kMinPartSize = 5 * kMiB;
inline constexpr size_t kMaxPartSize = size_t{5} << 30;
inline constexpr size_t kMaxParts = 10'000;

struct UploaderOptions {
  // Worker threads, which is also the number of objects in flight (sending or backing off).
  // 1..256.
  size_t max_concurrent_uploads = 8;
  // Submitted uploads not held by a worker (waiting or parked) before Submit answers
  // ResourceExhausted. >= 1.
  size_t max_queued_uploads = 64;
  // Bodies held (queued, parked and in flight) before Submit answers ResourceExhausted; one
  // upload is always admitted when nothing is held, however large. 0: no byte limit.
  size_t max_buffered_bytes = size_t{1} << 30;
  // Bodies larger than this go up as multipart uploads; others as one PutObject. 1..5 GiB.
  size_t multipart_threshold = 16 * kMiB;
  // Multipart part size, kMinPartSize..kMaxPartSize. Raised (deterministically, from the body
  // size alone) when a body would otherwise need more than 10,000 parts.
  size_t part_size = 8 * kMiB;
  // Parts of one upload sent at the same time. Only 1 is implemented.
  size_t max_concurrent_parts_per_upload = 1;
  // Retries of each S3 request before the object is parked (see upload/uploader.h).
  RetryPolicy retry;
  // How often a parked upload is tried again. > 0.
  std::chrono::milliseconds parked_retry_interval{30'000};
  // Answer NoSuchBucket by creating the bucket (idempotent CreateBucket) and retrying.
  // false: NoSuchBucket completes the upload with kNotFound.
  bool create_buckets = true;

  // Names the wrong field: "upload option 'part_size': ...".
  Status Validate() const;
};

}  // namespace mqtt2s3::upload
