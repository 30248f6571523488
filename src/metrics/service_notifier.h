// ServiceNotifier: the service manager's notification protocol (sd_notify(3)): datagrams such
// as "READY=1", "WATCHDOG=1", "STOPPING=1" sent to the unix socket named by $NOTIFY_SOCKET
// (a path, or "@name" for the abstract namespace). Implemented here in ~50 lines instead of
// linking libsystemd: the protocol is one sendto(), and the code stays testable with a plain
// datagram socket.
//
//   auto notifier = ServiceNotifier::FromEnvironment();   // disabled when not under systemd
//   notifier.Notify("READY=1");
//   if (auto every = notifier.WatchdogInterval()) ...     // ping at this period
//
// Lifecycle: the socket is opened once and closed by the destructor. Thread-safety: Notify()
// is safe from any thread (one sendto per call).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::metrics {

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (the watchdog applies only when
  // WATCHDOG_PID is unset or names this process).
  static ServiceNotifier FromEnvironment();
  // `socket_path` empty = disabled; `watchdog` = the service's WatchdogSec, if any.
  ServiceNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog);
  ~ServiceNotifier();
  ServiceNotifier(ServiceNotifier&& other) noexcept;
  ServiceNotifier& operator=(ServiceNotifier&&) = delete;
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  bool enabled() const { return !path_.empty(); }
  // Sends `state` ("READY=1", "STATUS=..."); OK without doing anything when disabled.
  Status Notify(std::string_view state) const;
  // Half the watchdog timeout, as sd_watchdog_enabled(3) advises; nullopt = no watchdog.
  std::optional<std::chrono::milliseconds> WatchdogInterval() const;

 private:
  std::string path_;
  std::optional<std::chrono::microseconds> watchdog_;
  int fd_ = -1;
};

}  // namespace mqtt2s3::metrics
