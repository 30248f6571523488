// DictionaryBuilder: assigns dense indices to the distinct values of one column chunk, in
// first-seen order, for RLE_DICTIONARY pages. Keys are 8-byte bit patterns (INT64, DOUBLE,
// timestamps: distinct NaN payloads stay distinct, which only costs an entry) or byte strings
// held as views into caller memory, so building allocates nothing per value once the table
// has grown.
//
//   builder.Reset(/*max_plain_bytes=*/1 << 20);
//   for (auto v : values) if (!builder.AddBytes(v, &index)) { /* too big: write PLAIN */ }
//
// Lifecycle: reused across chunks via Reset(). Thread-safety: none.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace mqtt2s3::parquet {

class DictionaryBuilder {
 public:
  // Forgets all entries; keeps capacity. The dictionary refuses to grow past
  // `max_plain_bytes` of PLAIN-encoded entries (the dictionary page size).
  void Reset(size_t max_plain_bytes);

  // Sets *index to the value's dictionary index. False when adding a new value would pass the
  // byte limit; the builder is then unusable until Reset().
  bool AddFixed(uint64_t bits, uint32_t* index);
  bool AddBytes(std::string_view value, uint32_t* index);

  size_t size() const { return fixed_.size() + bytes_.size(); }
  size_t plain_bytes() const { return plain_bytes_; }
  const std::vector<uint64_t>& fixed_values() const { return fixed_; }
  const std::vector<std::string_view>& byte_values() const { return bytes_; }

 private:
  template <typename Eq>
  uint32_t* FindSlot(uint64_t hash, Eq eq);
  void Grow();

  std::vector<uint32_t> slots_;  // 0 = empty, else index + 1; size is a power of two
  std::vector<uint64_t> hashes_; // per entry, so growing never rehashes values
  std::vector<uint64_t> fixed_;
  std::vector<std::string_view> bytes_;
  size_t plain_bytes_ = 0;
  size_t max_plain_bytes_ = 0;
};

}  // namespace mqtt2s3::parquet
