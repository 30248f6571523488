#include "upload/uploader.h"

#include <spdlog/spdlog.h>

#include <random>
#include <string>
#include <utility>

#include "upload/upload_probe.h"

namespace mqtt2s3::upload {
namespace {

Status InitStatus(const s3::Client* client, const UploaderOptions& options) {
  if (client == nullptr) return Status::InvalidArgument("uploader: null S3 client");
  return options.Validate();
}

}  // namespace

StatusOr<std::unique_ptr<Uploader>> Uploader::Create(std::shared_ptr<const s3::Client> client,
                                                     UploaderOptions options) {
  M2S_RETURN_IF_ERROR(InitStatus(client.get(), options));
  return std::make_unique<Uploader>(std::move(client), std::move(options));
}

Uploader::Uploader(std::shared_ptr<const s3::Client> client, UploaderOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      init_status_(InitStatus(client_.get(), options_)),
      buckets_(client_.get()) {
  env_.client = client_.get();
  env_.options = &options_;
  env_.buckets = &buckets_;
  env_.counters = &counters_;
  env_.sleep = [this](std::chrono::milliseconds d) { return SleepUnlessStopping(d); };
  env_.stopping = [this] {
    std::lock_guard lock(mu_);
    return stopping_;
  };
  if (!init_status_.ok()) {
    spdlog::error("uploader not started: {}", init_status_.ToString());
    return;
  }
  std::random_device seeds;
  for (size_t i = 0; i < options_.max_concurrent_uploads; ++i) {
    const uint64_t seed = (uint64_t{seeds()} << 32) | seeds();
    workers_.emplace_back([this, seed] { WorkerLoop(seed | 1); });
  }
}

Uploader::~Uploader() { Stop(); }

Status Uploader::Submit(UploadRequest request, UploadCallback done) {
  std::unique_lock lock(mu_);
  Status refused;
  if (!init_status_.ok()) {
    refused = init_status_;
  } else if (stopping_) {
    refused = Status::FailedPrecondition("uploader stopped");
  } else if (request.bucket.empty() || request.key.empty()) {
    refused = Status::InvalidArgument("upload " + std::to_string(request.id) +
                                      ": empty bucket or key");
  } else if (pending_.size() + parked_.size() >= options_.max_queued_uploads) {
    refused = Status::ResourceExhausted(
        "upload queue full (" + std::to_string(options_.max_queued_uploads) + " waiting, " +
        std::to_string(parked_.size()) + " of them parked)");
  } else if (options_.max_buffered_bytes != 0 && buffered_bytes_ != 0 &&
             buffered_bytes_ + request.body.size() > options_.max_buffered_bytes) {
    refused = Status::ResourceExhausted(
        "upload buffer full (" + std::to_string(buffered_bytes_) + " bytes held, limit " +
        std::to_string(options_.max_buffered_bytes) + ")");
  }
  if (!refused.ok()) {
    ++totals_.rejected;
    return refused;
  }
  auto job = std::make_unique<Job>();
  job->request = std::move(request);
  job->done = std::move(done);
  job->submitted = std::chrono::steady_clock::now();
  buffered_bytes_ += job->request.body.size();
  pending_.push_back(std::move(job));
  ++totals_.submitted;
  lock.unlock();
  work_cv_.notify_one();
  return Status::Ok();
}

std::unique_ptr<Uploader::Job> Uploader::NextJob(std::unique_lock<std::mutex>& lock) {
  while (!stopping_) {
    // Due parked uploads go first: they are older than anything pending.
    if (!parked_.empty() && parked_.front()->due <= std::chrono::steady_clock::now()) {
      auto job = std::move(parked_.front());
      parked_.pop_front();
      return job;
    }
    if (!pending_.empty()) {
      auto job = std::move(pending_.front());
      pending_.pop_front();
      return job;
    }
    if (parked_.empty()) {
      work_cv_.wait(lock);
    } else {
      // A copy: wait_until reads its deadline again after re-locking, and by then another
      // worker may have taken (and freed) the job it belongs to.
      const std::chrono::steady_clock::time_point due = parked_.front()->due;
      work_cv_.wait_until(lock, due);
    }
  }
  return nullptr;
}

void Uploader::WorkerLoop(uint64_t seed) {
  ObjectTransfer transfer(env_, seed);
  std::unique_lock lock(mu_);
  while (std::unique_ptr<Job> job = NextJob(lock)) {
    ++in_flight_;
    lock.unlock();
    const TransferOutcome outcome = transfer.Run(job->request, job->state);
    if (outcome != TransferOutcome::kParked) {
      Complete(std::move(job), outcome);
      lock.lock();
      continue;
    }
    TransferState& st = job->state;
    const bool newly_parked = !st.parked;
    if (newly_parked) {
      spdlog::error("upload to bucket '{}' key '{}' ({} bytes) parked after {} attempts of one "
                    "request, retrying every {} ms: {}",
                    job->request.bucket, job->request.key, job->request.body.size(),
                    options_.retry.max_attempts, options_.parked_retry_interval.count(),
                    st.last_error.ToString());
    } else {
      spdlog::debug("parked upload to bucket '{}' key '{}' still failing: {}",
                    job->request.bucket, job->request.key, st.last_error.ToString());
    }
    job->due = std::chrono::steady_clock::now() + options_.parked_retry_interval;
    lock.lock();
    // Counted under the lock together with the move into parked_, so stats() never shows an
    // upload as parked but not yet queued.
    if (newly_parked) {
      st.parked = true;
      counters_.parked.fetch_add(1, std::memory_order_relaxed);
      if (!st.ever_parked) ++totals_.parked_total;
      st.ever_parked = true;
    }
    // Every job parks with the same interval, so appending keeps parked_ sorted by due.
    parked_.push_back(std::move(job));
    --in_flight_;
    // A waiting worker may need to shorten its wait to this job's due time.
    work_cv_.notify_one();
  }
}

void Uploader::Complete(std::unique_ptr<Job> job, TransferOutcome outcome) {
  TransferState& st = job->state;
  UploadResult r;
  r.id = job->request.id;
  r.bucket = job->request.bucket;
  r.key = job->request.key;
  r.attempts = st.attempts;
  r.bytes = job->request.body.size();
  r.duration = std::chrono::steady_clock::now() - job->submitted;
  r.multipart = job->request.body.size() > options_.multipart_threshold;
  r.parts = r.multipart ? static_cast<int>(st.parts.size()) : 0;
  r.was_parked = st.ever_parked;
  switch (outcome) {
    case TransferOutcome::kSucceeded:
      break;
    case TransferOutcome::kFailed:
      r.status = st.last_error.ok() ? Status::Internal("upload failed without an error")
                                    : st.last_error;
      spdlog::warn("upload to bucket '{}' key '{}' failed for good: {}", r.bucket, r.key,
                   r.status.ToString());
      // The caller may store it elsewhere.
      r.body = std::make_shared<std::string>(std::move(job->request.body));
      break;
    case TransferOutcome::kParked:
    case TransferOutcome::kCancelled:
      r.status = Status::Cancelled("upload to bucket '" + r.bucket + "' key '" + r.key +
                                   "' abandoned: uploader stopped" +
                                   (st.last_error.ok() ? "" : "; last error: " +
                                                                  st.last_error.ToString()));
      break;
  }
  if (st.parked) {
    st.parked = false;
    counters_.parked.fetch_sub(1, std::memory_order_relaxed);
  }
  UploadProbe::Global().Record(r);
  // Retries are counted per request inside the transfer; hand the probe what no earlier
  // completion reported (the CAS keeps concurrent completions from counting twice).
  uint64_t retries = counters_.retries.load(std::memory_order_relaxed);
  uint64_t reported = retries_reported_.load(std::memory_order_relaxed);
  while (retries > reported &&
         !retries_reported_.compare_exchange_weak(reported, retries, std::memory_order_relaxed)) {
  }
  if (retries > reported) UploadProbe::Global().AddRetries(retries - reported);
  {
    std::lock_guard lock(mu_);
    if (r.status.ok()) {
      ++totals_.succeeded;
      totals_.bytes_uploaded += r.bytes;
      if (r.multipart) ++totals_.multipart_uploads;
    } else if (r.status.code() == StatusCode::kCancelled) {
      ++totals_.cancelled;
    } else {
      ++totals_.failed;
    }
    // Before the callback: a caller that resubmits from it (or from a task it posts) must
    // see the room this upload leaves, or with nothing else in flight it would never retry.
    buffered_bytes_ -= r.bytes;
  }
  if (job->done) job->done(r);
  job.reset();  // the body is freed before Drain() can see the upload as finished
  {
    std::lock_guard lock(mu_);
    --in_flight_;
  }
  done_cv_.notify_all();
}

bool Uploader::SleepUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, delay, [this] { return stopping_; });
}

