// Writer: appends framed logical records to one WAL segment file (log_format.h).
//
//   wal::Writer w(file.get(), /*dest_length=*/0);
//   M2S_RETURN_IF_ERROR(w.AddRecord(payload));   // one File::Append per logical record
//   M2S_RETURN_IF_ERROR(file->Sync());
//
// dest_length: bytes already in the file (reopening a segment after recovery), so blocks
// stay aligned. The Writer does not own the file and never syncs: durability is the caller's
// policy (wal::Log). After an Append error the file is in an unknown state; stop using it.
// Thread-safety: none; one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "wal/file.h"
#include "wal/log_format.h"

namespace mqtt2s3::wal {

class Writer {
 public:
  // buffer_bytes > 0: framed records collect in memory and go to the file in one Append once
  // that many bytes are pending, or at Flush(); 0: one Append per record.
  Writer(File* dest, uint64_t dest_length, size_t buffer_bytes = 0);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Frames `data` (any size, including empty) and appends it with a single File::Append, or
  // to the buffer (see the constructor).
  Status AddRecord(std::string_view data);

  // Appends what is buffered. Callers flush before File::Sync and before closing the file.
  Status Flush();

  // Bytes in the file, including what this writer appended or buffered.
  uint64_t file_size() const { return file_size_; }

  // Framed size AddRecord would append for `n` data bytes at the current position.
  uint64_t FramedSize(size_t n) const;

 private:
  void EmitPhysical(RecordType type, const char* data, size_t n);

  File* dest_;
  uint64_t file_size_;
  size_t block_offset_;  // position inside the current block
  std::string scratch_;  // framed bytes not yet appended; capacity reused
  size_t buffer_bytes_;
};

}  // namespace mqtt2s3::wal
