// Log: the write-ahead log of one converter instance, a directory of segment files
// (docs/WAL.md). The converter appends every received message, acks it once
// durable_sequence() covers it, writes a commit marker when a batch is in S3, and deletes
// segments whose every message is committed.
//
//   wal::Recovered rec;
//   M2S_ASSIGN_OR_RETURN(auto log, wal::Log::Open(opts, wal::PosixFileSystem(), &rec));
//   for (const wal::Message& m : rec.pending) Rebatch(m);     // not yet in S3
//   M2S_ASSIGN_OR_RETURN(uint64_t seq, log->Append({.partition = p, .topic = t, ...}));
//   log->MaybeSync(now_ms);                                    // from a timer
//   if (log->durable_sequence() >= seq) Ack(...);
//   log->Commit({.partition = p, .partition_seq = n, .last_sequence = last_seq_of_batch});
//   log->DeleteObsoleteSegments();
//
// Errors: an I/O error from a write or an fsync makes the Log failed; every later call
// returns that error (an fsync is never retried: the kernel may have dropped the dirty
// pages). Restart and recover. A full disk budget is not a failure: Append returns
// ResourceExhausted until commits + DeleteObsoleteSegments free space.
// Thread-safety: none. One thread (the converter's ingest thread) owns the Log.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "wal/file.h"
#include "wal/reader.h"
#include "wal/record.h"
#include "wal/writer.h"

namespace mqtt2s3::wal {

enum class SyncPolicy : uint8_t {
  kAlways,         // fdatasync before Append returns: every returned sequence is durable
  kEveryMessages,  // fdatasync after every sync_every_messages appends (and by MaybeSync)
  kEveryMillis,    // fdatasync from MaybeSync(now) once sync_every_ms passed since the last
  kNever,          // written to the OS on Append (survives a process crash, not power loss)
};

std::string_view SyncPolicyName(SyncPolicy p);  // "always", "every-messages", ...
StatusOr<SyncPolicy> ParseSyncPolicy(std::string_view name);

struct LogOptions {
  std::string dir;                               // required; created (one level) if missing
  uint64_t segment_bytes = 64ull << 20;          // roll to a new segment at this size; >= 4 KiB
  uint64_t disk_budget_bytes = 1ull << 30;       // all segments together; >= 2 segments
  SyncPolicy sync_policy = SyncPolicy::kEveryMillis;
  uint32_t sync_every_messages = 256;            // kEveryMessages; >= 1
  int64_t sync_every_ms = 5;                     // kEveryMillis, and the upper bound on
                                                 // unsynced time for kEveryMessages; >= 1
  // Framed records collect in memory up to this many bytes before one write(2); every sync
  // writes them first, so durable_sequence() is unaffected. Ignored with kNever (its
  // "written to the OS on Append" needs a write per record). 0 = a write per record.
  size_t write_buffer_bytes = 0;
  // When set, recovery fills PacketRecord::content_hash of every message logged with a packet
  // id, uploaded or not (the redelivery check, docs/WAL.md "Redeliveries"); empty = not.
  std::function<uint64_t(std::string_view topic, std::string_view payload)> content_hash = nullptr;
  // A closed segment whose messages are all committed is still kept until this many messages
  // were appended after its last one, while the log uses at most half of disk_budget_bytes:
  // a restart then still knows the packet ids and contents of that many recent messages,
  // uploaded or not (Recovered::packet_history). 0 = deleted once committed.
  uint64_t retain_messages = 0;
  Status Validate() const;
};

struct LogStats {
  uint64_t disk_bytes = 0;      // all live segments
  uint64_t segments = 0;        // live segments, including the active one
  uint64_t appends = 0;         // messages appended since Open
  uint64_t appended_bytes = 0;  // framed bytes of those messages
  uint64_t commits = 0;
  uint64_t seals = 0;
  uint64_t syncs = 0;           // fdatasync calls on segments
  uint64_t deleted_segments = 0;
  uint64_t rejected_appends = 0;  // ResourceExhausted answers
};

// The latest message that arrived with an MQTT packet id (docs/WAL.md "Redeliveries").
struct PacketRecord {
  uint64_t sequence = 0;
  uint8_t qos = 0;
  bool has_content_hash = false;  // LogOptions::content_hash was set
  uint64_t content_hash = 0;      // of its topic and payload
};

// What Open found on disk.
struct Recovered {
  std::vector<Message> pending;                 // uncommitted messages, in sequence order
  std::map<std::string, CommitMarker> commits;  // the latest commit of each partition
  // Batches cut but not committed (Log::Seal), per partition in batch order: recovery
  // re-forms exactly these from `pending` before anything else.
  std::map<std::string, std::vector<CommitMarker>> seals;
  uint64_t next_sequence = 1;                   // what the next Append will return
  std::vector<ReaderCorruption> corruptions;    // damage in the middle of a segment
  uint64_t corrupt_bytes = 0;                   // bytes dropped by those
  uint64_t torn_tail_bytes = 0;                 // torn tail of the last segment, truncated
  // Redeliveries: acks may have been sent for every message up to `acked_through` (the
  // highest ack mark; every message when there is none), and the latest message of each
  // packet id, unless a PUBREL closed its QoS 2 exchange after it.
  uint64_t acked_through = 0;
  std::map<uint16_t, PacketRecord> packets;
  // Every QoS 1 message logged with a packet id, in sequence order, with its content hash
  // (only when LogOptions::content_hash is set): a broker may hold several unacknowledged
  // messages under one id (docs/WAL.md "Redeliveries"), so the latest per id is not enough.
  struct PacketHistoryEntry {
    uint16_t packet_id = 0;
    PacketRecord record;
  };
  std::vector<PacketHistoryEntry> packet_history;
};

class Log {
 public:
  // Creates the directory if needed, recovers every segment (filling *recovered), truncates
  // a torn tail, and opens the last segment (or a new one) for appending.
  static StatusOr<std::unique_ptr<Log>> Open(const LogOptions& options, FileSystem* fs,
                                             Recovered* recovered);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends one message, applies the sync policy, returns its sequence. ResourceExhausted
  // when the disk budget is full (nothing written); InvalidArgument for oversized fields.
  StatusOr<uint64_t> Append(const MessageIn& message);

