// Lifecycle of the backup consumer: options, WAL recovery, S3 check, session start, the three
// timers (WAL sync for acks, expiry tick, summary log) and the stop sequence.
#include "backup/backup_consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <csignal>

#include "backup/backup_consumer_impl.h"

namespace mqtt2s3::backup {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BackupConsumer::BackupConsumer(BackupOptions options, std::unique_ptr<s3::Client> client)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(client))) {}
BackupConsumer::~BackupConsumer() = default;
Status BackupConsumer::Run(bool handle_signals) { return impl_->Run(handle_signals); }
void BackupConsumer::Shutdown() { impl_->Shutdown(); }
bool BackupConsumer::WaitSubscribed(std::chrono::milliseconds timeout) const {
  return impl_->WaitSubscribed(timeout);
}
BackupStats BackupConsumer::stats() const { return impl_->stats(); }

BackupConsumer::Impl::Impl(BackupOptions options, std::unique_ptr<s3::Client> client)
    : options_(std::move(options)),
      client_(std::move(client)),
      signals_(io_),
      sync_timer_(io_),
      tick_timer_(io_),
      summary_timer_(io_),
      pending_({.confirm_timeout_ms = options_.confirm_timeout.count(),
                .max_early_confirmations = options_.max_early_confirmations}) {}

BackupConsumer::Impl::~Impl() = default;

Status BackupConsumer::Impl::Run(bool handle_signals) {
  if (!client_) return Status::InvalidArgument("backup: no S3 client");
  M2S_RETURN_IF_ERROR(options_.Validate());
  M2S_RETURN_IF_ERROR(Start(handle_signals));
  running_ = true;
  if (shutdown_requested_) asio::post(io_, [this] { StopOnIoThread(); });
  auto guard = asio::make_work_guard(io_);
  io_.run();  // until the session stopped (or the stop fallback fired)

  // Uploads in flight may finish within the grace; their completions were posted to the
  // stopped io context and run below, so what they stored is committed.
  if (!uploader_->Drain(options_.shutdown_grace)) {
    spdlog::warn("backup: shutdown grace of {} ms over; unfinished uploads stay in the WAL and "
                 "are retried by the next start", options_.shutdown_grace.count());
  }
  uploader_->Stop();
  io_.restart();
  io_.poll();
  if (failure_.ok()) AdvanceCommit();
  if (Status st = log_->Close(); !st.ok() && failure_.ok()) failure_ = st.WithContext("WAL");
  LogSummary("stopped");
  return failure_;
}

Status BackupConsumer::Impl::Start(bool handle_signals) {
  auto router = route::Router::Create(options_.router);
  if (!router.ok()) return router.status().WithContext("routes");
  router_.emplace(std::move(*router));
  route::RouterOptions bro = options_.router;
  bro.instance_id = options_.BackupInstance();
  auto backup_router = route::Router::Create(bro);
  if (!backup_router.ok()) return backup_router.status().WithContext("routes (backup instance)");
  backup_router_.emplace(std::move(*backup_router));
  for (size_t i = 0; i < router_->route_count(); ++i) {
    const route::RouteOptions& ro = router_->route(i).options();
    format::FormatOptions fo = options_.format;
    // Room for the backup's own metadata fields (route, flush reason), as the converter keeps.
    fo.metadata_budget_bytes = converter::WriterMetadataBudget(fo.metadata_budget_bytes);
    // The same encoder as the converter's, so a backup object has the route's body format.
    auto encoder = converter::BatchEncoder::Create(fo, router_->route(i));
    if (!encoder.ok()) return encoder.status().WithContext("route '" + ro.name + "' format");
    encoders_.push_back(std::move(*encoder));
  }
  M2S_RETURN_IF_ERROR(Recover());
  M2S_RETURN_IF_ERROR(CheckS3());
  auto uploader = upload::Uploader::Create(client_, options_.uploader);
  if (!uploader.ok()) return uploader.status().WithContext("upload");
  uploader_ = std::move(*uploader);

  mqtt::SessionOptions so = options_.session;
  so.subscriptions.push_back({options_.confirm_topic, mqtt::QoS::kAtLeastOnce});
  session_ = std::make_unique<mqtt::Session>(io_, so);
  session_->SetMessageHandler([this](const mqtt::InboundMessage& m) { OnMessage(m); });
  session_->SetStateHandler([this](const mqtt::SessionEvent& e) { OnState(e); });
  if (handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("backup: signal {} received: disconnecting, finishing uploads in flight "
                   "(grace {} ms)", sig, options_.shutdown_grace.count());
      StopOnIoThread();
    });
  }
  std::string filters;
  for (const mqtt::Subscription& sub : so.subscriptions) {
    filters += (filters.empty() ? "" : ", ") + sub.filter;
  }
  spdlog::info("backup: connecting to {} ({}); confirmations on '{}', timeout {} ms, objects "
               "under '{}' as instance '{}', WAL {}",
               so.ToString(), filters, options_.confirm_topic, options_.confirm_timeout.count(),
               options_.key_prefix, options_.BackupInstance(), options_.wal.dir);
  session_->Start();
  ArmTick();
  ArmSummary();
  return Status::Ok();
}

