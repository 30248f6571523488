#include "converter/converter.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <algorithm>
#include <csignal>
#include <future>

#include "converter/converter_impl.h"

namespace mqtt2s3::converter {
namespace {

using Clock = std::chrono::system_clock;

uint64_t SequenceBase() {
  // Milliseconds since the epoch x 100: a restart (which takes well over a millisecond) starts
  // above any number a partition of the previous run could have reached at up to 100,000
  // batches per second. With a WAL the base is also lifted above every recorded number.
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch());
  return static_cast<uint64_t>(ms.count()) * 100;
}

}  // namespace

std::string_view AckModeName(AckMode m) {
  switch (m) {
    case AckMode::kOnWal: return "on-wal";
    case AckMode::kOnUpload: return "on-upload";
    case AckMode::kOnReceive: return "on-receive";
  }
  return "unknown";
}

StatusOr<AckMode> ParseAckMode(std::string_view name) {
  for (AckMode m : {AckMode::kOnWal, AckMode::kOnUpload, AckMode::kOnReceive}) {
    if (AckModeName(m) == name) return m;
  }
  return Status::InvalidArgument("unknown ack mode '" + std::string(name) +
                                 "' (on-wal, on-upload, on-receive)");
}

Status CheckMetadataBudget(size_t budget) {
  if (budget >= kMinMetadataBudget) return Status::Ok();
  return Status::InvalidArgument(
      "format.metadata_budget: at least " + std::to_string(kMinMetadataBudget) + " bytes (" +
      std::to_string(kMinWriterMetadataBytes) + " for the object format, " +
      std::to_string(kOwnMetadataBytes) + " for the route and flush-reason fields), got " +
      std::to_string(budget));
}

Status ConverterOptions::Validate() const {
  M2S_RETURN_IF_ERROR(CheckMetadataBudget(format.metadata_budget_bytes));
  if (ack_mode == AckMode::kOnWal) M2S_RETURN_IF_ERROR(wal.Validate().WithContext("wal"));
  M2S_RETURN_IF_ERROR(session.Validate().WithContext("broker"));
  M2S_RETURN_IF_ERROR(s3.Validate());
  M2S_RETURN_IF_ERROR(router.Validate().WithContext("routes"));
  M2S_RETURN_IF_ERROR(batcher.Validate().WithContext("batch"));
  M2S_RETURN_IF_ERROR(uploader.Validate().WithContext("upload"));
  for (size_t i = 0; i < route_policies.size(); ++i) {
    M2S_RETURN_IF_ERROR(route_policies[i].Validate().WithContext(
        "routes[" + std::to_string(i) + "].batch"));
  }
  if (dead_letter_bucket.empty()) {
    return Status::InvalidArgument("dead_letter.bucket: must not be empty");
  }
  return Status::Ok();
}

Converter::Impl::Impl(ConverterOptions options, std::unique_ptr<s3::Client> client)
    : options_(std::move(options)),
      client_(std::move(client)),
      seq_base_(SequenceBase()),
      signals_(io_),
      age_timer_(io_),
      wal_timer_(io_) {}

Converter::Impl::~Impl() {
  Shutdown();
  if (shutdown_thread_.joinable()) shutdown_thread_.join();
}

