// Physical framing of WAL segment files (see docs/WAL.md), modelled on LevelDB's log format:
// a file is a sequence of 32 KiB blocks; a block holds records
//   checksum u32 LE (masked CRC32C of type + data) | length u16 LE | type u8 | data[length]
// A logical record larger than the space left in a block is split into FIRST / MIDDLE* /
// LAST fragments; one that fits is FULL. Fewer than 7 bytes left in a block are zero-filled
// (the trailer) and the next record starts at the next block.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mqtt2s3::wal {

enum class RecordType : uint8_t {
  kZero = 0,  // never written as a record; zero-filled trailers read as this
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};
inline constexpr uint8_t kMaxRecordType = 4;

inline constexpr size_t kBlockSize = 32 * 1024;
inline constexpr size_t kHeaderSize = 4 + 2 + 1;

}  // namespace mqtt2s3::wal
