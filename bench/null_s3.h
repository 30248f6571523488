// NullS3: a bench-only S3 endpoint on 127.0.0.1 that stores nothing. Every request gets
// "200 OK" with an ETag and an empty body (HTTP/1.1 keep-alive, one thread per connection);
// PUT bodies are read and dropped. It counts the messages of the data objects it was sent
// (their `x-amz-meta-mqtt2s3-count` header), so the converter-alone benchmark knows when every message
// is "in S3" without measuring an S3 server. The converter cannot tell it from RGW for what it
// does on the hot path (CreateBucket, PutObject; no multipart for objects this size).
//
//   NullS3 s3;
//   uint16_t port = s3.Start();           // http://127.0.0.1:<port>
//   while (s3.messages() < n) ...;
//   s3.Stop();
//
// Thread-safety: the counters are atomics; Start/Stop from one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace mqtt2s3::bench {

class NullS3 {
 public:
  NullS3() = default;
  ~NullS3() { Stop(); }
  NullS3(const NullS3&) = delete;
  NullS3& operator=(const NullS3&) = delete;

  // Listens on an ephemeral loopback port and returns it (0 on failure).
  uint16_t Start();
  void Stop();

  uint64_t messages() const { return messages_.load(std::memory_order_acquire); }
  uint64_t objects() const { return objects_.load(std::memory_order_relaxed); }
  uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  uint64_t body_bytes() const { return body_bytes_.load(std::memory_order_relaxed); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<int> fds_;
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> objects_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> body_bytes_{0};
};

}  // namespace mqtt2s3::bench