Status Converter::Impl::CheckS3() {
  // The dead-letter bucket must exist anyway; creating (or heading) it is the first signed
  // request, so wrong credentials surface at start-up rather than at the first flush.
  auto res = options_.uploader.create_buckets ? client_->CreateBucket(options_.dead_letter_bucket)
                                              : client_->HeadBucket(options_.dead_letter_bucket);
  if (res) return Status::Ok();
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
  for (size_t i = 0; i < router_->route_count(); ++i) {
    const route::RouteOptions& ro = router_->route(i).options();
    format::FormatOptions fo = options_.format;
    // Room for the converter's own metadata fields (route, flush reason).
    fo.metadata_budget_bytes = WriterMetadataBudget(fo.metadata_budget_bytes);
    auto encoder = BatchEncoder::Create(fo, router_->route(i));
    if (!encoder.ok()) return encoder.status().WithContext("route '" + ro.name + "' format");
    encoders_.push_back(std::move(*encoder));
  }
  {
    std::lock_guard lock(stats_mu_);
    for (const BatchEncoder& e : encoders_) {
      null_stats_at_.push_back(stats_.parquet_nulls.size());
      e.AppendNullStats(&stats_.parquet_nulls);
    }
  }

  // The log first: batch numbers of this run start above every number it recorded.
  wal::Recovered rec;
  if (options_.ack_mode == AckMode::kOnWal) {
    M2S_RETURN_IF_ERROR(OpenWal(&rec));
    uint64_t recorded = 0;
    for (const auto& [p, c] : rec.commits) recorded = std::max(recorded, c.partition_seq);
    for (const auto& [p, seals] : rec.seals) {
      for (const wal::CommitMarker& s : seals) recorded = std::max(recorded, s.partition_seq);
    }
    seq_base_ = std::max(seq_base_, recorded + 1);
  }

  batch::BatcherOptions bo = options_.batcher;
  if (bo.max_unacked_messages == 0) {
    // Acks wait for the upload: never buffer more unacked messages than the broker window.
    bo.max_unacked_messages = options_.session.receive_maximum;
  }
  bo.first_sequence = seq_base_;
  // No arena pool: a batch's arenas are freed when it is encoded and the next batch of the
  // partition reserves its predecessor's size instead (batch/partition.h). Pooled arenas would
  // stay resident next to the new batches, which open as soon as the old ones flush.
  bo.max_recycled_bytes = 0;
  M2S_RETURN_IF_ERROR(bo.Validate().WithContext("batch"));
  batcher_.emplace(bo);
  M2S_RETURN_IF_ERROR(CheckS3());
  auto uploader = upload::Uploader::Create(client_, options_.uploader);
  if (!uploader.ok()) return uploader.status().WithContext("upload");
  uploader_ = std::move(*uploader);

  mqtt::SessionOptions so = options_.session;
  if (!options_.flush_control_topic.empty()) {
    so.subscriptions.push_back({options_.flush_control_topic, mqtt::QoS::kAtLeastOnce});
  }
  session_ = std::make_unique<mqtt::Session>(io_, so);
  session_->SetMessageHandler([this](const mqtt::InboundMessage& m) { OnMessage(m); });
  session_->SetStateHandler([this](const mqtt::SessionEvent& e) { OnState(e); });
  if (log_) {
    session_->SetPubRelHandler([this](uint16_t packet_id) { OnPubRel(packet_id); });
    RestoreRedeliveries(rec);
    // Before any new message: what the last run logged but did not store goes first, in the
    // same batches under the same keys.
    Replay(&rec);
    StartWalTimer();
  }
  if (handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {} received: flushing every batch, uploading (grace {} ms), then "
                   "disconnecting", sig, options_.shutdown_grace.count());
      Shutdown();
    });
  }
  spdlog::info("connecting to {}; {} route(s), {} upload worker(s), ack mode {}, window {} "
               "unacked messages", so.ToString(), router_->route_count(),
               options_.uploader.max_concurrent_uploads, AckModeName(options_.ack_mode),
               bo.max_unacked_messages);
  running_ = true;
  session_->Start();
  auto guard = asio::make_work_guard(io_);
  io_.run();  // until the shutdown sequence stops the io context
  if (shutdown_thread_.joinable()) shutdown_thread_.join();
  uploader_->Stop();  // idempotent; callbacks of anything left run with kCancelled
  CloseWal();
  const ConverterStats s = stats();
  spdlog::info("stopped: received {}, stored {} in {} object(s), dead-lettered {}, acks "
               "released {}, left for redelivery {}",
               s.received, s.messages_uploaded, s.batches_uploaded, s.dead_lettered,
               s.acks_released, s.deferred_on_shutdown + s.left_unacked);
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
  // 1. On the session thread: flush every partition and hand the batches to the uploader.
  asio::post(io_, [this] { FlushAllForShutdown(); });
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return shutdown_flushed_; });
  lock.unlock();
  // 2. Let the uploads finish; their callbacks release the acks.
  const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  bool drained = false;
  while (!drained && std::chrono::steady_clock::now() < deadline) {
    // Batches refused by a full queue are resubmitted on the session thread as slots free up,
    // so drain in short rounds until nothing is queued, in flight or blocked.
    drained = uploader_->Drain(std::chrono::milliseconds(200));
    if (drained) {
      std::promise<bool> none_blocked;
      auto f = none_blocked.get_future();
      asio::post(io_, [&] { none_blocked.set_value(blocked_.empty()); });
      drained = f.get() && uploader_->Idle();
    }
  }
  if (!drained) {
    spdlog::warn("shutdown grace of {} ms over: abandoning uploads not finished; their messages "
                 "stay unacknowledged and will be redelivered", options_.shutdown_grace.count());
  }
  uploader_->Stop();
  // 3. Every release was posted before Stop, and the session handles both in order: the acks
  //    are written before the DISCONNECT.
  session_->Stop();
  lock.lock();
  cv_.wait_for(lock, options_.session.disconnect_timeout + std::chrono::seconds(2),
               [&] { return session_stopped_; });
  lock.unlock();
  asio::post(io_, [this] {
    signals_.cancel();
    age_timer_.cancel();
    wal_timer_.cancel();
    io_.stop();
  });
}

void Converter::Impl::OnState(const mqtt::SessionEvent& e) {
  using Kind = mqtt::SessionEvent::Kind;
  switch (e.kind) {
    case Kind::kConnected: {
      spdlog::info("connected to broker {} (session present: {})", e.broker, e.session_present);
      std::lock_guard lock(mu_);
      connected_once_ = true;
      cv_.notify_all();
      break;
    }
    case Kind::kDisconnected:
      spdlog::warn("broker connection lost: {}; retrying {} in {} ms", e.status.message(),
                   e.next_broker.empty() ? e.broker : e.next_broker, e.retry_in.count());
      break;
    case Kind::kSubscribed:
      spdlog::info("subscribed");
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

bool Converter::Impl::WaitConnected(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return connected_once_; });
}

bool Converter::Impl::BrokerConnected() const {
  if (!running_) return false;  // session_ is set before running_
  const mqtt::Session::Stats s = session_->stats();
  return s.connects > s.disconnects;
}

bool Converter::BrokerConnected() const { return impl_->BrokerConnected(); }

ConverterStats Converter::Impl::stats() const {
  ConverterStats s;
  {
    std::lock_guard lock(stats_mu_);
    s = stats_;
  }
  s.received += received_.load(std::memory_order_relaxed);
  s.acks_released += acks_released_.load(std::memory_order_relaxed);
  s.wal_appended += wal_appended_total_.load(std::memory_order_relaxed);
  if (running_) {  // session_ is set before running_; Session::stats() is thread-safe
    const mqtt::Session::Stats ss = session_->stats();
    s.broker_connects = ss.connects;
    s.broker_disconnects = ss.disconnects;
  }
  return s;
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
