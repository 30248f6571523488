#include "parquet/dictionary.h"

#include <algorithm>

#include "parquet/xxhash64.h"

namespace mqtt2s3::parquet {
namespace {

constexpr size_t kInitialSlots = 1024;

uint64_t MixFixed(uint64_t x) {
  // splitmix64's finaliser: cheap, and spreads low-entropy integers (timestamps, counters).
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

void DictionaryBuilder::Reset(size_t max_plain_bytes) {
  if (slots_.empty()) slots_.resize(kInitialSlots);
  if (hashes_.size() * 8 < slots_.size()) {
    // A table grown by one big chunk must not cost a full sweep for each of the many small
    // chunks after it (one row group per device): clear only the slots in use.
    const size_t mask = slots_.size() - 1;
    for (uint32_t e = 0; e < hashes_.size(); ++e) {
      size_t i = hashes_[e] & mask;
      while (slots_[i] != e + 1) i = (i + 1) & mask;
      slots_[i] = 0;
    }
  } else {
    std::fill(slots_.begin(), slots_.end(), 0);
  }
  hashes_.clear();
  fixed_.clear();
  bytes_.clear();
  plain_bytes_ = 0;
  max_plain_bytes_ = max_plain_bytes;
}

template <typename Eq>
uint32_t* DictionaryBuilder::FindSlot(uint64_t hash, Eq eq) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t& slot = slots_[i];
    if (slot == 0) return &slot;
    if (hashes_[slot - 1] == hash && eq(slot - 1)) return &slot;
  }
}

void DictionaryBuilder::Grow() {
  // Load stays at or below one half, so linear probing stays short.
  std::vector<uint32_t> bigger(slots_.size() * 2, 0);
  const size_t mask = bigger.size() - 1;
  for (uint32_t e = 0; e < hashes_.size(); ++e) {
    size_t i = hashes_[e] & mask;
    while (bigger[i] != 0) i = (i + 1) & mask;
    bigger[i] = e + 1;
  }
  slots_.swap(bigger);
}

bool DictionaryBuilder::AddFixed(uint64_t bits, uint32_t* index) {
  const uint64_t hash = MixFixed(bits);
  uint32_t* slot = FindSlot(hash, [&](uint32_t e) { return fixed_[e] == bits; });
  if (*slot == 0) {
    if (plain_bytes_ + 8 > max_plain_bytes_) return false;
    fixed_.push_back(bits);
    hashes_.push_back(hash);
    *slot = static_cast<uint32_t>(fixed_.size());
    plain_bytes_ += 8;
    if (hashes_.size() * 2 > slots_.size()) Grow();
    *index = static_cast<uint32_t>(fixed_.size() - 1);
    return true;
  }
  *index = *slot - 1;
  return true;
}

bool DictionaryBuilder::AddBytes(std::string_view value, uint32_t* index) {
  const uint64_t hash = XxHash64(value);
  uint32_t* slot = FindSlot(hash, [&](uint32_t e) { return bytes_[e] == value; });
  if (*slot == 0) {
    if (plain_bytes_ + 4 + value.size() > max_plain_bytes_) return false;
    bytes_.push_back(value);
    hashes_.push_back(hash);
    *slot = static_cast<uint32_t>(bytes_.size());
    plain_bytes_ += 4 + value.size();
    if (hashes_.size() * 2 > slots_.size()) Grow();
    *index = static_cast<uint32_t>(bytes_.size() - 1);
    return true;
  }
  *index = *slot - 1;
  return true;
}

}  // namespace mqtt2s3::parquet
