#include "wal/writer.h"

#include <algorithm>

#include "wal/crc32c.h"

namespace mqtt2s3::wal {

Writer::Writer(File* dest, uint64_t dest_length, size_t buffer_bytes)
    : dest_(dest),
      file_size_(dest_length),
      block_offset_(dest_length % kBlockSize),
      buffer_bytes_(buffer_bytes) {}

Status Writer::Flush() {
  if (scratch_.empty()) return Status::Ok();
  Status s = dest_->Append(scratch_);
  scratch_.clear();
  return s;
}

uint64_t Writer::FramedSize(size_t n) const {
  uint64_t total = 0;
  size_t offset = block_offset_;
  bool first = true;
  while (first || n > 0) {
    const size_t left = kBlockSize - offset;
    if (left < kHeaderSize) {
      total += left;
      offset = 0;
    }
    const size_t avail = kBlockSize - offset - kHeaderSize;
    const size_t frag = std::min(n, avail);
    total += kHeaderSize + frag;
    offset += kHeaderSize + frag;
    n -= frag;
    first = false;
  }
  return total;
}

Status Writer::AddRecord(std::string_view data) {
  const size_t before = scratch_.size();
  const char* ptr = data.data();
  size_t left = data.size();
  bool begin = true;
  // do-while: an empty record still emits one FULL fragment of length 0.
  do {
    const size_t leftover = kBlockSize - block_offset_;
    if (leftover < kHeaderSize) {
      scratch_.append(leftover, '\0');  // trailer: readers skip it by position
      block_offset_ = 0;
    }
    const size_t avail = kBlockSize - block_offset_ - kHeaderSize;
    const size_t frag = std::min(left, avail);
    const bool end = frag == left;
    const RecordType type = begin && end ? RecordType::kFull
                            : begin      ? RecordType::kFirst
                            : end        ? RecordType::kLast
                                         : RecordType::kMiddle;
    EmitPhysical(type, ptr, frag);
    ptr += frag;
    left -= frag;
    begin = false;
  } while (left > 0);
  file_size_ += scratch_.size() - before;
  // One write per record, or per buffer: a failure leaves the file in an unknown state and
  // the caller abandons it anyway.
  if (scratch_.size() >= buffer_bytes_) return Flush();
  return Status::Ok();
}

void Writer::EmitPhysical(RecordType type, const char* data, size_t n) {
  const auto type_byte = static_cast<char>(type);
  // The CRC covers the type so a fragment cannot be re-labelled without detection.
  uint32_t crc = crc32c::Extend(0, &type_byte, 1);
  crc = crc32c::Mask(crc32c::Extend(crc, data, n));
  char header[kHeaderSize];
  for (int i = 0; i < 4; ++i) header[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  header[4] = static_cast<char>(n & 0xff);
  header[5] = static_cast<char>((n >> 8) & 0xff);
  header[6] = type_byte;
  scratch_.append(header, kHeaderSize);
  scratch_.append(data, n);
  block_offset_ += kHeaderSize + n;
}

}  // namespace mqtt2s3::wal
