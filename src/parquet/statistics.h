// Min/max/null-count statistics in each column's sort order (parquet.thrift ColumnOrder):
// signed for INT64 and timestamps, numeric for DOUBLE with NaN ignored and zero widened to
// [-0.0, +0.0], false < true for BOOLEAN, unsigned byte-wise for strings and binary. Byte
// bounds longer than a limit are truncated so they remain valid bounds.
//
//   ValueStats page;  page.AddInt64(v) ...;  chunk.Merge(page);
//   EncodedBounds b = page.Encode(PhysicalKind::kInt64, /*max_bytes=*/64, /*utf8=*/false);
//
// Byte bounds are views into the values; they must stay valid until Encode.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mqtt2s3::parquet {

enum class PhysicalKind { kInt64, kDouble, kBool, kBytes };

// Bounds in their PLAIN form without length prefix, as min_value/max_value carry them.
struct EncodedBounds {
  std::optional<std::string> min;  // nullopt: no non-null, non-NaN value
  std::optional<std::string> max;  // nullopt also when truncation could not make a bound
  bool min_exact = true;
  bool max_exact = true;
};

class ValueStats {
 public:
  void AddInt64(int64_t v) {
    if (!has_ || v < i_min_) i_min_ = v;
    if (!has_ || v > i_max_) i_max_ = v;
    has_ = true;
  }
  void AddDouble(double v);
  void AddBool(bool v) { AddInt64(v ? 1 : 0); }
  void AddBytes(std::string_view v) {
    if (!has_ || v < b_min_) b_min_ = v;  // string_view compares as unsigned char
    if (!has_ || v > b_max_) b_max_ = v;
    has_ = true;
  }
  void Merge(const ValueStats& other);

  // False when every value added was NaN (or none was added).
  bool has_bounds() const { return has_; }

  EncodedBounds Encode(PhysicalKind kind, size_t max_bytes, bool utf8) const;

 private:
  bool has_ = false;
  int64_t i_min_ = 0, i_max_ = 0;
  double d_min_ = 0, d_max_ = 0;
  std::string_view b_min_, b_max_;
};

// The longest prefix of `v` no longer than `max_bytes` (for UTF-8, cut on a character boundary):
// still <= v, so a valid lower bound.
std::string TruncateMin(std::string_view v, size_t max_bytes, bool utf8);
// A value of about `max_bytes` that is >= v: a prefix with its last byte (or, for UTF-8, its
// last character) incremented. nullopt when no such value exists (the prefix is all 0xff).
std::optional<std::string> TruncateMax(std::string_view v, size_t max_bytes, bool utf8);

}  // namespace mqtt2s3::parquet
