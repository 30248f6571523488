#include "upload/upload_probe.h"

#include <algorithm>

namespace mqtt2s3::upload {

UploadProbe& UploadProbe::Global() {
  // Never destroyed: uploader threads of a static object may still record during exit.
  static auto* probe = new UploadProbe();
  return *probe;
}

void UploadProbe::Record(const UploadResult& result) {
  const double seconds = std::chrono::duration<double>(result.duration).count();
  const size_t bucket =
      static_cast<size_t>(std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds) -
                          kLatencyBounds.begin());
  std::lock_guard lock(mu_);
  if (result.status.ok()) {
    ++s_.succeeded;
    s_.bytes += result.bytes;
    ++s_.latency_buckets[bucket];
    s_.latency_sum_seconds += seconds;
  } else if (result.status.code() == StatusCode::kCancelled) {
    ++s_.cancelled;
  } else {
    ++s_.failed;
    ++s_.failures[std::string(StatusCodeName(result.status.code()))];
  }
}

void UploadProbe::AddRetries(uint64_t n) {
  std::lock_guard lock(mu_);
  s_.retries += n;
}

UploadProbe::Snapshot UploadProbe::snapshot() const {
  std::lock_guard lock(mu_);
  return s_;
}

}  // namespace mqtt2s3::upload
