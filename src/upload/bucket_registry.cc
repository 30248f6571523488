#include "upload/bucket_registry.h"

#include <spdlog/spdlog.h>

namespace mqtt2s3::upload {

s3::Result<s3::Done> BucketRegistry::Create(std::string_view bucket, uint64_t seen_epoch) {
  std::lock_guard lock(mu_);
  const std::string name(bucket);
  if (auto it = created_at_.find(name); it != created_at_.end() && it->second > seen_epoch) {
    return s3::Done{};
  }
  auto res = client_->CreateBucket(bucket);
  if (!res) return res;
  created_at_[name] = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
  created_.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("created bucket '{}' on demand", name);
  return res;
}

bool BucketRegistry::Known(std::string_view bucket) const {
  std::lock_guard lock(mu_);
  return created_at_.count(std::string(bucket)) != 0;
}

}  // namespace mqtt2s3::upload
