// Reader: iterates the logical records of one WAL segment held in memory.
//
//   wal::Reader r(contents, "wal-00000000000000000001.log", /*tail_is_benign=*/true,
//                 [&](const wal::ReaderCorruption& c) { Log(c.ToString()); });
//   std::string rec; uint64_t off;
//   while (r.ReadRecord(&rec, &off)) Apply(rec);
//   if (r.torn_tail()) Truncate(path, r.valid_end());
//
// Damage handling: a bad fragment (checksum mismatch, impossible length, unknown type)
// discards the rest of its 32 KiB block and reading resumes at the next block; a fragmented
// record missing its start or end is discarded. Each such drop is a corruption with offset,
// byte count and reason. Drops NOT followed by any complete record are the tail: with
// tail_is_benign (the last segment, where a crash mid-write leaves a torn tail) they are
// counted in tail_bytes() and not reported; otherwise they are reported like the rest.
// Lifecycle: borrows `contents`, which must outlive the reader. Thread-safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "wal/log_format.h"

namespace mqtt2s3::wal {

struct ReaderCorruption {
  std::string file;
  uint64_t offset = 0;  // where the dropped bytes start
  uint64_t bytes = 0;   // how many bytes were dropped
  std::string reason;
  // "wal-...log offset 32768: checksum mismatch (dropped 32768 bytes)"
  std::string ToString() const;
};

class Reader {
 public:
  using Reporter = std::function<void(const ReaderCorruption&)>;

  Reader(std::string_view contents, std::string file, bool tail_is_benign, Reporter reporter);
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Next complete logical record into *record (start offset of its first fragment into
  // *offset). False at the end of the file.
  bool ReadRecord(std::string* record, uint64_t* offset);

  // Offset just past the last complete logical record returned so far.
  uint64_t valid_end() const { return valid_end_; }
  // After ReadRecord returned false: there were damaged bytes after the last record.
  bool torn_tail() const { return torn_tail_; }
  uint64_t tail_bytes() const { return tail_bytes_; }
  uint64_t reported_bytes() const { return reported_bytes_; }

 private:
  enum Result { kFragment, kBad, kEof };
  Result ReadPhysical(RecordType* type, std::string_view* fragment, uint64_t* offset);
  void Drop(uint64_t offset, uint64_t bytes, std::string reason);
  void ReportPending();

  std::string_view contents_;
  std::string file_;
  bool tail_is_benign_;
  Reporter reporter_;
  uint64_t pos_ = 0;
  uint64_t valid_end_ = 0;
  bool torn_tail_ = false;
  uint64_t tail_bytes_ = 0;
  uint64_t reported_bytes_ = 0;
  // Drops seen since the last complete record: reported once a later record proves they
  // are not the tail.
  std::vector<ReaderCorruption> pending_;
};

}  // namespace mqtt2s3::wal
