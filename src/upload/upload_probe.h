// UploadProbe: the uploader's metrics that ConverterStats does not carry: a latency histogram
// of completed uploads, retries, and failures by status code. Read by the metrics collector
// (src/metrics) as a Snapshot.
//
//   UploadProbe::Global().Record(result);        // uploader.cc, once per completed upload
//   UploadProbe::Snapshot s = UploadProbe::Global().snapshot();
//
// One process-wide instance (Global()): a process runs one converter, and the uploader is
// built inside it, so the probe is reached without threading a pointer through the converter.
// Tests make their own instances. Lifecycle: counts only grow. Thread-safety: every method is
// thread-safe; Record() takes one short mutex.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "upload/upload_types.h"

namespace mqtt2s3::upload {

class UploadProbe {
 public:
  // Upper bounds (seconds) of the latency histogram buckets; +Inf is implicit.
  static constexpr std::array<double, 13> kLatencyBounds = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  struct Snapshot {
    uint64_t succeeded = 0;
    uint64_t failed = 0;     // permanent errors (by code in failures)
    uint64_t cancelled = 0;  // abandoned at stop
    uint64_t bytes = 0;      // bodies of succeeded uploads
    uint64_t retries = 0;    // S3 requests repeated after a retryable failure
    // Latency of succeeded uploads, Submit to completion: count per bucket (not cumulative),
    // the last element is +Inf.
    std::array<uint64_t, kLatencyBounds.size() + 1> latency_buckets = {};
    double latency_sum_seconds = 0;
    std::map<std::string, uint64_t> failures;  // StatusCodeName -> count
  };

  static UploadProbe& Global();

  void Record(const UploadResult& result);
  void AddRetries(uint64_t n);
  Snapshot snapshot() const;

 private:
  mutable std::mutex mu_;
  Snapshot s_;
};

}  // namespace mqtt2s3::upload
