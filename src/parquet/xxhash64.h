// XXH64 (Yann Collet's xxHash, 64-bit variant), implemented from its published algorithm
// description. Parquet's split-block bloom filter hashes PLAIN-encoded values with XXH64 and
// seed 0 (parquet-format BloomFilter.md); the dictionary builder reuses it.
//
//   uint64_t h = XxHash64("abc");   // 0x44bc2cf5ad770999
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>

namespace mqtt2s3::parquet {

uint64_t XxHash64(std::string_view data, uint64_t seed = 0);

}  // namespace mqtt2s3::parquet
