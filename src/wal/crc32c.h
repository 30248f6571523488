// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78): the checksum that frames
// every WAL record. SSE4.2 crc32 instructions when the CPU has them (checked once at run
// time), else a table-driven (slice-by-8) software implementation.
//
//   uint32_t c = crc32c::Value(data, n);
//   c = crc32c::Extend(c, more, m);          // == Value(data ++ more)
//   uint32_t stored = crc32c::Mask(c);       // what goes on disk
//
// Mask/Unmask: a CRC stored next to data that itself contains CRCs (e.g. a WAL file inside
// a WAL record) is rotated and offset so that computing a CRC over it does not degenerate.
// Thread-safety: pure functions; the tables are constant-initialized.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mqtt2s3::wal::crc32c {

// Returns the CRC32C of concat(A, data[0, n)) where init_crc is the CRC32C of A.
// Uses the SSE4.2 crc32 instruction when the CPU has it, else slice-by-8 tables.
uint32_t Extend(uint32_t init_crc, const void* data, size_t n);
// The table implementation alone, so tests can compare both on the same input.
uint32_t ExtendPortableForTest(uint32_t init_crc, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace mqtt2s3::wal::crc32c