  // Records that a batch was cut from the partition's messages up to marker.last_sequence and
  // is about to be uploaded as batch number marker.partition_seq. Not synced here: Sync()
  // before the upload starts, so that the batch is re-formed identically after a crash.
  // FailedPrecondition when last_sequence is beyond last_sequence().
  Status Seal(const CommitMarker& marker);

  // Records that a batch is in S3. Per partition, partition_seq must increase and
  // last_sequence must not decrease nor exceed last_sequence(); else FailedPrecondition.
  // Commits are not budget-limited (they are how space is freed) and not synced here.
  Status Commit(const CommitMarker& marker);

  // Records that a PUBREL arrived for `packet_id` (before its PUBCOMP goes out). Not synced.
  Status RecordPubRel(uint16_t packet_id);

  // fdatasync now if anything is unsynced. First writes an ack mark for the messages the sync
  // makes durable: their acks may go out once it returns.
  Status Sync();
  Status MaybeSync(int64_t now_ms);  // the timer-driven part of the sync policy

  // Syncs, then deletes every closed segment whose messages are all committed. Returns how
  // many were deleted. The active segment is never deleted.
  StatusOr<size_t> DeleteObsoleteSegments();

  Status Close();  // sync and close; the Log is unusable afterwards

  uint64_t last_sequence() const { return next_sequence_ - 1; }
  uint64_t durable_sequence() const;
  uint64_t disk_usage() const { return usage_; }
  LogStats stats() const;
  const Status& failure() const { return failed_; }

 private:
  struct Segment {
    uint64_t first_sequence = 0;
    std::string path;
    uint64_t bytes = 0;
    // Per partition, messages in this segment. Transparent: Append looks up by view.
    std::map<std::string, uint64_t, std::less<>> max_sequence;
  };

  Log(const LogOptions& options, FileSystem* fs);
  Status Recover(Recovered* recovered);
  Status RecoverSegment(Segment* seg, bool is_last, std::vector<Message>* messages,
                        Recovered* recovered);
  Status OpenActive(bool reuse_last);
  Status StartSegment();
  Status Roll();
  Status WriteRecord(std::string_view data);
  Status Fail(Status s);
  bool Deletable(const Segment& seg) const;
  std::string SegmentPath(uint64_t first_sequence) const;
  size_t WriteBufferBytes() const {
    return options_.sync_policy == SyncPolicy::kNever ? 0 : options_.write_buffer_bytes;
  }

  LogOptions options_;
  FileSystem* fs_;
  std::vector<Segment> segments_;  // ascending first_sequence; back() is active
  std::unique_ptr<File> file_;
  std::unique_ptr<Writer> writer_;
  std::map<std::string, CommitMarker> commits_;
  std::map<std::string, std::vector<CommitMarker>> seals_;  // sealed, not yet committed
  uint64_t next_sequence_ = 1;
  uint64_t synced_sequence_ = 0;
  uint64_t ack_mark_ = 0;  // the highest ack mark written (or recovered)
  bool saw_ack_mark_ = false;  // recovery found one
  uint64_t unsynced_appends_ = 0;
  bool dirty_ = false;  // anything (message or commit) written since the last sync
  int64_t last_sync_ms_ = 0;
  uint64_t usage_ = 0;
  Status failed_;
  LogStats stats_;
  std::string scratch_;
};

// "wal-00000000000000000042.log"; ParseSegmentName returns 0 for other names.
std::string SegmentFileName(uint64_t first_sequence);
uint64_t ParseSegmentName(std::string_view name);

}  // namespace mqtt2s3::wal
