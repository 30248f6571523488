// SplitBlockBloomFilter: Parquet's split-block bloom filter (parquet-format BloomFilter.md):
// 256-bit blocks of eight 32-bit words, one bit set per word from eight salted multiplies of
// the low 32 bits of XXH64(PLAIN value, seed 0); the high 32 bits pick the block. Byte-array
// values are hashed without their PLAIN length prefix, as Arrow and parquet-mr do.
//
//   SplitBlockBloomFilter f;
//   f.Init(SplitBlockBloomFilter::OptimalBytes(ndv, 0.01));
//   f.Insert(XxHash64(value));
//   AppendBloomFilter(f, &file);   // header + bitset, pointed at by ColumnMetaData 14/15
//
// Lifecycle: Init per column chunk. Thread-safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mqtt2s3::parquet {

class SplitBlockBloomFilter {
 public:
  // Bytes for `ndv` distinct values at false-positive rate `fpp`: a power of two in
  // [32, 128 MiB], as the spec requires.
  static size_t OptimalBytes(size_t ndv, double fpp);

  void Init(size_t bytes);  // bytes: a power of two >= 32
  void Insert(uint64_t hash);
  bool MightContain(uint64_t hash) const;
  size_t bytes() const { return words_.size() * 4; }
  const std::vector<uint32_t>& words() const { return words_; }

 private:
  size_t Block(uint64_t hash) const {
    return static_cast<size_t>(((hash >> 32) * (words_.size() / 8)) >> 32);
  }
  std::vector<uint32_t> words_;
};

// Appends the BloomFilterHeader (BLOCK, XXHASH, UNCOMPRESSED) and the little-endian bitset.
void AppendBloomFilter(const SplitBlockBloomFilter& filter, std::string* out);

}  // namespace mqtt2s3::parquet
