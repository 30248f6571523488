// Write-ahead-log half of the converter (ack mode on-wal, docs/WAL.md):
//   - ingest appends every routed message to the log and releases its ack once the log's
//     sync policy made it durable (group commit: a timer syncs every wal.sync_interval);
//   - before a batch is uploaded it is sealed in the log (partition, batch number, last
//     sequence), and the seals are synced before the uploads start;
//   - once stored, a batch is committed, in batch order per partition; segments whose
//     messages are all committed are deleted;
//   - at start-up the uncommitted messages are replayed: sealed batches are re-formed with
//     exactly their messages and numbers (so the same object keys: a batch stored just before
//     a crash is overwritten with the same body), the rest goes back into open batches.
// When the log refuses a message (disk budget full, or an I/O error made it fail), that
// message's ack waits for its upload instead, so the broker's in-flight window stops the
// flow until uploads free space: backpressure, never a drop.
// Everything here runs on the io thread.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "converter/converter_impl.h"

namespace mqtt2s3::converter {
namespace {

// The log's per-message "extra": event time and route index (so that recovery needs no
// re-routing and does not depend on a changed config), then the batch extra.
constexpr size_t kWalExtraHeader = 10;

void PutLE(std::string* out, uint64_t v, int bytes) {
  char le[8];
  for (int i = 0; i < bytes; ++i) le[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->append(le, static_cast<size_t>(bytes));
}

uint64_t GetLE(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  }
  return v;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status Converter::Impl::OpenWal(wal::Recovered* rec) {
  // The log creates its own directory; the parents are the operator's layout (e.g.
  // /var/lib/mqtt2s3/<instance>/wal), created here so a fresh machine starts.
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(options_.wal.dir).parent_path();
  if (!parent.empty() && !std::filesystem::create_directories(parent, ec) && ec) {
    return Status::Unavailable("cannot create the parent of wal.dir '" + options_.wal.dir +
                               "': " + ec.message());
  }
  wal::LogOptions lo = options_.wal;
  // One write(2) per ingest burst instead of per message; acks still wait for the sync.
  if (lo.write_buffer_bytes == 0) lo.write_buffer_bytes = 64 << 10;
  lo.content_hash = ContentHash;  // every logged packet id, uploaded or not, is recognisable
  // and stays so across a restart for as many messages as the redelivery table remembers, even
  // once uploaded (the broker may not have read their acks: docs/WAL.md "Redeliveries").
  lo.retain_messages = RedeliveryTable::kDepth * 65535;
  auto log = wal::Log::Open(lo, wal::PosixFileSystem(), rec);
  if (!log.ok()) {
    return log.status().WithContext("opening the write-ahead log (wal.dir '" + options_.wal.dir +
                                    "')");
  }
  log_ = std::move(log).value();
  for (const wal::ReaderCorruption& c : rec->corruptions) {
    spdlog::error("WAL corruption: {}/{}; the rest of the log is recovered", options_.wal.dir,
                  c.ToString());
  }
  if (rec->torn_tail_bytes > 0) {
    spdlog::warn("WAL: dropped a torn tail of {} byte(s) (a write cut short by a crash; that "
                 "message was never acknowledged)", rec->torn_tail_bytes);
  }
  size_t sealed = 0;
  for (const auto& [p, seals] : rec->seals) sealed += seals.size();
  spdlog::info("WAL {}: {} message(s) not yet in S3, {} sealed batch(es) to re-upload, next "
               "sequence {}", options_.wal.dir, rec->pending.size(), sealed, rec->next_sequence);
  return Status::Ok();
}

void Converter::Impl::Replay(wal::Recovered* rec) {
  if (rec->pending.empty()) return;
  // A sealed batch must come back whole: no count, bytes or age trigger may cut it.
  batch::FlushPolicy sealed_policy;
  sealed_policy.max_messages = std::numeric_limits<size_t>::max();
  sealed_policy.max_bytes = 0;
  sealed_policy.max_age = std::chrono::milliseconds(0);
  std::map<std::string, size_t> next_seal;  // partition -> index into rec->seals[partition]
  auto current_seal = [&](const std::string& partition) -> const wal::CommitMarker* {
    auto it = rec->seals.find(partition);
    if (it == rec->seals.end()) return nullptr;
    const size_t i = next_seal[partition];
    return i < it->second.size() ? &it->second[i] : nullptr;
  };
  uint64_t batches = 0;
  for (const wal::Message& m : rec->pending) {
    // Seals whose last message is missing (dropped by corruption) end before this one.
    for (const wal::CommitMarker* s = current_seal(m.partition);
         s != nullptr && m.sequence > s->last_sequence; s = current_seal(m.partition)) {
      batches += batcher_->Flush(m.partition, batch::FlushReason::kRecovery, &ready_) ? 1 : 0;
      ++next_seal[m.partition];
    }
    const wal::CommitMarker* seal = current_seal(m.partition);
    std::string_view extra = m.extra;
    int64_t event_ms = m.receive_time_ms;
    size_t route_index = 0;
    if (extra.size() >= kWalExtraHeader) {
      event_ms = static_cast<int64_t>(GetLE(extra, 0, 8));
      route_index = GetLE(extra, 8, 2);
      extra.remove_prefix(kWalExtraHeader);
    }
    // A route removed from the config since: the key cannot render, so SubmitBatch stores
    // the batch under the dead-letter prefix. Kept, committed, never dropped.
    if (route_index >= router_->route_count()) route_index = 0;
    std::string_view bucket, partial;
    if (!route::Router::SplitPartition(m.partition, &bucket, &partial)) bucket = m.partition;
    if (seal) batcher_->SetNextSequence(m.partition, seal->partition_seq);
    batch::MessageIn in;
    in.topic = m.topic;
    in.payload = m.payload;
    in.extra = extra;
    in.event_time_ms = event_ms;
    in.receive_time_ms = m.receive_time_ms;
    in.ack_ref = m.sequence;
    in.logged = true;
    in.flush_after = !seal && (m.flags & 1) != 0;
    Status st = batcher_->Append(m.partition, bucket, static_cast<int>(route_index),
                                 seal ? sealed_policy : options_.PolicyFor(route_index), in,
                                 &ready_);
    if (!st.ok()) {
      spdlog::error("WAL replay: message {} of partition '{}' cannot be batched: {}; it stays "
                    "in the log", m.sequence, m.partition, st.message());
      continue;
    }
    if (seal && m.sequence >= seal->last_sequence) {
      batches += batcher_->Flush(m.partition, batch::FlushReason::kRecovery, &ready_) ? 1 : 0;
      ++next_seal[m.partition];
    }
    DispatchReady();
  }
  for (const auto& [partition, seals] : rec->seals) {
    if (next_seal[partition] < seals.size()) {
      batches += batcher_->Flush(partition, batch::FlushReason::kRecovery, &ready_) ? 1 : 0;
    }
  }
  DispatchReady();
  const uint64_t n = rec->pending.size();
  Count([&](ConverterStats& s) {
    s.recovered_messages += n;
    s.recovered_batches += batches;
  });
  spdlog::info("WAL replay: {} message(s), {} sealed batch(es) re-formed for upload", n, batches);
  rec->pending.clear();
  RearmTimer();  // replayed open batches age out like any other, without a new message
}

bool Converter::Impl::LogMessage(const mqtt::InboundMessage& m, batch::MessageIn* in) {
  if (wal_disabled_) return false;
  if (blocked_bytes_ >= options_.batcher.max_buffered_bytes) {
    // S3 is behind (or down): acknowledging more would only grow the upload backlog in memory.
    if (!backlog_full_) {
      spdlog::warn("upload backlog {} bytes: acknowledgements now wait for uploads (the broker "
                   "holds further messages)", blocked_bytes_);
      backlog_full_ = true;
    }
    return false;
  }
  if (backlog_full_) {
    spdlog::info("upload backlog drained: acknowledging on WAL append again");
    backlog_full_ = false;
  }
  wal_extra_.clear();
  PutLE(&wal_extra_, static_cast<uint64_t>(in->event_time_ms), 8);
  PutLE(&wal_extra_, static_cast<uint64_t>(route_result_.route_index), 2);
  wal_extra_.append(in->extra);
  wal::MessageIn wm;
  wm.partition = route_result_.partition;
  wm.topic = m.topic;
  wm.payload = m.payload;
  wm.extra = wal_extra_;
  wm.receive_time_ms = in->receive_time_ms;
  wm.qos = static_cast<uint8_t>(m.qos);
  wm.flags = in->flush_after ? wal::kFlagFlushAfter : 0;
  if (m.qos != mqtt::QoS::kAtMostOnce) {
    wm.flags |= wal::kFlagPacketId;
    wm.packet_id = m.packet_id;
  }
  StatusOr<uint64_t> seq = log_->Append(wm);
  if (!seq.ok()) {
    if (seq.status().code() == StatusCode::kResourceExhausted) {
      if (!wal_full_) {
        spdlog::warn("{}; acknowledgements now wait for uploads until segments are freed",
                     seq.status().message());
        wal_full_ = true;
      }
      Count([](ConverterStats& s) { ++s.wal_rejected; });
    } else {
      OnWalFailure(seq.status());
    }
    return false;
  }
  if (wal_full_) {
    spdlog::info("WAL has room again: acknowledging on append");
    wal_full_ = false;
  }
  in->ack_ref = *seq;
  in->logged = true;
  in->qos = 0;  // acked by the log, not by the upload: outside the broker-window count
  if (m.qos != mqtt::QoS::kAtMostOnce) {
    pending_acks_.push_back({*seq, m.token.id});
    redelivery_.OnLogged(m.packet_id, static_cast<uint8_t>(m.qos), ContentHash(m.topic, m.payload),
                         *seq);
  }
  ++wal_appended_;
  ReleaseDurable();
  return true;
}

bool Converter::Impl::AckRedelivery(const mqtt::InboundMessage& m) {
  if (wal_disabled_) return false;
  const std::optional<uint64_t> seq = redelivery_.Match(
      m.packet_id, static_cast<uint8_t>(m.qos), ContentHash(m.topic, m.payload));
  if (!seq) return false;
  Count([](ConverterStats& s) { ++s.redeliveries_recognised; });
  if (*seq <= log_->durable_sequence()) {
    session_->Release(m.token);
    Count([](ConverterStats& s) { ++s.acks_released; });
  } else {
    pending_acks_.push_back({*seq, m.token.id});  // released with its logged copy
  }
  return true;
}

void Converter::Impl::OnPubRel(uint16_t packet_id) {
  redelivery_.OnPubRel(packet_id);
  if (wal_disabled_) return;
  if (Status s = log_->RecordPubRel(packet_id); !s.ok()) OnWalFailure(s);
}

void Converter::Impl::RestoreRedeliveries(const wal::Recovered& rec) {
  // Older QoS 1 messages first, in log order: an id may stand for several unacknowledged
  // messages at the broker. Then the latest message of every id (QoS 2 state included).
  for (const wal::Recovered::PacketHistoryEntry& h : rec.packet_history) {
    redelivery_.OnLogged(h.packet_id, h.record.qos, h.record.content_hash, h.record.sequence);
  }
  for (const auto& [packet_id, p] : rec.packets) {
    if (p.has_content_hash) {
      redelivery_.OnLogged(packet_id, p.qos, p.content_hash, p.sequence);
      continue;
    }
    // pending is in sequence order.
    auto it = std::lower_bound(rec.pending.begin(), rec.pending.end(), p.sequence,
                               [](const wal::Message& m, uint64_t s) { return m.sequence < s; });
    if (it != rec.pending.end() && it->sequence == p.sequence) {
      redelivery_.OnLogged(packet_id, p.qos, ContentHash(it->topic, it->payload), p.sequence);
    } else {
      redelivery_.OnLoggedWithoutContent(packet_id, p.qos, p.sequence);
    }
  }
  if (!rec.packets.empty()) {
    spdlog::info("WAL: {} packet id(s) of the last run known, {} QoS 1 message(s) with their "
                 "ids (acks sent up to sequence {}): their redeliveries are acknowledged, not "
                 "stored again", rec.packets.size(), rec.packet_history.size(),
                 rec.acked_through);
  }
}

void Converter::Impl::OnWalFailure(const Status& s) {
  if (wal_disabled_) return;
  wal_disabled_ = true;
  spdlog::error("{}; acknowledgements now wait for uploads. Restart to recover the log",
                s.ToString());
}

void Converter::Impl::ReleaseDurable() {
  const uint64_t durable = log_->durable_sequence();
  uint64_t released = 0;
  while (!pending_acks_.empty() && pending_acks_.front().first <= durable) {
    session_->Release(mqtt::AckToken{pending_acks_.front().second});
    pending_acks_.pop_front();
    ++released;
  }
  if (released > 0 || wal_appended_ > 0) {
    acks_released_.fetch_add(released, std::memory_order_relaxed);
    wal_appended_total_.fetch_add(wal_appended_, std::memory_order_relaxed);
    wal_appended_ = 0;
  }
}

void Converter::Impl::SealReady() {
  bool sealed = false;
  for (const batch::Batch& b : ready_) {
    uint64_t last = 0;
    for (const batch::MessageView m : b) {
      if (m.logged && m.ack_ref > last) last = m.ack_ref;
    }
    if (last == 0) continue;
    Status s = log_->Seal({b.partition_id(), b.sequence(), last});
    if (!s.ok()) {
      OnWalFailure(s);
      return;
    }
    commit_queue_[b.partition_id()].push_back({b.sequence(), last, false});
    sealed = true;
  }
  // Durable seals before any of these uploads can start: a crash then re-forms the same
  // batches under the same keys.
  if (sealed) {
    if (Status s = log_->Sync(); !s.ok()) OnWalFailure(s);
    ReleaseDurable();
  }
}

void Converter::Impl::MarkStored(const std::string& partition, uint64_t partition_seq) {
  auto it = commit_queue_.find(partition);
  if (it == commit_queue_.end()) return;  // nothing of it was logged
  for (PendingCommit& pc : it->second) {
    if (pc.partition_seq == partition_seq) pc.stored = true;
  }
  uint64_t commits = 0;
  while (!it->second.empty() && it->second.front().stored) {
    const PendingCommit& pc = it->second.front();
    Status s = log_->Commit({partition, pc.partition_seq, pc.last_sequence});
    if (!s.ok()) {
      OnWalFailure(s);
      break;
    }
    it->second.pop_front();
    ++commits;
  }
  if (it->second.empty()) commit_queue_.erase(it);
  if (commits == 0) return;
  Count([&](ConverterStats& s) { s.wal_commits += commits; });
  if (wal_full_) {
    // Acks are waiting for uploads while the log is full: free space now, not at the next
    // housekeeping tick.
    auto deleted = log_->DeleteObsoleteSegments();
    if (!deleted.ok()) OnWalFailure(deleted.status());
  }
}

void Converter::Impl::StartWalTimer() {
  // every-ms needs its timer at the sync interval; the other policies only housekeeping.
  const auto period = options_.wal.sync_policy == wal::SyncPolicy::kEveryMillis ||
                              options_.wal.sync_policy == wal::SyncPolicy::kEveryMessages
                          ? std::chrono::milliseconds(options_.wal.sync_every_ms)
                          : std::chrono::milliseconds(50);
  wal_timer_.expires_after(period);
  wal_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted || !log_) return;
    OnWalTimer();
    StartWalTimer();
  });
}

