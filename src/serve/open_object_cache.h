// OpenObjectCache: keeps the indexes of recently opened objects, so a dashboard refreshing
// every few seconds does not HEAD and re-download the same indexes each time. Batch objects
// are immutable under their canonical names (a WAL re-upload writes the same bytes), and an
// entry is used only while the listing still shows the same size.
//
//   OpenObjectCache cache(64);
//   if (auto hit = cache.Get(bucket, listed.key, listed.size)) Use(*hit);
//   else cache.Put(std::make_shared<const OpenObject>(std::move(opened)));
//
// Least recently used entries are dropped beyond `capacity` (0: nothing is kept).
// Thread-safety: thread-safe (one mutex); values are shared immutable objects.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "mqtt2s3/reader.h"

namespace mqtt2s3::serve {

class OpenObjectCache {
 public:
  explicit OpenObjectCache(size_t capacity) : capacity_(capacity) {}

  // The cached object, or null when absent or when its size differs from `listed_size`
  // (the entry is dropped then).
  std::shared_ptr<const OpenObject> Get(std::string_view bucket, std::string_view key,
                                        uint64_t listed_size);
  void Put(std::shared_ptr<const OpenObject> object);
  size_t size() const;

 private:
  using Lru = std::list<std::shared_ptr<const OpenObject>>;  // most recent first
  static std::string Key(std::string_view bucket, std::string_view key);

  const size_t capacity_;
  mutable std::mutex mu_;
  Lru lru_;
  std::map<std::string, Lru::iterator, std::less<>> by_key_;
};

}  // namespace mqtt2s3::serve
