#include "metrics/service_notifier.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace mqtt2s3::metrics {

ServiceNotifier ServiceNotifier::FromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  std::optional<std::chrono::microseconds> watchdog;
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  if (usec != nullptr && (pid == nullptr || std::strtoll(pid, nullptr, 10) == getpid())) {
    const long long v = std::strtoll(usec, nullptr, 10);
    if (v > 0) watchdog = std::chrono::microseconds(v);
  }
  return ServiceNotifier(socket != nullptr ? socket : "", watchdog);
}

ServiceNotifier::ServiceNotifier(std::string socket_path,
                                 std::optional<std::chrono::microseconds> watchdog)
    : path_(std::move(socket_path)), watchdog_(watchdog) {
  if (!path_.empty()) fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

ServiceNotifier::ServiceNotifier(ServiceNotifier&& other) noexcept
    : path_(std::move(other.path_)), watchdog_(other.watchdog_), fd_(other.fd_) {
  other.fd_ = -1;
  other.path_.clear();
}

ServiceNotifier::~ServiceNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

Status ServiceNotifier::Notify(std::string_view state) const {
  if (path_.empty()) return Status::Ok();
  if (fd_ < 0) return Status::IOError("NOTIFY_SOCKET: cannot create a unix datagram socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof(addr.sun_path) || (path_[0] != '/' && path_[0] != '@')) {
    return Status::InvalidArgument("NOTIFY_SOCKET '" + path_ +
                                   "': expected an absolute path or @abstract name that fits "
                                   "a unix socket address");
  }
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  // '@' marks Linux's abstract namespace, whose names start with a NUL byte.
  if (path_[0] == '@') addr.sun_path[0] = '\0';
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
  if (::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&addr), len) < 0) {
    return Status::IOError("NOTIFY_SOCKET '" + path_ + "': sending '" + std::string(state) +
                           "': " + std::strerror(errno));
  }
  return Status::Ok();
}

std::optional<std::chrono::milliseconds> ServiceNotifier::WatchdogInterval() const {
  if (!watchdog_) return std::nullopt;
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog_ / 2));
}

}  // namespace mqtt2s3::metrics