void Converter::Impl::OnWalTimer() {
  const int64_t now = NowMs();
  const batch::BatcherStats bs = batcher_->stats();
  Count([&](ConverterStats& s) {
    s.wal_disk_bytes = log_->disk_usage();
    s.wal_segments = log_->stats().segments;
    s.buffered_bytes = bs.buffered_bytes;
    s.buffered_messages = bs.buffered_messages;
  });
  if (!wal_disabled_) {
    if (Status s = log_->MaybeSync(now); !s.ok()) OnWalFailure(s);
  }
  ReleaseDurable();
  if (!wal_disabled_ && now - last_segment_gc_ms_ >= 1000) {
    last_segment_gc_ms_ = now;
    auto deleted = log_->DeleteObsoleteSegments();
    if (!deleted.ok()) {
      OnWalFailure(deleted.status());
    } else if (*deleted > 0) {
      spdlog::debug("WAL: deleted {} segment(s) whose messages are all in S3", *deleted);
    }
  }
}

void Converter::Impl::SyncWalForShutdown() {
  if (!log_) return;
  if (!wal_disabled_) {
    if (Status s = log_->Sync(); !s.ok()) OnWalFailure(s);
  }
  ReleaseDurable();
}

void Converter::Impl::CloseWal() {
  if (!log_) return;
  wal_timer_.cancel();
  if (!wal_disabled_) {
    auto deleted = log_->DeleteObsoleteSegments();
    if (!deleted.ok()) spdlog::error("WAL: {}", deleted.status().ToString());
    Status s = log_->Close();
    if (!s.ok()) spdlog::error("WAL close: {}", s.ToString());
  }
  const wal::LogStats st = log_->stats();
  spdlog::info("WAL: {} segment(s), {} byte(s) left on disk ({} message(s) appended, {} commit(s) "
               "this run)", st.segments, st.disk_bytes, st.appends, st.commits);
  log_.reset();
}

}  // namespace mqtt2s3::converter
