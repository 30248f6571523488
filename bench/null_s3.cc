#include "null_s3.h"

#include "loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace mqtt2s3::bench {
namespace {

bool WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Value of header `name` (lower case) in the header block, or empty.
std::string_view Header(std::string_view head, std::string_view name) {
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const size_t start = pos + 2;
    const size_t end = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, (end == std::string_view::npos ? head.size() : end) - start);
    const size_t colon = line.find(':');
    if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return v;
    }
    pos = end;
  }
  return {};
}

}  // namespace

uint16_t NullS3::Start() {
  uint16_t port = 0;
  listen_fd_ = ListenLoopback(64, &port);
  if (listen_fd_ < 0) return 0;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return port;
}

void NullS3::Stop() {
  if (listen_fd_ < 0) return;
  stop_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  std::lock_guard lock(mu_);
  for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  fds_.clear();
}

void NullS3::AcceptLoop() {
  while (!stop_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    std::lock_guard lock(mu_);
    fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void NullS3::Serve(int fd) {
  std::string buf;
  char chunk[64 << 10];
  for (;;) {
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
    }
    const std::string head = buf.substr(0, head_end);
    buf.erase(0, head_end + 4);
    const std::string_view length = Header(head, "content-length");
    uint64_t body = length.empty() ? 0 : std::strtoull(std::string(length).c_str(), nullptr, 10);
    if (Header(head, "expect") == "100-continue" && !WriteAll(fd, "HTTP/1.1 100 Continue\r\n\r\n")) {
      return;
    }
    const uint64_t in_buf = std::min<uint64_t>(body, buf.size());
    buf.erase(0, in_buf);
    for (uint64_t left = body - in_buf; left > 0;) {
      const ssize_t n = ::recv(fd, chunk, std::min<uint64_t>(left, sizeof(chunk)), 0);
      if (n <= 0) return;
      left -= static_cast<uint64_t>(n);
    }
    requests_.fetch_add(1, std::memory_order_relaxed);
    body_bytes_.fetch_add(body, std::memory_order_relaxed);
    const std::string_view count = Header(head, "x-amz-meta-mqtt2s3-count");
    const bool put = head.compare(0, 4, "PUT ") == 0;
    if (!WriteAll(fd, "HTTP/1.1 200 OK\r\nETag: \"00000000000000000000000000000000\"\r\n"
                      "Content-Length: 0\r\n\r\n")) {
      return;
    }
    if (put && !count.empty()) {
      objects_.fetch_add(1, std::memory_order_relaxed);
      // After the answer: the converter counts the object stored once it has read it.
      messages_.fetch_add(std::strtoull(std::string(count).c_str(), nullptr, 10),
                          std::memory_order_release);
    }
  }
}

}  // namespace mqtt2s3::bench
