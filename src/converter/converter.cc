#include "converter/converter.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include "converter/object_metadata.h"
#include "converter/work_queue.h"
#include "mqtt/session.h"
#include "route/dead_letter.h"
#include "route/router.h"
#include "route/utc_time.h"

namespace mqtt2s3::converter {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::system_clock;

// One object to store. The payload is copied out of the session's receive buffer (the
// one-object-per-message phase has nowhere else to keep it).
struct UploadJob {
  std::string bucket;
  std::string key;
  std::string payload;
  std::string topic;
  std::string content_type;
  std::string route_name;
  route::DeadLetterReason reason = route::DeadLetterReason::kNone;
  std::string detail;  // dead-letter detail; also set when S3 rejected the routed upload
  Clock::time_point receive_time;
  uint64_t seq = 0;
  mqtt::QoS qos = mqtt::QoS::kAtMostOnce;
  mqtt::AckToken token;
};

std::string FormatTime(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

Status ConverterOptions::Validate() const {
  M2S_RETURN_IF_ERROR(session.Validate().WithContext("broker"));
  M2S_RETURN_IF_ERROR(s3.Validate());
  M2S_RETURN_IF_ERROR(router.Validate().WithContext("routes"));
  M2S_RETURN_IF_ERROR(upload_retry.Validate().WithContext("upload retry"));
  if (dead_letter_bucket.empty()) {
    return Status::InvalidArgument("dead_letter.bucket: must not be empty");
  }
  if (upload_concurrency == 0 || upload_concurrency > 256) {
    return Status::InvalidArgument("s3.upload_concurrency: must be 1..256");
  }
  if (max_pending_uploads == 0) {
    return Status::InvalidArgument("max_pending_uploads: must be > 0");
  }
  return Status::Ok();
}

class Converter::Impl {
 public:
  Impl(ConverterOptions options, std::unique_ptr<s3::Client> client)
      : options_(std::move(options)),
        client_(std::move(client)),
        queue_(options_.max_pending_uploads),
        seq_base_(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            Clock::now().time_since_epoch())
                                            .count())),
        signals_(io_) {}

  ~Impl() {
    Shutdown();
    if (shutdown_thread_.joinable()) shutdown_thread_.join();
    for (auto& w : workers_) {
      if (w.joinable()) w.join();
    }
  }

  Status Run(bool handle_signals);
  void Shutdown();
  bool WaitConnected(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return connected_once_; });
  }
  ConverterStats stats() const {
    std::lock_guard lock(stats_mu_);
    return stats_;
  }

 private:
  Status CheckS3();
  void OnMessage(const mqtt::InboundMessage& m);
  void OnState(const mqtt::SessionEvent& e);
  void WorkerLoop();
  bool Store(UploadJob& job, mqtt::Backoff& backoff);
  Status EnsureBucket(const std::string& bucket);
  void ToDeadLetter(UploadJob& job, route::DeadLetterReason reason, std::string detail);
  void ShutdownSequence();
  template <typename F>
  void Count(F f) {
    std::lock_guard lock(stats_mu_);
    f(stats_);
  }

  const ConverterOptions options_;
  std::unique_ptr<s3::Client> client_;
  WorkQueue<UploadJob> queue_;
  const uint64_t seq_base_;
  uint64_t next_seq_ = 0;  // session thread only

  asio::io_context io_;
  asio::signal_set signals_;
  std::unique_ptr<mqtt::Session> session_;
  std::optional<route::Router> router_;  // session thread only
  route::RouteResult route_result_;      // session thread only (reused scratch)
  std::vector<std::thread> workers_;
  std::thread shutdown_thread_;

  std::atomic<bool> running_{false};
  std::atomic<bool> draining_{false};
  std::atomic<bool> abandon_{false};
  std::once_flag shutdown_once_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool connected_once_ = false;
  bool session_stopped_ = false;
  size_t workers_running_ = 0;

  std::mutex buckets_mu_;
  std::unordered_set<std::string> buckets_ready_;

  mutable std::mutex stats_mu_;
  ConverterStats stats_;
};

Status Converter::Impl::CheckS3() {
  // The dead-letter bucket must exist anyway; creating (or heading) it is the first signed
  // request, so wrong credentials surface at start-up rather than at the first message.
  auto res = options_.create_buckets ? client_->CreateBucket(options_.dead_letter_bucket)
                                     : client_->HeadBucket(options_.dead_letter_bucket);
  if (res) {
    std::lock_guard lock(buckets_mu_);
    buckets_ready_.insert(options_.dead_letter_bucket);
    return Status::Ok();
  }
  const s3::S3Error& err = res.error();
  if (err.retryable()) {
    spdlog::warn("S3 not reachable yet ({}); uploads will retry", err.ToString());
    return Status::Ok();
  }
  return err.ToStatus().WithContext("S3 check at start-up (dead-letter bucket)");
}

