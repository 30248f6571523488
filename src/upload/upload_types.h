// What goes into the Uploader (UploadRequest) and what comes out (UploadResult, UploaderStats).
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "s3/types.h"

namespace mqtt2s3::upload {

// One object to store. The body is moved in and kept until the upload completes, so retries
// (and parked retries) resend the same bytes without copying.
struct UploadRequest {
  std::string bucket;
  std::string key;
  std::string body;
  std::string content_type;  // empty: not sent
  // Lowercase hex SHA-256 of body if the caller has it (the object writer computes it for the
  // metadata): a single PUT signs with it instead of hashing the body again. Multipart parts
  // are hashed per part as before.
  std::string body_sha256_hex;
  s3::Metadata metadata;     // x-amz-meta-*, see s3/types.h for the rules and budget
  uint64_t id = 0;           // the caller's (e.g. batch id); echoed in UploadResult
};

struct UploadResult {
  uint64_t id = 0;
  std::string bucket;
  std::string key;
  // OK, or the final error: the S3 error as a Status (kPermissionDenied, kInvalidArgument,
  // kNotFound, ...) with operation, bucket, key, HTTP status, S3 code and request id in the
  // message; kCancelled when Stop() abandoned the upload.
  Status status;
  int attempts = 0;  // S3 requests sent for the object (PUT / parts / complete, all tries)
  size_t bytes = 0;  // body size
  std::chrono::steady_clock::duration duration{};  // Submit to completion
  bool multipart = false;
  int parts = 0;          // multipart only: parts of the completed upload
  bool was_parked = false;  // the upload exhausted its retries at least once
  // A permanent failure only: the request body, handed back so that the caller can store it
  // elsewhere (e.g. under a dead-letter prefix) without keeping a copy; shared so that copies
  // of the result do not copy the body. Null otherwise.
  std::shared_ptr<std::string> body;
};

// Runs on an uploader thread (see Uploader).
using UploadCallback = std::function<void(const UploadResult&)>;

struct UploaderStats {
  uint64_t submitted = 0;  // accepted by Submit
  uint64_t rejected = 0;   // refused by Submit (queue full, stopped, invalid)
  uint64_t succeeded = 0;
  uint64_t failed = 0;     // completed with a permanent error
  uint64_t cancelled = 0;  // abandoned by Stop()
  uint64_t bytes_uploaded = 0;    // bodies of succeeded uploads
  uint64_t requests = 0;          // S3 requests sent (all operations, all tries)
  uint64_t retries = 0;           // requests repeated after a retryable failure
  uint64_t multipart_uploads = 0;  // succeeded uploads that used multipart
  uint64_t parts_uploaded = 0;
  uint64_t multipart_aborts = 0;   // AbortMultipartUpload calls that succeeded
  uint64_t buckets_created = 0;
  uint64_t parked_total = 0;  // uploads that were parked at least once
  size_t parked = 0;          // uploads parked now (Uploader::Healthy() is false while > 0)
  size_t queued = 0;          // waiting for a worker, parked ones included
  size_t in_flight = 0;       // held by a worker
  size_t buffered_bytes = 0;  // bodies of accepted, not yet completed uploads
};

}  // namespace mqtt2s3::upload
