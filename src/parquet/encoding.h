// Value encodings of Parquet pages (apache/parquet-format Encodings.md): PLAIN for the
// physical types mqtt2s3 writes, and the RLE/bit-packed hybrid used for definition levels and
// dictionary indices. All functions append to a caller-owned, reusable buffer.
//
//   std::string page;
//   AppendPlainInt64(&page, 42);
//   AppendRleHybrid(std::span<const uint8_t>(levels), /*bit_width=*/1, &page);
//
// Thread-safety: pure functions.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace mqtt2s3::parquet {

static_assert(std::endian::native == std::endian::little,
              "PLAIN values are copied as in memory; a big-endian host needs byte swaps");

// Bits needed to store every value in [0, max_value]; 0 for max_value 0.
inline int BitWidth(uint64_t max_value) { return max_value == 0 ? 0 : std::bit_width(max_value); }

inline void AppendFixed32(std::string* out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

inline void AppendPlainInt64(std::string* out, int64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}

inline void AppendPlainDouble(std::string* out, double v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}

// PLAIN BYTE_ARRAY: 4-byte little-endian length, then the bytes.
inline void AppendPlainByteArray(std::string* out, std::string_view v) {
  AppendFixed32(out, static_cast<uint32_t>(v.size()));
  out->append(v);
}

// PLAIN BOOLEAN: one bit per value, least significant bit first; `values` are 0 or 1.
void AppendPlainBooleans(std::string* out, std::span<const uint8_t> values);

// The RLE/bit-packed hybrid without a length prefix: runs of 8 or more equal values become RLE
// runs, everything else bit-packed groups of 8 (the last group zero-padded; readers stop at
// the page's value count). bit_width is 0..32; values must fit in it.
void AppendRleHybrid(std::span<const uint8_t> values, int bit_width, std::string* out);
void AppendRleHybrid(std::span<const uint32_t> values, int bit_width, std::string* out);

}  // namespace mqtt2s3::parquet