Status Converter::Impl::Run(bool handle_signals) {
  M2S_RETURN_IF_ERROR(options_.Validate());
  auto router = route::Router::Create(options_.router);
  if (!router.ok()) return router.status().WithContext("routes");
  router_.emplace(std::move(*router));
  M2S_RETURN_IF_ERROR(CheckS3());

  session_ = std::make_unique<mqtt::Session>(io_, options_.session);
  session_->SetMessageHandler([this](const mqtt::InboundMessage& m) { OnMessage(m); });
  session_->SetStateHandler([this](const mqtt::SessionEvent& e) { OnState(e); });
  {
    std::lock_guard lock(mu_);
    workers_running_ = options_.upload_concurrency;
  }
  for (size_t i = 0; i < options_.upload_concurrency; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  if (handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {} received: finishing uploads (grace {} ms), then disconnecting",
                   sig, options_.shutdown_grace.count());
      Shutdown();
    });
  }
  spdlog::info("connecting to {}; {} route(s), {} upload worker(s)", options_.session.ToString(),
               router_->route_count(), options_.upload_concurrency);
  running_ = true;
  session_->Start();
  auto guard = asio::make_work_guard(io_);
  io_.run();  // until the shutdown sequence stops the io context
  if (shutdown_thread_.joinable()) shutdown_thread_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  const ConverterStats s = stats();
  spdlog::info(
      "stopped: received {}, uploaded {}, dead-lettered {}, acks released {}, retries {}, "
      "left for redelivery {}",
      s.received, s.uploaded, s.dead_lettered, s.acks_released, s.upload_retries,
      s.deferred_on_shutdown + s.abandoned_on_shutdown);
  return Status::Ok();
}

void Converter::Impl::Shutdown() {
  if (!running_) return;
  std::call_once(shutdown_once_, [this] {
    draining_ = true;
    shutdown_thread_ = std::thread([this] { ShutdownSequence(); });
  });
}

void Converter::Impl::ShutdownSequence() {
  queue_.Close();  // workers drain what is queued, then exit
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, options_.shutdown_grace, [&] { return workers_running_ == 0; })) {
    spdlog::warn("shutdown grace of {} ms over: abandoning uploads still retrying",
                 options_.shutdown_grace.count());
    abandon_ = true;
    // An upload in flight ends by itself (S3 request and low-speed timeouts).
    cv_.wait(lock, [&] { return workers_running_ == 0; });
  }
  lock.unlock();
  // Every release is posted before Stop, and the session handles both in order: the acks are
  // written before the DISCONNECT.
  session_->Stop();
  lock.lock();
  const auto limit = options_.session.disconnect_timeout + std::chrono::seconds(2);
  cv_.wait_for(lock, limit, [&] { return session_stopped_; });
  lock.unlock();
  asio::post(io_, [this] {
    signals_.cancel();
    io_.stop();
  });
}

void Converter::Impl::OnState(const mqtt::SessionEvent& e) {
  using Kind = mqtt::SessionEvent::Kind;
  switch (e.kind) {
    case Kind::kConnected: {
      spdlog::info("connected to broker (session present: {})", e.session_present);
      std::lock_guard lock(mu_);
      connected_once_ = true;
      cv_.notify_all();
      break;
    }
    case Kind::kDisconnected:
      spdlog::warn("broker connection lost: {}; retrying in {} ms", e.status.message(),
                   e.retry_in.count());
      break;
    case Kind::kSubscribed:
      spdlog::info("subscribed to {} filter(s)", options_.session.subscriptions.size());
      break;
    case Kind::kSubscriptionFailed:
      spdlog::error("subscription refused: {}", e.status.message());
      break;
    case Kind::kStopped: {
      std::lock_guard lock(mu_);
      session_stopped_ = true;
      cv_.notify_all();
      break;
    }
  }
}

void Converter::Impl::OnMessage(const mqtt::InboundMessage& m) {
  if (draining_) {
    // Not acked: the broker redelivers it to the next session.
    Count([](ConverterStats& s) { ++s.deferred_on_shutdown; });
    return;
  }
  const Clock::time_point now = Clock::now();
  const uint64_t seq = seq_base_ + next_seq_++;
  UploadJob job;
  job.topic.assign(m.topic);
  job.payload.assign(m.payload);
  job.receive_time = now;
  job.seq = seq;
  job.qos = m.qos;
  job.token = m.token;
  if (router_->Route(m.topic, m.payload, now, seq, &route_result_)) {
    const route::CompiledRoute& r = router_->route(static_cast<size_t>(route_result_.route_index));
    job.bucket = route_result_.bucket;
    job.key = route_result_.key;
    job.route_name = r.options().name;
    job.content_type = std::string(r.options().EffectiveContentType());
  } else {
    if (route_result_.route_index >= 0) {
      job.route_name = router_->route(static_cast<size_t>(route_result_.route_index)).options().name;
    }
    ToDeadLetter(job, route_result_.reason, route_result_.detail);
  }
  Count([](ConverterStats& s) { ++s.received; });
  // Blocks while the queue is full: that is the backpressure (see max_pending_uploads).
  if (!queue_.Push(std::move(job))) {
    Count([](ConverterStats& s) { ++s.deferred_on_shutdown; });
  }
}

