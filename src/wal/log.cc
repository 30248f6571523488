#include "wal/log.h"

#include <algorithm>
#include <cstdio>

namespace mqtt2s3::wal {

std::string_view SyncPolicyName(SyncPolicy p) {
  switch (p) {
    case SyncPolicy::kAlways: return "always";
    case SyncPolicy::kEveryMessages: return "every-messages";
    case SyncPolicy::kEveryMillis: return "every-ms";
    case SyncPolicy::kNever: return "never";
  }
  return "unknown";
}

StatusOr<SyncPolicy> ParseSyncPolicy(std::string_view name) {
  for (SyncPolicy p : {SyncPolicy::kAlways, SyncPolicy::kEveryMessages, SyncPolicy::kEveryMillis,
                       SyncPolicy::kNever}) {
    if (SyncPolicyName(p) == name) return p;
  }
  return Status::InvalidArgument("unknown WAL sync policy '" + std::string(name) +
                                 "' (always, every-messages, every-ms, never)");
}

Status LogOptions::Validate() const {
  if (dir.empty()) return Status::InvalidArgument("wal.dir must be set");
  if (segment_bytes < 4096) {
    return Status::InvalidArgument("wal.segment_bytes must be >= 4096, got " +
                                   std::to_string(segment_bytes));
  }
  if (disk_budget_bytes / 2 < segment_bytes) {
    return Status::InvalidArgument("wal.disk_budget_bytes (" + std::to_string(disk_budget_bytes) +
                                   ") must hold at least 2 segments of " +
                                   std::to_string(segment_bytes) + " bytes");
  }
  if (sync_every_messages < 1) return Status::InvalidArgument("wal.sync_every_messages must be >= 1");
  if (sync_every_ms < 1) return Status::InvalidArgument("wal.sync_every_ms must be >= 1");
  return Status::Ok();
}

std::string SegmentFileName(uint64_t first_sequence) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "wal-%020llu.log",
                static_cast<unsigned long long>(first_sequence));
  return buf;
}

uint64_t ParseSegmentName(std::string_view name) {
  constexpr std::string_view kPrefix = "wal-", kSuffix = ".log";
  if (name.size() != kPrefix.size() + 20 + kSuffix.size()) return 0;
  if (name.substr(0, 4) != kPrefix || name.substr(24) != kSuffix) return 0;
  uint64_t v = 0;
  for (char c : name.substr(4, 20)) {
    if (c < '0' || c > '9') return 0;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return 0;
    v = v * 10 + d;
  }
  return v;
}

Log::Log(const LogOptions& options, FileSystem* fs) : options_(options), fs_(fs) {}

Log::~Log() {
  if (writer_) (void)writer_->Flush();  // unsynced data is the caller's policy choice
  if (file_) (void)file_->Close();
}

std::string Log::SegmentPath(uint64_t first_sequence) const {
  return options_.dir + "/" + SegmentFileName(first_sequence);
}

Status Log::Fail(Status s) {
  if (failed_.ok()) failed_ = s.WithContext("WAL " + options_.dir + " failed");
  return failed_;
}

uint64_t Log::durable_sequence() const {
  return options_.sync_policy == SyncPolicy::kNever ? last_sequence() : synced_sequence_;
}

LogStats Log::stats() const {
  LogStats s = stats_;
  s.disk_bytes = usage_;
  s.segments = segments_.size();
  return s;
}

Status Log::WriteRecord(std::string_view data) {
  Segment& active = segments_.back();
  const uint64_t before = writer_->file_size();
  Status s = writer_->AddRecord(data);
  if (!s.ok()) return Fail(std::move(s));
  const uint64_t grown = writer_->file_size() - before;
  active.bytes += grown;
  usage_ += grown;
  dirty_ = true;
  return Status::Ok();
}

