#include "parquet/encoding.h"

#include "parquet/thrift_compact.h"

namespace mqtt2s3::parquet {
namespace {

template <typename T>
void AppendBitPacked(std::span<const T> values, size_t padded_count, int bit_width,
                     std::string* out) {
  // At most 7 bits stay in `acc` between values and bit_width <= 32, so 64 bits never overflow.
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < padded_count; ++i) {
    const uint64_t v = i < values.size() ? static_cast<uint64_t>(values[i]) : 0;
    acc |= v << bits;
    bits += bit_width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  // padded_count is a multiple of 8, so groups end on byte boundaries: nothing is left over.
}

template <typename T>
void AppendLiteralRun(std::span<const T> values, int bit_width, std::string* out) {
  const size_t groups = (values.size() + 7) / 8;
  AppendVarint(out, (uint64_t{groups} << 1) | 1);
  AppendBitPacked(values, groups * 8, bit_width, out);
}

template <typename T>
void AppendRepeatedRun(T value, size_t count, int bit_width, std::string* out) {
  AppendVarint(out, uint64_t{count} << 1);
  const uint64_t v = value;
  for (int i = 0; i < (bit_width + 7) / 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

template <typename T>
void AppendRleHybridImpl(std::span<const T> v, int bit_width, std::string* out) {
  // Invariant: the pending literal values are v[lit_start, i) and, once flushed, are always a
  // whole number of 8-value groups unless they end the page. A run long enough for RLE first
  // lends the literal the few values that complete its last group.
  size_t lit_start = 0;
  size_t i = 0;
  const size_t n = v.size();
  while (i < n) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    const size_t lit_len = i - lit_start;
    const size_t pad = (8 - lit_len % 8) % 8;
    if (j - i >= pad + 8) {
      if (lit_len + pad > 0) AppendLiteralRun(v.subspan(lit_start, lit_len + pad), bit_width, out);
      AppendRepeatedRun(v[i], j - i - pad, bit_width, out);
      lit_start = j;
    }
    i = j;
  }
  if (lit_start < n) AppendLiteralRun(v.subspan(lit_start), bit_width, out);
}

}  // namespace

void AppendPlainBooleans(std::string* out, std::span<const uint8_t> values) {
  AppendBitPacked(values, (values.size() + 7) / 8 * 8, 1, out);
}

void AppendRleHybrid(std::span<const uint8_t> values, int bit_width, std::string* out) {
  AppendRleHybridImpl(values, bit_width, out);
}

void AppendRleHybrid(std::span<const uint32_t> values, int bit_width, std::string* out) {
  AppendRleHybridImpl(values, bit_width, out);
}

}  // namespace mqtt2s3::parquet