Status BackupConsumer::Impl::Recover() {
  wal::Recovered rec;
  auto log = wal::Log::Open(options_.wal, wal::PosixFileSystem(), &rec);
  if (!log.ok()) return log.status().WithContext("backup WAL '" + options_.wal.dir + "'");
  log_ = std::move(*log);
  for (const wal::ReaderCorruption& c : rec.corruptions) {
    spdlog::error("backup WAL: {}", c.ToString());
  }
  if (auto it = rec.commits.find(std::string(kBackupPartition)); it != rec.commits.end()) {
    committed_ = it->second.last_sequence;
    commit_seq_ = it->second.partition_seq;
  }
  deleted_at_ = committed_;
  // What was unacked when the process died is redelivered (DUP) by the persistent session:
  // at most the last receive_maximum messages, since acks are released in order. Recognise
  // those instead of keeping them twice.
  const size_t window = options_.session.receive_maximum;
  const size_t first_unacked = rec.pending.size() > window ? rec.pending.size() - window : 0;
  for (size_t i = 0; i < rec.pending.size(); ++i) {
    wal::Message& m = rec.pending[i];
    if (m.partition != kBackupPartition) continue;
    if (i >= first_unacked) redelivery_[m.extra].push_back(m.sequence);
    pending_.Add(m.extra, m.sequence, m.receive_time_ms);
    kept_.emplace(m.sequence,
                  Kept{std::move(m.topic), std::move(m.payload), std::move(m.extra),
                       m.receive_time_ms});
  }
  Count([&](BackupStats& s) { s.recovered = kept_.size(); });
  spdlog::info("backup: WAL '{}' recovered {} pending message(s) (committed through {}, next "
               "sequence {}, {} corruption(s), {} torn-tail byte(s))",
               options_.wal.dir, kept_.size(), committed_, rec.next_sequence,
               rec.corruptions.size(), rec.torn_tail_bytes);
  return Status::Ok();
}

Status BackupConsumer::Impl::CheckS3() {
  auto res = options_.uploader.create_buckets ? client_->CreateBucket(options_.dead_letter_bucket)
                                              : client_->HeadBucket(options_.dead_letter_bucket);
  if (res) return Status::Ok();
  const s3::S3Error& err = res.error();
  if (err.retryable()) {
    spdlog::warn("backup: S3 not reachable yet ({}); uploads will retry", err.ToString());
    return Status::Ok();
  }
  return err.ToStatus().WithContext("S3 check at start-up (dead-letter bucket)");
}

void BackupConsumer::Impl::Shutdown() {
  shutdown_requested_ = true;
  if (running_) asio::post(io_, [this] { StopOnIoThread(); });
}

void BackupConsumer::Impl::StopOnIoThread() {
  if (stopping_) return;
  stopping_ = true;
  signals_.cancel();
  sync_timer_.cancel();
  summary_timer_.cancel();
  // Acks the WAL already covers go out before the DISCONNECT (the session writes in order).
  if (log_->failure().ok() && log_->Sync().ok()) ReleaseDurable();
  session_->Stop();
  // Fallback should kStopped never come.
  tick_timer_.expires_after(options_.session.disconnect_timeout + std::chrono::seconds(2));
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) io_.stop();
  });
}

void BackupConsumer::Impl::Fail(Status s) {
  if (failure_.ok()) {
    failure_ = std::move(s);
    spdlog::error("backup: {}; stopping", failure_.ToString());
  }
  StopOnIoThread();
}