StatusOr<uint64_t> Log::Append(const MessageIn& message) {
  if (!failed_.ok()) return failed_;
  // Roll first: starting a segment reuses scratch_ for its header.
  if (segments_.back().bytes >= options_.segment_bytes) M2S_RETURN_IF_ERROR(Roll());
  scratch_.clear();
  if (options_.sync_policy == SyncPolicy::kNever) {
    // Durable on append: its ack may go out before any ack mark could be written.
    MessageIn acked = message;
    acked.flags |= kFlagAckedOnAppend;
    M2S_RETURN_IF_ERROR(EncodeMessage(next_sequence_, acked, &scratch_));
  } else {
    M2S_RETURN_IF_ERROR(EncodeMessage(next_sequence_, message, &scratch_));
  }
  const uint64_t framed = writer_->FramedSize(scratch_.size());
  if (usage_ + framed > options_.disk_budget_bytes) {
    ++stats_.rejected_appends;
    return Status::ResourceExhausted(
        "WAL disk budget full: wal.disk_budget_bytes=" + std::to_string(options_.disk_budget_bytes) +
        ", in use " + std::to_string(usage_) + " bytes in " + std::to_string(segments_.size()) +
        " segments, record needs " + std::to_string(framed));
  }
  M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
  const uint64_t seq = next_sequence_++;
  auto& max_sequence = segments_.back().max_sequence;
  if (auto it = max_sequence.find(message.partition); it != max_sequence.end()) {
    it->second = seq;  // the common case: no key copy
  } else {
    max_sequence.emplace(message.partition, seq);
  }
  ++stats_.appends;
  stats_.appended_bytes += framed;
  ++unsynced_appends_;
  if (options_.sync_policy == SyncPolicy::kAlways ||
      (options_.sync_policy == SyncPolicy::kEveryMessages &&
       unsynced_appends_ >= options_.sync_every_messages)) {
    M2S_RETURN_IF_ERROR(Sync());
  }
  return seq;
}

Status Log::Commit(const CommitMarker& marker) {
  if (!failed_.ok()) return failed_;
  if (marker.last_sequence > last_sequence()) {
    return Status::FailedPrecondition("WAL commit of partition '" + marker.partition +
                                      "' names sequence " + std::to_string(marker.last_sequence) +
                                      " beyond the last appended " +
                                      std::to_string(last_sequence()));
  }
  auto it = commits_.find(marker.partition);
  if (it != commits_.end() && (marker.partition_seq <= it->second.partition_seq ||
                               marker.last_sequence < it->second.last_sequence)) {
    return Status::FailedPrecondition(
        "WAL commit of partition '" + marker.partition + "' out of order: batch " +
        std::to_string(marker.partition_seq) + " up to sequence " +
        std::to_string(marker.last_sequence) + " after batch " +
        std::to_string(it->second.partition_seq) + " up to " +
        std::to_string(it->second.last_sequence));
  }
  scratch_.clear();
  M2S_RETURN_IF_ERROR(EncodeCommit(marker, &scratch_));
  M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
  commits_[marker.partition] = marker;
  if (auto s = seals_.find(marker.partition); s != seals_.end()) {
    std::erase_if(s->second, [&](const CommitMarker& seal) {
      return seal.last_sequence <= marker.last_sequence;
    });
    if (s->second.empty()) seals_.erase(s);
  }
  ++stats_.commits;
  return Status::Ok();
}

Status Log::Seal(const CommitMarker& marker) {
  if (!failed_.ok()) return failed_;
  if (marker.last_sequence > last_sequence()) {
    return Status::FailedPrecondition("WAL seal of partition '" + marker.partition +
                                      "' names sequence " + std::to_string(marker.last_sequence) +
                                      " beyond the last appended " +
                                      std::to_string(last_sequence()));
  }
  std::vector<CommitMarker>& list = seals_[marker.partition];
  for (const CommitMarker& seal : list) {
    if (seal.partition_seq == marker.partition_seq) return Status::Ok();  // recovered, on disk
  }
  scratch_.clear();
  M2S_RETURN_IF_ERROR(EncodeSeal(marker, &scratch_));
  M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
  list.push_back(marker);
  ++stats_.seals;
  return Status::Ok();
}

Status Log::RecordPubRel(uint16_t packet_id) {
  if (!failed_.ok()) return failed_;
  scratch_.clear();
  EncodePubRel(packet_id, &scratch_);
  return WriteRecord(scratch_);
}

Status Log::Sync() {
  if (!failed_.ok()) return failed_;
  if (!dirty_) return Status::Ok();
  ++stats_.syncs;
  if (last_sequence() > ack_mark_ && options_.sync_policy != SyncPolicy::kNever) {
    // In the same sync as the messages: an ack can only follow a mark that covers it.
    scratch_.clear();
    EncodeAckMark(last_sequence(), &scratch_);
    M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
    ack_mark_ = last_sequence();
  }
  Status s = writer_->Flush();
  if (s.ok()) s = file_->Sync();
  if (!s.ok()) return Fail(std::move(s));
  dirty_ = false;
  unsynced_appends_ = 0;
  synced_sequence_ = last_sequence();
  return Status::Ok();
}

