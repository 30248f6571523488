// Uploader: stores whole objects (batches) in S3 with bounded parallelism, multipart for large
// bodies, retries with backoff, and an explicit policy for when retries run out.
//
//   auto up = Uploader::Create(client, options);          // or the constructor, see below
//   Status s = (*up)->Submit(std::move(request), [](const UploadResult& r) { ... });
//   if (s.code() == StatusCode::kResourceExhausted) { /* keep the batch, stop reading */ }
//   if (!(*up)->Healthy()) { /* something is parked: stop acking and reading */ }
//   ...
//   (*up)->Drain(grace);   // shutdown: let queued and in-flight uploads finish
//   (*up)->Stop();         // abandon the rest (callbacks get kCancelled), join threads
//
// Submit never blocks on S3: it queues the request or refuses it at once (ResourceExhausted
// when max_queued_uploads are waiting or max_buffered_bytes are held, FailedPrecondition after
// Stop(), InvalidArgument for an empty bucket or key). max_concurrent_uploads worker threads
// take requests in FIFO order; due parked uploads go before new ones.
//
// Failure policy, per S3 request (PutObject, CreateMultipartUpload, each UploadPart,
// CompleteMultipartUpload):
//   - Retryable errors (transport, 5xx, 429, SlowDown, RequestTimeout, InternalError, also in
//     a 200 Complete answer) are retried after a full-jitter exponential backoff
//     (options.retry), up to retry.max_attempts tries.
//   - Permanent errors (4xx such as AccessDenied, InvalidBucketName, SignatureDoesNotMatch)
//     complete the upload at once with that error; the caller decides (dead-letters the
//     batch). A multipart upload is aborted first, so no parts are left behind.
//   - NoSuchBucket with create_buckets: the bucket is created (once for all workers) and the
//     request retried. Without create_buckets it completes the upload with kNotFound.
//
// Exhaustion policy: NEVER DROP. When one request has failed retry.max_attempts times with
// retryable errors, the upload is PARKED: it stays in memory (counted in Queued() and
// stats().parked), gives up its worker, and is tried again every parked_retry_interval,
// forever, with one attempt per round and multipart progress kept. While anything is parked,
// Healthy() returns false: the converter should stop acking and stop reading, so the broker
// (and the WAL) hold the data meanwhile. The first successful request un-parks the upload; it
// then completes normally (its callback sees OK, was_parked = true). Otherwise a parked upload
// ends only with a permanent error answered in a later round, or kCancelled by Stop().
//
// Callbacks run on uploader threads (a worker, or the thread calling Stop() for uploads it
// abandons), exactly once per accepted request, without locks held. They may call Submit(),
// stats() and the other observers; they must not call Drain() or Stop(), and should be quick
// (they hold a worker).
//
// Lifecycle: workers start in the constructor; Stop() (also run by the destructor) joins them.
// The uploader keeps its share of the client alive. Thread-safety: every method is
// thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "s3/client.h"
#include "upload/bucket_registry.h"
#include "upload/object_transfer.h"
#include "upload/upload_types.h"
#include "upload/uploader_options.h"

namespace mqtt2s3::upload {

class Uploader {
 public:
  // Validates the options, then constructs.
  static StatusOr<std::unique_ptr<Uploader>> Create(std::shared_ptr<const s3::Client> client,
                                                    UploaderOptions options);

  // `options` should pass Validate(); if they do not (or `client` is null), no worker starts
  // and every Submit() returns the validation error.
  Uploader(std::shared_ptr<const s3::Client> client, UploaderOptions options);
  ~Uploader();  // Stop()
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  // Queues `request`; `done` runs once when it completes. Never blocks on S3 (see above).
  Status Submit(UploadRequest request, UploadCallback done);

  // False while any upload is parked.
  bool Healthy() const;
  // Nothing queued, parked or in flight.
  bool Idle() const;
  size_t InFlight() const;
  size_t Queued() const;  // waiting for a worker, parked ones included

  // Waits until every accepted upload has completed (its callback returned) or `deadline`
  // has passed; true when all completed. Parked uploads keep their retry interval.
  bool Drain(std::chrono::milliseconds deadline);
  // Refuses new uploads, lets each worker finish the S3 request it is sending, completes
  // everything unfinished with kCancelled (aborting multipart uploads in progress, one try),
  // and joins the workers. Idempotent.
  void Stop();

  UploaderStats stats() const;

 private:
  struct Job {
    UploadRequest request;
    UploadCallback done;
    TransferState state;
    std::chrono::steady_clock::time_point submitted;
    std::chrono::steady_clock::time_point due;  // parked: next round
  };

  void WorkerLoop(uint64_t seed);
  std::unique_ptr<Job> NextJob(std::unique_lock<std::mutex>& lock);
  // Runs the callback, then forgets the job (Drain may return once all are forgotten).
  void Complete(std::unique_ptr<Job> job, TransferOutcome outcome);
  bool SleepUnlessStopping(std::chrono::milliseconds delay);

  const std::shared_ptr<const s3::Client> client_;
  const UploaderOptions options_;
  const Status init_status_;
  BucketRegistry buckets_;
  TransferCounters counters_;
  std::atomic<uint64_t> retries_reported_{0};  // counters_.retries handed to UploadProbe
  TransferEnv env_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a job arrived, or stopping
  std::condition_variable done_cv_;  // a job completed
  std::condition_variable stop_cv_;  // stopping (wakes backoff sleeps)
  std::deque<std::unique_ptr<Job>> pending_;
  std::deque<std::unique_ptr<Job>> parked_;  // sorted by due
  size_t in_flight_ = 0;
  size_t buffered_bytes_ = 0;  // bodies of accepted, not yet completed jobs
  bool stopping_ = false;
  UploaderStats totals_;  // the event counters; gauges are filled in by stats()
  std::vector<std::thread> workers_;
  std::once_flag stop_once_;
};

}  // namespace mqtt2s3::upload