void BackupConsumer::Impl::OnState(const mqtt::SessionEvent& e) {
  using Kind = mqtt::SessionEvent::Kind;
  switch (e.kind) {
    case Kind::kConnected:
      spdlog::info("backup: connected to broker {} (session present: {})", e.broker,
                   e.session_present);
      // A new session redelivers nothing: what was unacked is gone from the broker (and kept
      // here).
      if (!e.session_present) redelivery_.clear();
      // The broker redelivers right after the CONNACK; entries left after a timeout were
      // acked after all, and are forgotten (ArmTick).
      redelivery_deadline_ = std::chrono::steady_clock::now() + options_.confirm_timeout;
      break;
    case Kind::kDisconnected: {
      spdlog::warn("backup: broker connection lost: {}; retrying in {} ms", e.status.message(),
                   e.retry_in.count());
      OnConnectionLost();
      std::lock_guard lock(mu_);
      subscribed_ = false;
      break;
    }
    case Kind::kSubscribed: {
      spdlog::info("backup: subscribed");
      std::lock_guard lock(mu_);
      subscribed_ = true;
      cv_.notify_all();
      break;
    }
    case Kind::kSubscriptionFailed:
      spdlog::error("backup: {}", e.status.message());
      break;
    case Kind::kStopped:
      tick_timer_.cancel();
      io_.stop();
      break;
  }
}

bool BackupConsumer::Impl::WaitSubscribed(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return subscribed_; });
}

BackupStats BackupConsumer::Impl::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void BackupConsumer::Impl::ArmSync() {
  // Armed once per interval, not per message: re-arming would push the sync back forever
  // under a steady stream.
  if (sync_armed_ || stopping_ || acks_.empty()) return;
  sync_armed_ = true;
  sync_timer_.expires_after(std::chrono::milliseconds(options_.wal.sync_every_ms));
  sync_timer_.async_wait([this](const boost::system::error_code& ec) {
    sync_armed_ = false;
    if (ec || stopping_) return;
    if (Status st = log_->MaybeSync(SteadyMs()); !st.ok()) return Fail(st.WithContext("WAL sync"));
    ReleaseDurable();
    ArmSync();
  });
}

void BackupConsumer::Impl::ArmTick() {
  // Often enough that a message is uploaded soon after its timeout, rarely enough to cost
  // nothing: an eighth of the timeout, between 20 ms and 1 s.
  const auto period = std::clamp<std::chrono::milliseconds>(
      options_.confirm_timeout / 8, std::chrono::milliseconds(20), std::chrono::seconds(1));
  tick_timer_.expires_after(period);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    UploadExpired();
    RetryBlocked();
    AdvanceCommit();
    if (committed_ > deleted_at_ && log_->failure().ok()) {
      auto deleted = log_->DeleteObsoleteSegments();
      if (!deleted.ok()) return Fail(deleted.status().WithContext("WAL segment deletion"));
      deleted_at_ = committed_;
      Count([&](BackupStats& s) { s.segments_deleted += *deleted; });
    }
    DrainOverflow();
    if (!redelivery_.empty() && std::chrono::steady_clock::now() > redelivery_deadline_) {
      redelivery_.clear();
    }
    ArmTick();
  });
}

void BackupConsumer::Impl::ArmSummary() {
  summary_timer_.expires_after(options_.summary_interval);
  summary_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    LogSummary("summary");
    ArmSummary();
  });
}

void BackupConsumer::Impl::LogSummary(std::string_view when) const {
  const BackupStats s = stats();
  const PendingSetStats p = pending_.stats();
  spdlog::info("backup {}: received {}, kept {}, recovered {}, confirmed {}, early "
               "confirmations {} (matched {}), uploaded after timeout {} in {} object(s), "
               "dead-lettered {}, pending {}, uploading {}, redeliveries {}, waited for WAL "
               "space {} (waiting {}), confirmation errors {}",
               when, s.received, s.kept, s.recovered, s.confirmed, s.early_confirmations,
               s.early_matched, s.uploaded, s.objects, s.dead_lettered, p.pending,
               uploading_.size(), s.redeliveries, s.wal_full, overflow_.size(),
               s.confirmation_errors);
}

}  // namespace mqtt2s3::backup
