#include "parquet/bloom_filter.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "parquet/thrift_compact.h"

namespace mqtt2s3::parquet {
namespace {

constexpr uint32_t kSalt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                               0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};
constexpr size_t kMinBytes = 32;
constexpr size_t kMaxBytes = size_t{128} << 20;

}  // namespace

size_t SplitBlockBloomFilter::OptimalBytes(size_t ndv, double fpp) {
  // BloomFilter.md: m = -8 * ndv / ln(1 - fpp^(1/8)) bits.
  const double bits = -8.0 * static_cast<double>(std::max<size_t>(ndv, 1)) /
                      std::log(1.0 - std::pow(fpp, 1.0 / 8.0));
  const auto bytes = static_cast<size_t>(std::min(bits / 8.0, static_cast<double>(kMaxBytes)));
  return std::clamp(std::bit_ceil(std::max<size_t>(bytes, 1)), kMinBytes, kMaxBytes);
}

void SplitBlockBloomFilter::Init(size_t bytes) { words_.assign(bytes / 4, 0); }

void SplitBlockBloomFilter::Insert(uint64_t hash) {
  uint32_t* block = &words_[Block(hash) * 8];
  const auto key = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) block[i] |= uint32_t{1} << ((key * kSalt[i]) >> 27);
}

bool SplitBlockBloomFilter::MightContain(uint64_t hash) const {
  const uint32_t* block = &words_[Block(hash) * 8];
  const auto key = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) {
    if ((block[i] & (uint32_t{1} << ((key * kSalt[i]) >> 27))) == 0) return false;
  }
  return true;
}

void AppendBloomFilter(const SplitBlockBloomFilter& filter, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, static_cast<int32_t>(filter.bytes()));
  w.BeginStructField(2);  // algorithm: BLOCK
  w.EmptyStructField(1);
  w.EndStruct();
  w.BeginStructField(3);  // hash: XXHASH
  w.EmptyStructField(1);
  w.EndStruct();
  w.BeginStructField(4);  // compression: UNCOMPRESSED
  w.EmptyStructField(1);
  w.EndStruct();
  w.EndStruct();
  for (uint32_t word : filter.words()) {
    for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(word >> (8 * i)));
  }
}

}  // namespace mqtt2s3::parquet
