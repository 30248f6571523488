// Helpers shared by the uploader unit tests: fast options and a result collector.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "upload/uploader.h"

namespace mqtt2s3::upload::testing {

// Tiny backoffs: tests count requests and outcomes, never time.
inline UploaderOptions FastOptions() {
  UploaderOptions o;
  o.max_concurrent_uploads = 2;
  o.retry.initial_backoff = std::chrono::milliseconds(1);
  o.retry.max_backoff = std::chrono::milliseconds(1);
  o.retry.max_attempts = 3;
  o.parked_retry_interval = std::chrono::milliseconds(1);
  return o;
}

inline UploadRequest Request(std::string key, std::string body, uint64_t id = 0,
                             std::string bucket = "bucket") {
  UploadRequest r;
  r.bucket = std::move(bucket);
  r.key = std::move(key);
  r.body = std::move(body);
  r.id = id;
  return r;
}

// Collects completions from uploader threads.
class Results {
 public:
  UploadCallback Callback() {
    return [this](const UploadResult& r) {
      std::lock_guard lock(mu_);
      results_.push_back(r);
      cv_.notify_all();
    };
  }
  // Waits (bounded, generous) for `n` completions; false if they did not come.
  bool WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return results_.size() >= n; });
  }
  std::vector<UploadResult> Get() const {
    std::lock_guard lock(mu_);
    return results_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return results_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<UploadResult> results_;
};

// Polls `condition` (bounded: 60 s) for states that have no callback, e.g. "parked".
inline bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 60'000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return condition();
}

}  // namespace mqtt2s3::upload::testing
