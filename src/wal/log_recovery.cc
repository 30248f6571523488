// Log::Open and recovery: scan every segment in sequence order, rebuild the per-segment
// bookkeeping and the commit state, hand back the uncommitted messages, then open the
// last segment for appending.
#include <algorithm>
#include <iterator>
#include <limits>

#include "wal/log.h"

namespace mqtt2s3::wal {

StatusOr<std::unique_ptr<Log>> Log::Open(const LogOptions& options, FileSystem* fs,
                                         Recovered* recovered) {
  M2S_RETURN_IF_ERROR(options.Validate());
  M2S_RETURN_IF_ERROR(fs->CreateDir(options.dir));
  std::unique_ptr<Log> log(new Log(options, fs));
  Recovered scratch;
  if (recovered == nullptr) recovered = &scratch;
  *recovered = Recovered{};
  M2S_RETURN_IF_ERROR(log->Recover(recovered));
  return log;
}

Status Log::Recover(Recovered* recovered) {
  M2S_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(options_.dir));
  std::vector<uint64_t> firsts;
  for (const std::string& name : names) {
    if (const uint64_t first = ParseSegmentName(name); first != 0) firsts.push_back(first);
  }
  std::sort(firsts.begin(), firsts.end());

  std::vector<Message> messages;
  bool last_has_records = false;
  for (size_t i = 0; i < firsts.size(); ++i) {
    Segment seg;
    seg.first_sequence = firsts[i];
    seg.path = SegmentPath(firsts[i]);
    const bool is_last = i + 1 == firsts.size();
    M2S_RETURN_IF_ERROR(RecoverSegment(&seg, is_last, &messages, recovered));
    if (is_last) last_has_records = seg.bytes > 0;
    usage_ += seg.bytes;
    segments_.push_back(std::move(seg));
  }

  // Sequences never go back: not past a deleted segment's name, nor below a commit.
  uint64_t next = 1;
  if (!segments_.empty()) next = std::max(next, segments_.back().first_sequence);
  for (const Message& m : messages) next = std::max(next, m.sequence + 1);
  for (const auto& [p, c] : commits_) next = std::max(next, c.last_sequence + 1);
  next_sequence_ = next;
  synced_sequence_ = next - 1;  // everything recovered is on disk
  // Without any mark (a log written before marks existed), assume every ack went out.
  recovered->acked_through = saw_ack_mark_ ? ack_mark_ : next - 1;
  ack_mark_ = recovered->acked_through;

  for (Message& m : messages) {
    auto it = commits_.find(m.partition);
    if (it == commits_.end() || m.sequence > it->second.last_sequence) {
      recovered->pending.push_back(std::move(m));
    }
  }
  for (auto it = seals_.begin(); it != seals_.end();) {
    auto c = commits_.find(it->first);
    if (c != commits_.end()) {
      std::erase_if(it->second, [&](const CommitMarker& seal) {
        return seal.last_sequence <= c->second.last_sequence;
      });
    }
    it = it->second.empty() ? seals_.erase(it) : std::next(it);
  }
  recovered->commits = commits_;
  recovered->seals = seals_;
  recovered->next_sequence = next_sequence_;
  return OpenActive(last_has_records);
}

namespace {

// Sequences only grow (Log::Append): a message at or below the one before it, like a record
// written twice, is not replayed; nor is a sequence the next one could not follow.
Status CheckSequences(const DecodedRecord& rec, const std::vector<Message>& messages) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (rec.kind == RecordKind::kMessage) {
    const uint64_t seq = rec.message.sequence;
    const uint64_t before = messages.empty() ? 0 : messages.back().sequence;
    if (seq == 0 || seq == kMax || seq <= before) {
      return Status::Corruption("message sequence " + std::to_string(seq) +
                                " does not follow " + std::to_string(before));
    }
  } else if ((rec.kind == RecordKind::kCommit || rec.kind == RecordKind::kSeal) &&
             rec.commit.last_sequence == kMax) {
    return Status::Corruption("commit or seal of last sequence " + std::to_string(kMax));
  }
  return Status::Ok();
}

}  // namespace

