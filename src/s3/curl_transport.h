// CurlTransport: HttpTransport on libcurl easy handles. Each handle keeps its own keep-alive
// connection cache, so handles are pooled and reused rather than created per request.
// curl's CURLOPT_AWS_SIGV4 is never used (see docs/decisions/s3-client.md): requests arrive
// fully signed.
//
//   auto transport = CurlTransport::Create(CurlTransportOptions{...});
//   HttpResult r = (*transport)->Send(request);
//
// Lifecycle: owns its handles; destroying it closes them and their connections.
// Thread-safety: Send() may run concurrently from any number of threads. A handle is used by
// one thread at a time: Send() takes one from a mutex-guarded idle pool (or makes one), and
// returns it after the request; at most `max_idle_handles` idle ones are kept.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "s3/http_transport.h"

namespace mqtt2s3::s3 {

struct CurlTransportOptions {
  bool verify_tls = true;         // peer and host verification for https
  std::string ca_file;            // PEM bundle; empty = system store
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{300000};  // 0 = none
  std::chrono::seconds low_speed_time{30};            // < 1 KiB/s for this long aborts; 0 = off
  std::size_t max_idle_handles = 16;
  std::string user_agent = "mqtt2s3/0.1";
};

class CurlTransport final : public HttpTransport {
 public:
  static StatusOr<std::unique_ptr<CurlTransport>> Create(CurlTransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResult Send(const HttpRequest& request) override;

  // New TCP connections made so far (CURLINFO_NUM_CONNECTS summed): stays far below the
  // request count while keep-alive works.
  uint64_t connections_opened() const { return connections_opened_.load(); }

 private:
  explicit CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {}
  void* Acquire();
  void Release(void* handle);

  const CurlTransportOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL*; guarded by mu_
  std::atomic<uint64_t> connections_opened_{0};
};

}  // namespace mqtt2s3::s3
