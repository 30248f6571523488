#include "serve/open_object_cache.h"

namespace mqtt2s3::serve {

std::string OpenObjectCache::Key(std::string_view bucket, std::string_view key) {
  std::string k(bucket);
  k += '\0';  // bucket names cannot contain NUL, so (bucket, key) pairs stay distinct
  k += key;
  return k;
}

std::shared_ptr<const OpenObject> OpenObjectCache::Get(std::string_view bucket,
                                                       std::string_view key, uint64_t listed_size) {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(Key(bucket, key));
  if (it == by_key_.end()) return nullptr;
  if ((*it->second)->object_size != listed_size) {
    lru_.erase(it->second);
    by_key_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return *it->second;
}

void OpenObjectCache::Put(std::shared_ptr<const OpenObject> object) {
  if (capacity_ == 0 || !object) return;
  std::lock_guard lock(mu_);
  std::string k = Key(object->bucket, object->key);
  if (auto it = by_key_.find(k); it != by_key_.end()) {
    lru_.erase(it->second);
    by_key_.erase(it);
  }
  lru_.push_front(std::move(object));
  by_key_.emplace(std::move(k), lru_.begin());
  while (lru_.size() > capacity_) {
    by_key_.erase(Key(lru_.back()->bucket, lru_.back()->key));
    lru_.pop_back();
  }
}

size_t OpenObjectCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace mqtt2s3::serve