bool Uploader::Healthy() const { return counters_.parked.load(std::memory_order_relaxed) == 0; }

bool Uploader::Idle() const {
  std::lock_guard lock(mu_);
  return pending_.empty() && parked_.empty() && in_flight_ == 0;
}

size_t Uploader::InFlight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

size_t Uploader::Queued() const {
  std::lock_guard lock(mu_);
  return pending_.size() + parked_.size();
}

bool Uploader::Drain(std::chrono::milliseconds deadline) {
  std::unique_lock lock(mu_);
  return done_cv_.wait_for(lock, deadline, [this] {
    return pending_.empty() && parked_.empty() && in_flight_ == 0;
  });
}

void Uploader::Stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    stop_cv_.notify_all();
    for (auto& w : workers_) {
      if (w.joinable()) w.join();
    }
    std::deque<std::unique_ptr<Job>> left;
    {
      std::lock_guard lock(mu_);
      for (auto& j : parked_) left.push_back(std::move(j));
      for (auto& j : pending_) left.push_back(std::move(j));
      parked_.clear();
      pending_.clear();
      in_flight_ += left.size();  // Complete() counts each one down
    }
    if (!left.empty()) {
      spdlog::warn("uploader stopping: abandoning {} upload(s) not completed", left.size());
    }
    for (auto& job : left) {
      ObjectTransfer::AbortAbandoned(env_, job->request, job->state);
      Complete(std::move(job), TransferOutcome::kCancelled);
    }
  });
}

UploaderStats Uploader::stats() const {
  std::lock_guard lock(mu_);
  UploaderStats s = totals_;
  s.requests = counters_.requests.load(std::memory_order_relaxed);
  s.retries = counters_.retries.load(std::memory_order_relaxed);
  s.parts_uploaded = counters_.parts_uploaded.load(std::memory_order_relaxed);
  s.multipart_aborts = counters_.multipart_aborts.load(std::memory_order_relaxed);
  s.buckets_created = buckets_.created();
  s.parked = counters_.parked.load(std::memory_order_relaxed);
  s.queued = pending_.size() + parked_.size();
  s.in_flight = in_flight_;
  s.buffered_bytes = buffered_bytes_;
  return s;
}

}  // namespace mqtt2s3::upload
