#include "wal/reader.h"

#include "wal/crc32c.h"

namespace mqtt2s3::wal {
namespace {

uint32_t Load32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t{u[0]} | (uint32_t{u[1]} << 8) | (uint32_t{u[2]} << 16) | (uint32_t{u[3]} << 24);
}

}  // namespace

std::string ReaderCorruption::ToString() const {
  return file + " offset " + std::to_string(offset) + ": " + reason + " (dropped " +
         std::to_string(bytes) + " bytes)";
}

Reader::Reader(std::string_view contents, std::string file, bool tail_is_benign,
               Reporter reporter)
    : contents_(contents),
      file_(std::move(file)),
      tail_is_benign_(tail_is_benign),
      reporter_(std::move(reporter)) {}

void Reader::Drop(uint64_t offset, uint64_t bytes, std::string reason) {
  if (bytes == 0) return;
  pending_.push_back({file_, offset, bytes, std::move(reason)});
}

void Reader::ReportPending() {
  for (const ReaderCorruption& c : pending_) {
    reported_bytes_ += c.bytes;
    if (reporter_) reporter_(c);
  }
  pending_.clear();
}

Reader::Result Reader::ReadPhysical(RecordType* type, std::string_view* fragment,
                                    uint64_t* offset) {
  const uint64_t size = contents_.size();
  for (;;) {
    if (pos_ >= size) return kEof;
    const uint64_t block_left = kBlockSize - pos_ % kBlockSize;
    if (block_left < kHeaderSize) {
      pos_ += block_left;  // trailer
      continue;
    }
    const uint64_t start = pos_;
    const uint64_t block_end = start + block_left;
    if (size - start < kHeaderSize) {
      Drop(start, size - start, "truncated record header");
      pos_ = size;
      return kBad;
    }
    const char* h = contents_.data() + start;
    const uint32_t length = static_cast<uint8_t>(h[4]) | (static_cast<uint8_t>(h[5]) << 8);
    const auto type_byte = static_cast<uint8_t>(h[6]);
    if (kHeaderSize + length > block_left) {
      // The length cannot be trusted, so neither can anything after it in this block.
      const uint64_t end = std::min<uint64_t>(block_end, size);
      Drop(start, end - start, "bad record length " + std::to_string(length));
      pos_ = end;
      return kBad;
    }
    if (start + kHeaderSize + length > size) {
      Drop(start, size - start, "truncated record");
      pos_ = size;
      return kBad;
    }
    const uint32_t expected = crc32c::Unmask(Load32(h));
    const uint32_t actual = crc32c::Extend(crc32c::Value(h + 6, 1), h + kHeaderSize, length);
    if (expected != actual) {
      const uint64_t end = std::min<uint64_t>(block_end, size);
      Drop(start, end - start, "checksum mismatch");
      pos_ = end;
      return kBad;
    }
    pos_ = start + kHeaderSize + length;
    if (type_byte == 0 || type_byte > kMaxRecordType) {
      Drop(start, kHeaderSize + length, "unknown record type " + std::to_string(type_byte));
      return kBad;
    }
    *type = static_cast<RecordType>(type_byte);
    *fragment = std::string_view(h + kHeaderSize, length);
    *offset = start;
    return kFragment;
  }
}

bool Reader::ReadRecord(std::string* record, uint64_t* offset) {
  record->clear();
  bool in_fragmented = false;
  uint64_t record_offset = 0;
  RecordType type{};
  std::string_view fragment;
  uint64_t frag_offset = 0;
  for (;;) {
    const Result r = ReadPhysical(&type, &fragment, &frag_offset);
    if (r == kBad) {
      if (in_fragmented) {
        // The damaged fragment (last pending drop) cut the record short: its earlier
        // fragments are lost too.
        const uint64_t bad_start = pending_.back().offset;
        Drop(record_offset, bad_start - record_offset, "fragmented record cut by damage");
        in_fragmented = false;
        record->clear();
      }
      continue;
    }
    if (r == kEof) {
      if (in_fragmented) {
        Drop(record_offset, pos_ - record_offset, "fragmented record without its end");
      }
      if (!pending_.empty()) {
        if (tail_is_benign_) {
          torn_tail_ = true;
          for (const ReaderCorruption& c : pending_) tail_bytes_ += c.bytes;
          pending_.clear();
        } else {
          ReportPending();
        }
      }
      return false;
    }
    switch (type) {
      case RecordType::kFull:
      case RecordType::kFirst:
        if (in_fragmented) {
          Drop(record_offset, frag_offset - record_offset, "fragmented record without its end");
        }
        record->assign(fragment.data(), fragment.size());
        record_offset = frag_offset;
        in_fragmented = type == RecordType::kFirst;
        if (!in_fragmented) break;
        continue;
      case RecordType::kMiddle:
      case RecordType::kLast:
        if (!in_fragmented) {
          Drop(frag_offset, pos_ - frag_offset, "fragment without the start of its record");
          continue;
        }
        record->append(fragment.data(), fragment.size());
        if (type == RecordType::kMiddle) continue;
        break;
      case RecordType::kZero:
        continue;  // unreachable: ReadPhysical rejects it
    }
    // A complete record: every drop before it was damage in the middle, not the tail.
    ReportPending();
    valid_end_ = pos_;
    *offset = record_offset;
    return true;
  }
}

}  // namespace mqtt2s3::wal
