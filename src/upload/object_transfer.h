// ObjectTransfer: the S3 requests that store one object, each retried per RetryPolicy: one
// PutObject, or CreateMultipartUpload + UploadPart per part + CompleteMultipartUpload.
//
//   ObjectTransfer transfer(env);                    // one per worker thread
//   TransferOutcome o = transfer.Run(request, state);  // kSucceeded / kFailed / kParked / ...
//
// Run() returns when the object is stored (kSucceeded), S3 refused it for good (kFailed,
// state.last_error), one request ran out of attempts (kParked: the caller keeps `state` and
// calls Run() again later; multipart progress is resumed, not redone), or the uploader stops
// (kCancelled). A request of a parked upload gets one attempt per Run(); the first success
// un-parks it (state.parked = false) and later requests get the full budget again.
//
// Multipart: parts are cut by PlanParts(), a pure function of body size and part size, so the
// same body always yields the same parts. A permanent failure after CreateMultipartUpload
// aborts the upload (retried like any request), so no orphaned parts stay behind; a
// cancelled one gets one abort attempt. NoSuchUpload (the server forgot the upload) restarts
// it; from CompleteMultipartUpload it first checks with HeadObject whether an earlier attempt,
// whose answer was lost, already completed it.
//
// Thread-safety: an ObjectTransfer is used by one thread; the env's members are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "s3/client.h"
#include "upload/bucket_registry.h"
#include "upload/retry_policy.h"
#include "upload/upload_types.h"
#include "upload/uploader_options.h"

namespace mqtt2s3::upload {

struct PartSlice {
  int number = 0;  // 1-based part number
  size_t offset = 0;
  size_t length = 0;
};

// Parts of a `body_size`-byte body: `part_size` bytes each (the last one shorter), with
// part_size raised to the next MiB multiple that keeps the count <= 10,000.
std::vector<PartSlice> PlanParts(size_t body_size, size_t part_size);

// What one object's transfer keeps across Run() calls (parking).
struct TransferState {
  int attempts = 0;  // S3 requests sent for the object
  bool parked = false;
  bool ever_parked = false;
  std::string upload_id;                  // multipart in progress on the server
  std::vector<s3::CompletedPart> parts;   // completed parts, in part order
  int restarts = 0;                       // multipart uploads started over (NoSuchUpload)
  Status last_error;
};

// Live counters shared by all transfers of one Uploader.
struct TransferCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> parts_uploaded{0};
  std::atomic<uint64_t> multipart_aborts{0};
  std::atomic<size_t> parked{0};
};

struct TransferEnv {
  const s3::Client* client = nullptr;
  const UploaderOptions* options = nullptr;
  BucketRegistry* buckets = nullptr;
  TransferCounters* counters = nullptr;
  // Waits up to `delay`; returns false at once when the uploader is stopping.
  std::function<bool(std::chrono::milliseconds delay)> sleep;
  // True once the uploader is stopping: no new request is started.
  std::function<bool()> stopping;
};

enum class TransferOutcome { kSucceeded, kFailed, kParked, kCancelled };

class ObjectTransfer {
 public:
  // `seed` 0 seeds the jitter from std::random_device.
  explicit ObjectTransfer(TransferEnv env, uint64_t seed = 0);

  TransferOutcome Run(const UploadRequest& request, TransferState& state);

  // One AbortMultipartUpload attempt for an upload abandoned with parts on the server
  // (Stop()); logs when it fails. No-op without an upload id.
  static void AbortAbandoned(const TransferEnv& env, const UploadRequest& request,
                             TransferState& state);

 private:
  enum class Step { kOk, kPermanent, kExhausted, kCancelled };
  // One request: returns nullopt on success, else the S3 error.
  using Attempt = std::function<std::optional<s3::S3Error>()>;

  Step Call(const UploadRequest& request, TransferState& state, const char* what,
            const Attempt& attempt, s3::S3Error* error);
  TransferOutcome RunMultipart(const UploadRequest& request, TransferState& state);
  TransferOutcome Conclude(Step step, const s3::S3Error& error, const UploadRequest& request,
                           TransferState& state);
  bool AlreadyCompleted(const UploadRequest& request, TransferState& state);
  void AbortWithRetries(const UploadRequest& request, TransferState& state);

  TransferEnv env_;
  RetryBackoff backoff_;
};

}  // namespace mqtt2s3::upload
