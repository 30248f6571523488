// Converter::Impl, shared by converter.cc (lifecycle), converter_ingest.cc (session thread:
// routing, batching, age timer, control topic) and converter_flush.cc (batch -> object ->
// upload -> acks). Internal header.
//
// Threads and ownership:
//   - the io thread (Run) owns the session, the router, the batcher, the age timer and
//     `blocked_`; every upload completion is posted back to it, so those need no locks;
//   - uploader threads run upload callbacks: they release acks (Session::Release is
//     thread-safe), count, and post the rest to the io thread;
//   - the shutdown thread sequences a graceful stop (flush all, drain, disconnect).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "batch/batcher.h"
#include "converter/batch_encoder.h"
#include "converter/redelivery.h"
#include "converter/converter.h"
#include "format/object_writer.h"
#include "mqtt/session.h"
#include "route/router.h"
#include "upload/uploader.h"
#include "wal/log.h"

namespace mqtt2s3::converter {

namespace asio = boost::asio;

class Converter::Impl {
 public:
  Impl(ConverterOptions options, std::unique_ptr<s3::Client> client);
  ~Impl();

  Status Run(bool handle_signals);
  void Shutdown();
  bool WaitConnected(std::chrono::milliseconds timeout) const;
  ConverterStats stats() const;
  bool BrokerConnected() const;

 private:
  // An upload the uploader refused (queue full); retried when an upload completes.
  // Dedupe ids of one batch, back to back: id i is bytes[ends[i-1], ends[i]).
  struct ConfirmIds {
    std::string bytes;
    std::vector<uint32_t> ends;
  };
  struct Blocked {
    upload::UploadRequest request;
    std::shared_ptr<batch::Batch> batch;  // null for a single dead-letter message
    bool needs_encoding = false;          // a flushed batch; request filled by EncodeBatch
    // The batch's dedupe ids for its upload confirmation (delivery.confirm_topic), taken at
    // encoding, when the batch's own bytes are freed.
    std::shared_ptr<const ConfirmIds> confirm_ids;
    uint64_t token_id = 0;                // single message: its ack token
    std::string confirm_id;               // single message: its dedupe id (confirmations)
    // A companion index object is stored before its data object: this upload is the index,
    // `then` the data object, submitted once the index is stored.
    std::shared_ptr<Blocked> then;
  };

  // --- lifecycle (converter.cc)
  Status CheckS3();
  void OnState(const mqtt::SessionEvent& e);
  void ShutdownSequence();

  // --- session thread (converter_ingest.cc)
  void OnMessage(const mqtt::InboundMessage& m);
  void OnControl(const mqtt::InboundMessage& m);
  void DeadLetterMessage(const mqtt::InboundMessage& m, route::DeadLetterReason reason,
                         const std::string& detail, const std::string& route_name);
  void RearmTimer();
  void OnTimer(const boost::system::error_code& ec);
  void FlushAllForShutdown();

  // --- flush path (converter_flush.cc)
  void DispatchReady();  // session thread: every batch in ready_ -> upload
  void SubmitBatch(batch::Batch batch);
  void Submit(Blocked item);     // session thread: in order, or wait in blocked_
  void SubmitNow(Blocked item);  // session thread: hand to the uploader
  bool Fits(const Blocked& item) const;
  static size_t ItemBytes(const Blocked& item);  // body size, or the batch's while unencoded
  // Fills item->request from its batch; returns the companion index upload, if any.
  std::optional<Blocked> EncodeBatch(Blocked* item);
  void RetryBlocked();        // session thread
  // Session thread: an item that holds a body already (an index's data object, a dead-letter
  // copy, a batch just encoded) goes out now if it fits, else to the front of blocked_.
  void Requeue(Blocked item);
  // Session thread: a batch's upload is over (stored, or kept for redelivery): its body slot
  // frees, the batch goes back to the Batcher, waiting batches may be encoded.
  void BodyDone(const std::shared_ptr<batch::Batch>& b);
  void OnBatchUploaded(const std::shared_ptr<batch::Batch>& batch,
                       const std::shared_ptr<const ConfirmIds>& ids,
                       upload::UploadResult r);  // uploader thread
  void OnIndexUploaded(const std::shared_ptr<Blocked>& data,
                       const upload::UploadResult& r);  // uploader thread
  void OnMessageUploaded(uint64_t token_id, mqtt::QoS qos, bool dead,
                         const upload::UploadResult& r);  // uploader thread