Status Log::RecoverSegment(Segment* seg, bool is_last, std::vector<Message>* messages,
                           Recovered* recovered) {
  const std::string name = SegmentFileName(seg->first_sequence);
  M2S_ASSIGN_OR_RETURN(std::string contents, fs_->ReadFile(seg->path));
  auto report = [&](const ReaderCorruption& c) {
    recovered->corruptions.push_back(c);
    recovered->corrupt_bytes += c.bytes;
  };
  Reader reader(contents, name, /*tail_is_benign=*/is_last, report);
  std::string data;
  uint64_t offset = 0;
  bool first = true;
  DecodedRecord rec;
  while (reader.ReadRecord(&data, &offset)) {
    Status s = DecodeRecord(data, &rec);
    if (s.ok() && first && (rec.kind != RecordKind::kSegmentHeader ||
                            rec.header.first_sequence != seg->first_sequence)) {
      s = Status::Corruption("first record is not the header for sequence " +
                             std::to_string(seg->first_sequence));
    }
    first = false;
    if (s.ok()) s = CheckSequences(rec, *messages);
    if (!s.ok()) {
      // Framing was intact but the content is not ours: skip the record, keep going.
      report({name, offset, data.size(), s.message()});
      continue;
    }
    switch (rec.kind) {
      case RecordKind::kSegmentHeader:
        break;
      case RecordKind::kMessage: {
        uint64_t& max_seq = seg->max_sequence[rec.message.partition];
        max_seq = std::max(max_seq, rec.message.sequence);
        if (rec.message.flags & kFlagAckedOnAppend) {
          saw_ack_mark_ = true;
          ack_mark_ = std::max(ack_mark_, rec.message.sequence);
        }
        if ((rec.message.flags & kFlagPacketId) && rec.message.qos > 0) {
          PacketRecord& p = recovered->packets[rec.message.packet_id];
          p = {rec.message.sequence, rec.message.qos};
          if (options_.content_hash) {
            p.has_content_hash = true;
            p.content_hash = options_.content_hash(rec.message.topic, rec.message.payload);
            if (p.qos == 1) recovered->packet_history.push_back({rec.message.packet_id, p});
          }
        }
        messages->push_back(std::move(rec.message));
        break;
      }
      case RecordKind::kCommit: {
        CommitMarker& cur = commits_[rec.commit.partition];
        if (rec.commit.last_sequence >= cur.last_sequence) cur = rec.commit;
        break;
      }
      case RecordKind::kAckMark:
        saw_ack_mark_ = true;
        ack_mark_ = std::max(ack_mark_, rec.acked_through);
        break;
      case RecordKind::kPubRel:
        if (auto p = recovered->packets.find(rec.packet_id);
            p != recovered->packets.end() && p->second.qos == 2) {
          recovered->packets.erase(p);
        }
        break;
      case RecordKind::kSeal: {
        // Checkpoints repeat seals: keep one per batch number, in batch order.
        std::vector<CommitMarker>& list = seals_[rec.commit.partition];
        if (list.empty() || rec.commit.partition_seq > list.back().partition_seq) {
          list.push_back(rec.commit);
        }
        break;
      }
    }
  }
  seg->bytes = contents.size();
  if (is_last && reader.torn_tail()) {
    // A crash mid-append: drop the partial record so new appends follow valid data.
    recovered->torn_tail_bytes = contents.size() - reader.valid_end();
    M2S_RETURN_IF_ERROR(fs_->Truncate(seg->path, reader.valid_end()));
    seg->bytes = reader.valid_end();
  }
  return Status::Ok();
}

Status Log::OpenActive(bool reuse_last) {
  if (!segments_.empty() && !reuse_last) {
    // The last segment holds no valid record at all (crash right after creating it): it
    // carries nothing, and the fresh one may need its name. Never append to the segment
    // before it instead: that one was read as closed, so damage at its end was reported, not
    // truncated, and a record appended behind damage in the same block would be discarded
    // with the damage by the next recovery.
    M2S_RETURN_IF_ERROR(fs_->Remove(segments_.back().path));
    usage_ -= segments_.back().bytes;
    segments_.pop_back();
    return StartSegment();
  }
  if (segments_.empty()) return StartSegment();
  Segment& last = segments_.back();
  M2S_ASSIGN_OR_RETURN(file_, fs_->OpenForAppend(last.path));
  writer_ = std::make_unique<Writer>(file_.get(), last.bytes, WriteBufferBytes());
  return Status::Ok();
}

}  // namespace mqtt2s3::wal
