// BackupConsumer::Impl, shared by backup_consumer.cc (lifecycle, timers, recovery),
// backup_ingest.cc (session thread: keep, ack, confirmations) and backup_upload.cc (expired
// messages -> objects -> uploads -> WAL commits). Internal header.
//
// Threads and ownership: the io thread (Run) owns the session handlers, the WAL, the routers,
// the pending set, the kept messages and everything uploading; uploader callbacks only post to
// it. Stats and the subscribed flag are behind mutexes for other threads.
#pragma once

#include <atomic>
#include <chrono>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "backup/backup_consumer.h"
#include "backup/pending_set.h"
#include "converter/batch_encoder.h"
#include "format/object_writer.h"
#include "mqtt/session.h"
#include "route/router.h"
#include "upload/uploader.h"
#include "wal/log.h"

namespace mqtt2s3::backup {

namespace asio = boost::asio;

// The WAL partition of every kept message.
inline constexpr std::string_view kBackupPartition = "backup";

class BackupConsumer::Impl {
 public:
  Impl(BackupOptions options, std::unique_ptr<s3::Client> client);
  ~Impl();

  Status Run(bool handle_signals);
  void Shutdown();
  bool WaitSubscribed(std::chrono::milliseconds timeout) const;
  BackupStats stats() const;

 private:
  // A kept message, until confirmed or uploaded.
  struct Kept {
    std::string topic;
    std::string payload;
    std::string id;  // dedupe id
    int64_t receive_ms = 0;
  };
  // One object to store (and its companion index object, stored first), and the WAL
  // sequences of the messages it holds.
  struct Job {
    upload::UploadRequest request;
    std::optional<upload::UploadRequest> index;
    std::vector<uint64_t> sequences;
    bool dead_letter = false;
  };
  // A received message waiting for its ack: kept in the WAL (sequence != 0) until the sync
  // policy covers it, or (sequence == 0, in overflow_) waiting for WAL space.
  struct Unacked {
    uint64_t sequence = 0;
    mqtt::AckToken token;
    std::string id;
  };
  struct Overflow {
    Kept message;
    uint8_t qos = 0;
    mqtt::AckToken token;
  };
  // A message routed for upload: where it goes and what its index entry says.
  struct Routed {
    uint64_t sequence = 0;
    int64_t event_time_ms = 0;
    std::string index_key;
  };

  // --- lifecycle (backup_consumer.cc)
  Status Start(bool handle_signals);
  Status Recover();
  Status CheckS3();
  void OnState(const mqtt::SessionEvent& e);
  void StopOnIoThread();
  void ArmSync();
  void ArmTick();
  void ArmSummary();
  void LogSummary(std::string_view when) const;
  void Fail(Status s);  // io thread: a WAL failure ends Run

  // --- session thread (backup_ingest.cc)
  void OnMessage(const mqtt::InboundMessage& m);
  void OnConfirmation(const mqtt::InboundMessage& m);
  bool TakeRedelivery(const mqtt::InboundMessage& m);
  void Keep(Kept message, uint8_t qos, mqtt::AckToken token);
  bool TryAppend(Kept* message, uint8_t qos, mqtt::AckToken token);  // false: WAL full
  void DrainOverflow();
  void OnConnectionLost();
  void ReleaseDurable();

  // --- upload path (backup_upload.cc)
  void UploadExpired();
  void SubmitObjects(size_t route_index, std::string_view partition,
                     const std::vector<Routed>& messages);
  void SubmitObject(size_t route_index, std::string_view partition,
                    std::span<const Routed> messages);
  void SubmitDeadLetter(uint64_t sequence, const route::RouteResult& result);
  bool Fits(const Job& job) const;        // the uploader would accept it now
  void Submit(std::shared_ptr<Job> job);  // in order, or wait in blocked_
  void SubmitNow(std::shared_ptr<Job> job);
  void RetryBlocked();
  void OnUploaded(const std::shared_ptr<Job>& job, const upload::UploadResult& r);  // io
  void AdvanceCommit();

  template <typename F>
  void Count(F f) {
    std::lock_guard lock(stats_mu_);
    f(stats_);
  }

  BackupOptions options_;
  std::shared_ptr<const s3::Client> client_;

  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer sync_timer_;
  asio::steady_timer tick_timer_;
  asio::steady_timer summary_timer_;
  std::unique_ptr<mqtt::Session> session_;
  std::unique_ptr<upload::Uploader> uploader_;
  std::unique_ptr<wal::Log> log_;

  // io thread only.
  std::optional<route::Router> router_;         // the converter's instance: dedupe ids
  std::optional<route::Router> backup_router_;  // "<instance>-backup": object keys
  route::RouteResult route_result_;
  std::vector<converter::BatchEncoder> encoders_;  // one per route
  PendingSet pending_;
  std::unordered_map<uint64_t, Kept> kept_;     // by WAL sequence: pending or uploading
  std::deque<Unacked> acks_;                    // kept, waiting for the WAL sync
  // Received while the WAL budget was full (and everything after, to keep the order); not
  // acked, bounded by the broker's window (receive_maximum).
  std::deque<Overflow> overflow_;
  // id -> WAL sequences kept but not acked when a connection dropped: the broker redelivers
  // them (DUP), and such a redelivery is acked without a second copy.
  std::unordered_map<std::string, std::deque<uint64_t>> redelivery_;
  std::chrono::steady_clock::time_point redelivery_deadline_;
  bool wal_full_logged_ = false;
  bool sync_armed_ = false;
  std::set<uint64_t> uploading_;                // WAL sequences in objects not stored yet
  std::deque<std::shared_ptr<Job>> blocked_;    // refused by a full upload queue
  uint64_t committed_ = 0;                      // WAL sequence of the last commit marker
  uint64_t commit_seq_ = 0;                     // partition_seq of the last commit marker
  uint64_t deleted_at_ = 0;                     // committed_ when segments were last deleted
  std::string id_scratch_;
  bool stopping_ = false;
  Status failure_;

  std::atomic<bool> running_{false};
  std::atomic<bool> shutdown_requested_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool subscribed_ = false;

  mutable std::mutex stats_mu_;
  BackupStats stats_;
};

}  // namespace mqtt2s3::backup
