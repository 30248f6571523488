#include "metrics/service_notifier.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace mqtt2s3::metrics {
namespace {

// A bound unix datagram socket standing in for the service manager.
class FakeManager {
 public:
  FakeManager() {
    path_ = (std::filesystem::temp_directory_path() /
             ("m2s-notify-" + std::to_string(getpid()) + ".sock"))
                .string();
    std::filesystem::remove(path_);
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~FakeManager() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }
  // The next datagram; the sender has already sent it, so this does not wait.
  std::string Receive() {
    char buf[256];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    return n < 0 ? std::string("<none>") : std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(ServiceNotifierTest, SendsEachStateAsOneDatagram) {
  FakeManager manager;
  ASSERT_TRUE(manager.bound());
  ServiceNotifier notifier(manager.path(), std::nullopt);
  ASSERT_TRUE(notifier.enabled());
  ASSERT_TRUE(notifier.Notify("READY=1").ok());
  ASSERT_TRUE(notifier.Notify("WATCHDOG=1").ok());
  ASSERT_TRUE(notifier.Notify("STOPPING=1").ok());
  EXPECT_EQ(manager.Receive(), "READY=1");
  EXPECT_EQ(manager.Receive(), "WATCHDOG=1");
  EXPECT_EQ(manager.Receive(), "STOPPING=1");
  EXPECT_EQ(manager.Receive(), "<none>");
}

TEST(ServiceNotifierTest, FromEnvironmentReadsSocketAndWatchdog) {
  FakeManager manager;
  ASSERT_TRUE(manager.bound());
  setenv("NOTIFY_SOCKET", manager.path().c_str(), 1);
  setenv("WATCHDOG_USEC", "30000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  ServiceNotifier notifier = ServiceNotifier::FromEnvironment();
  ASSERT_TRUE(notifier.Notify("READY=1").ok());
  EXPECT_EQ(manager.Receive(), "READY=1");
  ASSERT_TRUE(notifier.WatchdogInterval().has_value());
  EXPECT_EQ(notifier.WatchdogInterval()->count(), 15000);

  setenv("WATCHDOG_PID", "1", 1);  // another process's watchdog
  EXPECT_FALSE(ServiceNotifier::FromEnvironment().WatchdogInterval().has_value());
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
}

TEST(ServiceNotifierTest, WithoutNotifySocketItIsDisabledAndNotifyIsANoOp) {
  unsetenv("NOTIFY_SOCKET");
  ServiceNotifier notifier = ServiceNotifier::FromEnvironment();
  EXPECT_FALSE(notifier.enabled());
  EXPECT_TRUE(notifier.Notify("READY=1").ok());
}

TEST(ServiceNotifierTest, AMissingSocketIsAnErrorNamingIt) {
  ServiceNotifier notifier("/nonexistent/notify.sock", std::nullopt);
  Status s = notifier.Notify("READY=1");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/notify.sock"), std::string::npos);
  EXPECT_FALSE(ServiceNotifier("relative.sock", std::nullopt).Notify("READY=1").ok());
}

}  // namespace
}  // namespace mqtt2s3::metrics
