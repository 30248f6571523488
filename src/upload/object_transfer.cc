#include "upload/object_transfer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <utility>

namespace mqtt2s3::upload {
namespace {

// A server that keeps forgetting our multipart upload will not start remembering it: after
// this many fresh starts the object fails and the caller dead-letters it.
constexpr int kMaxMultipartRestarts = 3;

s3::PutOptions PutOptionsOf(const UploadRequest& r) {
  s3::PutOptions put;
  put.content_type = r.content_type;
  put.metadata = r.metadata;
  put.body_sha256_hex = r.body_sha256_hex;
  return put;
}

bool IsPowerOfTwo(int n) { return n > 0 && (n & (n - 1)) == 0; }

}  // namespace

std::vector<PartSlice> PlanParts(size_t body_size, size_t part_size) {
  if (part_size == 0) part_size = kMinPartSize;
  if ((body_size + part_size - 1) / part_size > kMaxParts) {
    const size_t needed = (body_size + kMaxParts - 1) / kMaxParts;
    part_size = (needed + kMiB - 1) / kMiB * kMiB;
  }
  std::vector<PartSlice> parts;
  parts.reserve(body_size / part_size + 1);
  size_t offset = 0;
  int number = 1;
  do {
    const size_t length = std::min(part_size, body_size - offset);
    parts.push_back({number++, offset, length});
    offset += length;
  } while (offset < body_size);
  return parts;
}

ObjectTransfer::ObjectTransfer(TransferEnv env, uint64_t seed)
    : env_(std::move(env)), backoff_(env_.options->retry, seed) {}

ObjectTransfer::Step ObjectTransfer::Call(const UploadRequest& request, TransferState& state,
                                          const char* what, const Attempt& attempt,
                                          s3::S3Error* error) {
  // A parked upload probes with one attempt per round, so an outage costs one request per
  // parked_retry_interval and object, not a full backoff sequence.
  const int budget = state.parked ? 1 : env_.options->retry.max_attempts;
  int failures = 0;
  bool bucket_created = false;
  while (true) {
    if (env_.stopping()) return Step::kCancelled;
    const uint64_t epoch = env_.buckets->Epoch();
    std::optional<s3::S3Error> err = attempt();
    ++state.attempts;
    env_.counters->requests.fetch_add(1, std::memory_order_relaxed);
    if (!err) {
      if (state.parked) {
        state.parked = false;
        env_.counters->parked.fetch_sub(1, std::memory_order_relaxed);
        spdlog::info("upload to bucket '{}' key '{}' resumed after parking ({} requests so far)",
                     request.bucket, request.key, state.attempts);
      }
      return Step::kOk;
    }
    if (err->code == "NoSuchBucket" && env_.options->create_buckets) {
      if (!bucket_created) {
        bucket_created = true;
        auto created = env_.buckets->Create(request.bucket, epoch);
        if (created) continue;  // the failed try was not the server's fault: no backoff
        err = created.error();
      } else {
        // Just created, still unknown: RGW and AWS may take a moment to show a new bucket.
        err->error_class = s3::ErrorClass::kRetryable;
      }
    }
    if (!err->retryable()) {
      *error = std::move(*err);
      return Step::kPermanent;
    }
    ++failures;
    state.last_error = err->ToStatus();
    if (failures >= budget) {
      *error = std::move(*err);
      return Step::kExhausted;
    }
    env_.counters->retries.fetch_add(1, std::memory_order_relaxed);
    const std::chrono::milliseconds delay = backoff_.Delay(failures);
    // The first failure and every doubling are worth a warning; the rest would flood the log
    // during an outage.
    const auto level = IsPowerOfTwo(failures) && !state.parked ? spdlog::level::warn
                                                               : spdlog::level::debug;
    spdlog::log(level, "{} failed (attempt {} of {}): {}; retrying in {} ms", what, failures,
                budget, err->ToString(), delay.count());
    if (!env_.sleep(delay)) return Step::kCancelled;
  }
}

TransferOutcome ObjectTransfer::Conclude(Step step, const s3::S3Error& error,
                                         const UploadRequest& request, TransferState& state) {
  switch (step) {
    case Step::kOk:
      return TransferOutcome::kSucceeded;
    case Step::kPermanent:
      state.last_error = error.ToStatus();
      if (!state.upload_id.empty()) AbortWithRetries(request, state);
      return TransferOutcome::kFailed;
    case Step::kExhausted:
      state.last_error = error.ToStatus();
      return TransferOutcome::kParked;  // multipart progress is kept for the next round
    case Step::kCancelled:
      AbortAbandoned(env_, request, state);
      return TransferOutcome::kCancelled;
  }
  return TransferOutcome::kFailed;
}

TransferOutcome ObjectTransfer::Run(const UploadRequest& request, TransferState& state) {
  if (request.body.size() > env_.options->multipart_threshold) {
    return RunMultipart(request, state);
  }
  const s3::PutOptions put = PutOptionsOf(request);
  s3::S3Error error;
  const Step step = Call(request, state, "PutObject", [&]() -> std::optional<s3::S3Error> {
    auto r = env_.client->PutObject(request.bucket, request.key, request.body, put);
    if (!r) return r.error();
    return std::nullopt;
  }, &error);
  return Conclude(step, error, request, state);
}

TransferOutcome ObjectTransfer::RunMultipart(const UploadRequest& request, TransferState& state) {
  const std::vector<PartSlice> plan = PlanParts(request.body.size(), env_.options->part_size);
  const std::string_view body = request.body;
  while (true) {
    s3::S3Error error;
    if (state.upload_id.empty()) {
      state.parts.clear();
      const s3::PutOptions put = PutOptionsOf(request);
      std::string id;
      const Step step =
          Call(request, state, "CreateMultipartUpload", [&]() -> std::optional<s3::S3Error> {
            auto r = env_.client->CreateMultipartUpload(request.bucket, request.key, put);
            if (!r) return r.error();
            id = std::move(*r);
            return std::nullopt;
          }, &error);
      if (step != Step::kOk) return Conclude(step, error, request, state);
      state.upload_id = std::move(id);
    }
    bool vanished = false;
    while (state.parts.size() < plan.size()) {
      const PartSlice& part = plan[state.parts.size()];
      std::string etag;
      const Step step = Call(request, state, "UploadPart", [&]() -> std::optional<s3::S3Error> {
        auto r = env_.client->UploadPart(request.bucket, request.key, state.upload_id,
                                         part.number, body.substr(part.offset, part.length));
        if (!r) return r.error();
        etag = std::move(*r);
        return std::nullopt;
      }, &error);
      if (step == Step::kPermanent && error.code == "NoSuchUpload") {
        vanished = true;
        break;
      }
      if (step != Step::kOk) return Conclude(step, error, request, state);
      state.parts.push_back({part.number, std::move(etag)});
      env_.counters->parts_uploaded.fetch_add(1, std::memory_order_relaxed);
    }
    if (!vanished) {
      const Step step =
          Call(request, state, "CompleteMultipartUpload", [&]() -> std::optional<s3::S3Error> {
            auto r = env_.client->CompleteMultipartUpload(request.bucket, request.key,
                                                          state.upload_id, state.parts);
            if (!r) return r.error();
            return std::nullopt;
          }, &error);
      if (step == Step::kOk) {
        state.upload_id.clear();
        return TransferOutcome::kSucceeded;
      }
      if (step != Step::kPermanent || error.code != "NoSuchUpload") {
        return Conclude(step, error, request, state);
      }
      // An earlier Complete may have succeeded with its answer lost; the server then forgets
      // the upload id. The key is deterministic, so an object of our size is ours.
      if (AlreadyCompleted(request, state)) {
        state.upload_id.clear();
        return TransferOutcome::kSucceeded;
      }
    }
    state.upload_id.clear();
    if (++state.restarts > kMaxMultipartRestarts) {
      state.last_error = error.ToStatus().WithContext(
          "multipart upload forgotten by the server " + std::to_string(state.restarts) + " times");
      return TransferOutcome::kFailed;
    }
    spdlog::warn("multipart upload to bucket '{}' key '{}' unknown to the server ({}); "
                 "starting it over", request.bucket, request.key, error.ToString());
  }
}

bool ObjectTransfer::AlreadyCompleted(const UploadRequest& request, TransferState& state) {
  auto head = env_.client->HeadObject(request.bucket, request.key);
  ++state.attempts;
  env_.counters->requests.fetch_add(1, std::memory_order_relaxed);
  return head && head->size == request.body.size();
}

void ObjectTransfer::AbortWithRetries(const UploadRequest& request, TransferState& state) {
  // Bounded like any request, but never parked: the object has failed already and the abort
  // only saves storage; a lifecycle rule (AbortIncompleteMultipartUpload) is the backstop.
  for (int attempt = 1; attempt <= env_.options->retry.max_attempts; ++attempt) {
    auto r = env_.client->AbortMultipartUpload(request.bucket, request.key, state.upload_id);
    env_.counters->requests.fetch_add(1, std::memory_order_relaxed);
    if (r || r.error().code == "NoSuchUpload") {
      if (r) env_.counters->multipart_aborts.fetch_add(1, std::memory_order_relaxed);
      state.upload_id.clear();
      return;
    }
    if (!r.error().retryable() || !env_.sleep(backoff_.Delay(attempt))) {
      spdlog::error("could not abort multipart upload '{}' (bucket '{}' key '{}'), its parts "
                    "stay on the server: {}",
                    state.upload_id, request.bucket, request.key, r.error().ToString());
      return;
    }
  }
  spdlog::error("gave up aborting multipart upload '{}' (bucket '{}' key '{}'); its parts stay "
                "on the server", state.upload_id, request.bucket, request.key);
}

void ObjectTransfer::AbortAbandoned(const TransferEnv& env, const UploadRequest& request,
                                    TransferState& state) {
  if (state.upload_id.empty()) return;
  auto r = env.client->AbortMultipartUpload(request.bucket, request.key, state.upload_id);
  env.counters->requests.fetch_add(1, std::memory_order_relaxed);
  if (r) {
    env.counters->multipart_aborts.fetch_add(1, std::memory_order_relaxed);
  } else if (r.error().code != "NoSuchUpload") {
    spdlog::warn("abandoned multipart upload '{}' (bucket '{}' key '{}') not aborted: {}",
                 state.upload_id, request.bucket, request.key, r.error().ToString());
  }
  state.upload_id.clear();
}

}  // namespace mqtt2s3::upload