Status Log::MaybeSync(int64_t now_ms) {
  if (!failed_.ok()) return failed_;
  if (options_.sync_policy == SyncPolicy::kNever || !dirty_) {
    last_sync_ms_ = now_ms;  // idle time does not count towards the next sync
    return Status::Ok();
  }
  if (now_ms - last_sync_ms_ < options_.sync_every_ms) return Status::Ok();
  last_sync_ms_ = now_ms;
  return Sync();
}

Status Log::Roll() {
  // Sync before leaving a segment: a torn tail can then only be in the last segment,
  // which is what recovery assumes.
  M2S_RETURN_IF_ERROR(Sync());
  if (next_sequence_ == segments_.back().first_sequence) return Status::Ok();  // no messages
  Status s = file_->Close();
  writer_.reset();
  file_.reset();
  if (!s.ok()) return Fail(std::move(s));
  return StartSegment();
}

Status Log::StartSegment() {
  Segment seg;
  seg.first_sequence = next_sequence_;
  seg.path = SegmentPath(next_sequence_);
  auto file = fs_->OpenForAppend(seg.path);
  if (!file.ok()) return Fail(file.status());
  file_ = std::move(file).value();
  writer_ = std::make_unique<Writer>(file_.get(), 0, WriteBufferBytes());
  segments_.push_back(std::move(seg));
  scratch_.clear();
  EncodeSegmentHeader({kFormatVersion, next_sequence_}, &scratch_);
  M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
  // A checkpoint of every partition's commit: older segments can then be deleted without
  // losing what recovery must know about the messages still on disk.
  for (const auto& [partition, marker] : commits_) {
    scratch_.clear();
    M2S_RETURN_IF_ERROR(EncodeCommit(marker, &scratch_));
    M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
  }
  // The ack mark, so that deleting the segment it was written in does not lose it.
  if (ack_mark_ > 0) {
    scratch_.clear();
    EncodeAckMark(ack_mark_, &scratch_);
    M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
  }
  // And of every outstanding seal, which may otherwise sit in a segment deleted for holding
  // only committed messages.
  for (const auto& [partition, seals] : seals_) {
    for (const CommitMarker& seal : seals) {
      scratch_.clear();
      M2S_RETURN_IF_ERROR(EncodeSeal(seal, &scratch_));
      M2S_RETURN_IF_ERROR(WriteRecord(scratch_));
    }
  }
  M2S_RETURN_IF_ERROR(Sync());
  Status s = fs_->SyncDir(options_.dir);
  if (!s.ok()) return Fail(std::move(s));
  return Status::Ok();
}

bool Log::Deletable(const Segment& seg) const {
  uint64_t last = 0;
  for (const auto& [partition, max_seq] : seg.max_sequence) {
    auto it = commits_.find(partition);
    if (it == commits_.end() || it->second.last_sequence < max_seq) return false;
    last = std::max(last, max_seq);
  }
  // Kept for the packet ids of recent messages (redeliveries), unless space is short.
  return options_.retain_messages == 0 || usage_ > options_.disk_budget_bytes / 2 ||
         last + options_.retain_messages <= last_sequence();
}

StatusOr<size_t> Log::DeleteObsoleteSegments() {
  if (!failed_.ok()) return failed_;
  // The commits that make a segment obsolete must be durable before the segment goes.
  M2S_RETURN_IF_ERROR(Sync());
  size_t deleted = 0;
  std::vector<Segment> kept;
  kept.reserve(segments_.size());
  for (size_t i = 0; i < segments_.size(); ++i) {
    Segment& seg = segments_[i];
    if (i + 1 < segments_.size() && Deletable(seg)) {
      Status s = fs_->Remove(seg.path);
      if (s.ok()) {
        usage_ -= seg.bytes;
        ++deleted;
        continue;
      }
      // Keep the rest consistent, then report: nothing was lost, space was not freed.
      for (size_t j = i; j < segments_.size(); ++j) kept.push_back(std::move(segments_[j]));
      segments_ = std::move(kept);
      stats_.deleted_segments += deleted;
      return s;
    }
    kept.push_back(std::move(seg));
  }
  segments_ = std::move(kept);
  stats_.deleted_segments += deleted;
  if (deleted > 0) M2S_RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
  return deleted;
}

Status Log::Close() {
  if (!file_) return failed_;
  Status s = Sync();
  Status c = file_->Close();
  writer_.reset();
  file_.reset();
  if (s.ok() && !c.ok()) s = Fail(std::move(c));
  // Later calls must not touch the closed file: they get this sticky error instead.
  if (failed_.ok()) failed_ = Status::FailedPrecondition("WAL " + options_.dir + " is closed");
  return s;
}

}  // namespace mqtt2s3::wal