  // --- write-ahead log (converter_wal.cc), session thread; ack mode on-wal only
  struct PendingCommit {
    uint64_t partition_seq = 0;
    uint64_t last_sequence = 0;
    bool stored = false;
  };
  Status OpenWal(wal::Recovered* rec);
  void Replay(wal::Recovered* rec);
  // Appends the routed message; true when its ack now waits for the log (in is updated).
  bool LogMessage(const mqtt::InboundMessage& m, batch::MessageIn* in);
  // A redelivered (DUP) PUBLISH the log already holds: acks it once that copy is durable and
  // returns true; false when it must be stored.
  bool AckRedelivery(const mqtt::InboundMessage& m);
  // The QoS 2 exchange of `packet_id` is over: logged before its PUBCOMP goes out.
  void OnPubRel(uint16_t packet_id);
  // Fills redelivery_ from what the log recovered (before Replay consumes it).
  void RestoreRedeliveries(const wal::Recovered& rec);
  void OnWalFailure(const Status& s);
  void ReleaseDurable();
  void SealReady();  // seals every batch in ready_, then syncs
  void MarkStored(const std::string& partition, uint64_t partition_seq);
  void StartWalTimer();
  void OnWalTimer();
  void SyncWalForShutdown();
  void CloseWal();

  // Uploader thread: publishes which messages an object holds (delivery.confirm_topic).
  void PublishConfirmation(const std::string& bucket, const std::string& key,
                           const ConfirmIds* batch_ids, const std::string& single_id);

  template <typename F>
  void Count(F f) {
    std::lock_guard lock(stats_mu_);
    f(stats_);
  }

  ConverterOptions options_;
  std::shared_ptr<const s3::Client> client_;
  uint64_t seq_base_;  // set before Run starts the io thread; read on it only

  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer age_timer_;
  asio::steady_timer wal_timer_;
  std::optional<std::chrono::steady_clock::time_point> armed_deadline_;
  std::unique_ptr<mqtt::Session> session_;
  std::unique_ptr<upload::Uploader> uploader_;

  // Session (io) thread only.
  std::optional<route::Router> router_;
  route::RouteResult route_result_;
  std::optional<batch::Batcher> batcher_;
  std::vector<batch::Batch> ready_;
  std::deque<Blocked> blocked_;
  std::string key_scratch_;
  std::string extra_scratch_;                     // index key '\0' dedupe id of one message
  std::vector<BatchEncoder> encoders_;            // one per route
  std::vector<size_t> null_stats_at_;             // per route: first entry in parquet_nulls
  std::vector<format::MessageRecord> records_;    // scratch for one batch
  uint64_t next_seq_ = 0;
  // Session thread: a number no other message, dead letter or batch of this process (or of an
  // earlier run) uses: the router's {seq} and dead-letter keys.
  uint64_t NextSeq() { return seq_base_ + next_seq_++; }
  size_t blocked_bytes_ = 0;  // request bodies (or unencoded batches) waiting in blocked_
  // Batches encoded and not yet stored or given up: at most upload.concurrency + 1, so that
  // only uploads about to be sent hold a body.
  size_t bodies_out_ = 0;

  // Session thread: the write-ahead log and what waits on it.
  std::unique_ptr<wal::Log> log_;
  std::deque<std::pair<uint64_t, uint64_t>> pending_acks_;  // (log sequence, ack token)
  // Redelivered messages the log already holds (on-wal only; docs/WAL.md "Redeliveries").
  RedeliveryTable redelivery_;
  std::map<std::string, std::deque<PendingCommit>> commit_queue_;  // by partition, batch order
  std::string wal_extra_;
  uint64_t wal_appended_ = 0;  // not yet counted in stats_
  int64_t last_segment_gc_ms_ = 0;
  bool wal_full_ = false;      // disk budget full (logged once)
  bool wal_disabled_ = false;  // an I/O error failed the log: acks wait for uploads
  bool backlog_full_ = false;  // upload backlog over the cap (logged once)

  std::thread shutdown_thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> draining_{false};
  std::once_flag shutdown_once_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool connected_once_ = false;
  bool session_stopped_ = false;
  bool shutdown_flushed_ = false;

  mutable std::mutex stats_mu_;
  ConverterStats stats_;
  // Counted for every message, so kept out of stats_mu_: stats() adds them to stats_'s
  // fields of the same names.
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> acks_released_{0};
  std::atomic<uint64_t> wal_appended_total_{0};
};

}  // namespace mqtt2s3::converter