void Converter::Impl::ToDeadLetter(UploadJob& job, route::DeadLetterReason reason,
                                   std::string detail) {
  job.reason = reason;
  job.detail = std::move(detail);
  job.bucket = options_.dead_letter_bucket;
  job.key.clear();
  route::AppendDeadLetterKey(options_.dead_letter_prefix, reason, job.receive_time, job.seq,
                             options_.router.instance_id, &job.key);
  job.content_type = "application/octet-stream";
}

Status Converter::Impl::EnsureBucket(const std::string& bucket) {
  if (!options_.create_buckets) return Status::Ok();
  {
    std::lock_guard lock(buckets_mu_);
    if (buckets_ready_.count(bucket)) return Status::Ok();
  }
  auto res = client_->CreateBucket(bucket);
  if (!res) return res.error().ToStatus();
  std::lock_guard lock(buckets_mu_);
  buckets_ready_.insert(bucket);
  return Status::Ok();
}

bool Converter::Impl::Store(UploadJob& job, mqtt::Backoff& backoff) {
  backoff.Reset();
  while (true) {
    Status st = EnsureBucket(job.bucket);
    if (st.ok()) {
      s3::PutOptions put;
      put.content_type = job.content_type;
      put.metadata["topic"] = EncodeMetadataValue(job.topic);
      put.metadata["receive-time"] = FormatTime(job.receive_time);
      put.metadata["qos"] = std::to_string(static_cast<int>(job.qos));
      if (!job.route_name.empty()) put.metadata["route"] = EncodeMetadataValue(job.route_name);
      if (job.reason != route::DeadLetterReason::kNone) {
        put.metadata["dead-letter-reason"] = std::string(route::DeadLetterReasonName(job.reason));
        put.metadata["dead-letter-detail"] = EncodeMetadataValue(job.detail, 512);
      }
      auto res = client_->PutObject(job.bucket, job.key, job.payload, put);
      if (res) return true;
      st = res.error().ToStatus();
    }
    const bool dead_letter = job.reason != route::DeadLetterReason::kNone;
    if (!st.IsRetryable() && !dead_letter) {
      // S3 refuses this object for good (invalid bucket name, access denied, ...): keep the
      // message under the dead-letter prefix rather than retrying forever.
      spdlog::warn("upload of topic '{}' to bucket '{}' key '{}' rejected: {}; dead-lettering",
                   EncodeMetadataValue(job.topic, 256), job.bucket, job.key, st.ToString());
      ToDeadLetter(job, route::DeadLetterReason::kInvalidBucket, st.ToString());
      continue;
    }
    // Retryable, or the dead-letter store itself failing: never drop, keep trying.
    if (abandon_) return false;
    Count([](ConverterStats& s) { ++s.upload_retries; });
    const auto delay = backoff.Next();
    // Attempts 1, 2, 4, 8, ... are logged: an outage shows without flooding the log.
    const uint32_t attempt = backoff.attempt();
    const auto level =
        (attempt & (attempt - 1)) == 0 ? spdlog::level::warn : spdlog::level::debug;
    spdlog::log(level, "upload to bucket '{}' key '{}' failed (attempt {}): {}; retry in {} ms",
                job.bucket, job.key, attempt, st.ToString(), delay.count());
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until && !abandon_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

void Converter::Impl::WorkerLoop() {
  mqtt::Backoff backoff(options_.upload_retry);
  while (auto job = queue_.Pop()) {
    if (!Store(*job, backoff)) {
      Count([](ConverterStats& s) { ++s.abandoned_on_shutdown; });
      continue;  // not acked: redelivered by the broker
    }
    const bool dead = job->reason != route::DeadLetterReason::kNone;
    if (job->qos != mqtt::QoS::kAtMostOnce) session_->Release(job->token);
    Count([&](ConverterStats& s) {
      if (dead) {
        ++s.dead_lettered;
      } else {
        ++s.uploaded;
      }
      s.upload_bytes += job->payload.size();
      if (job->qos != mqtt::QoS::kAtMostOnce) ++s.acks_released;
    });
    if (dead) {
      spdlog::warn("dead-lettered topic '{}' as {}/{}: {}", EncodeMetadataValue(job->topic, 256),
                   job->bucket, job->key, job->detail);
    }
  }
  std::lock_guard lock(mu_);
  --workers_running_;
  cv_.notify_all();
}

Converter::Converter(ConverterOptions options, std::unique_ptr<s3::Client> client)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(client))) {}
Converter::~Converter() = default;
Status Converter::Run(bool handle_signals) { return impl_->Run(handle_signals); }
void Converter::Shutdown() { impl_->Shutdown(); }
bool Converter::WaitConnected(std::chrono::milliseconds timeout) const {
  return impl_->WaitConnected(timeout);
}
ConverterStats Converter::stats() const { return impl_->stats(); }

}  // namespace mqtt2s3::converter
