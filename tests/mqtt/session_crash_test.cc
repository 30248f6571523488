// Crash and flow-control tests against mosquitto: unacknowledged messages survive a SIGKILLed
// subscriber, tokens of a dropped connection are stale, Receive Maximum bounds what the broker
// sends before we ack (DESIGN.md decision 2).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <thread>

#include "session_test_util.h"

extern char** environ;

namespace mqtt2s3::mqtt::testing {
namespace {

using mqtt2s3::testing::StackEnv;
using mqtt2s3::testing::UniqueName;

std::string Str(int v) { return std::to_string(v); }

// A child process whose stdout we read line by line, with deadlines. Killed on destruction.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    fd_ = fds[0];
  }
  ~Child() {
    Kill();
    if (fd_ >= 0) close(fd_);
  }
  bool running() const { return pid_ > 0; }

  // Next line, or nullopt after `timeout` / EOF.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char tmp[4096];
      const ssize_t n = read(fd_, tmp, sizeof tmp);
      if (n <= 0) return std::nullopt;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buf_;
};

struct CrashCase {
  const char* name;
  bool aedes;
  ProtocolVersion version;
};

class CrashTest : public ::testing::TestWithParam<CrashCase> {};

TEST_P(CrashTest, UnackedMessagesOfAKilledSubscriberAreRedeliveredToTheNextProcess) {
  const CrashCase& c = GetParam();
  const StackEnv& env = StackEnv::Get();
  const uint16_t port = c.aedes ? env.aedes_port : env.mqtt_port;
  if (port == 0) {
    M2S_SKIP_UNLESS_CI("aedes not started by the dev stack (AEDES_PORT unset)");
  }
  const std::string id = UniqueName("crash");
  const std::string topic = id + "/t";
  const bool v5 = c.version == ProtocolVersion::kV5;
  const int n = 100;

  // 1. A subscriber process receives n QoS 1 messages, acks none, and is SIGKILLed.
  {
    Child child({M2S_CRASH_SUBSCRIBER, "--host", env.mqtt_host, "--port", Str(port),
                 "--client-id", id, "--filter", topic, "--qos", "1", "--version",
                 v5 ? "5" : "311", "--max-seconds", "120"});
    ASSERT_TRUE(child.running());
    auto first = child.ReadLine(kWait);
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(*first, "SUBSCRIBED");
    ASSERT_EQ(RunPaho("--port " + Str(port) + " --topic " + topic + " --count " + Str(n) +
                      " --qos 1 --protocol " + (v5 ? "5" : "311")),
              0);
    int lines = 0;
    while (lines < n) {
      auto line = child.ReadLine(kWait);
      ASSERT_TRUE(line.has_value()) << "subscriber printed only " << lines << " of " << n
                                    << " messages (broker in-flight window too small?)";
      if (line->rfind("MSG ", 0) == 0) ++lines;
    }
    child.Kill();
  }

  // 2. A new process with the same client id gets every unacked message again, and acks them.
  auto opts = TestOptions(port, id, topic, QoS::kAtLeastOnce, c.version);
  {
    TestSubscriber sub(opts, /*auto_release=*/false);
    sub.Start();
    ASSERT_TRUE(sub.WaitConnectedCount(1));
    EXPECT_TRUE(sub.events().front().session_present);
    ASSERT_TRUE(sub.WaitForMessages(n));
    auto got = sub.messages();
    std::vector<int> seqs;
    int dups = 0;
    for (const auto& r : got) {
      seqs.push_back(SeqOf(r.payload));
      dups += r.dup ? 1 : 0;
    }
    std::sort(seqs.begin(), seqs.end());
    std::vector<int> want(n);
    std::iota(want.begin(), want.end(), 0);
    EXPECT_EQ(seqs, want);
    // mosquitto marks every redelivery DUP; aedes does not promise it.
    if (!c.aedes) {
      EXPECT_EQ(dups, n);
    }
    RecordProperty("redelivered_with_dup", dups);
    for (const auto& r : got) sub.session().Release(r.token);
    ASSERT_TRUE(sub.WaitForStats([&](const Session::Stats& s) {
      return s.acks_sent == static_cast<uint64_t>(n);
    }));
    ASSERT_TRUE(sub.StopAndWait());
  }

  // 3. A third connection receives nothing more: a sentinel published now arrives first.
  TestSubscriber last(opts, true);
  last.Start();
  ASSERT_TRUE(last.WaitConnectedCount(1));
  ASSERT_EQ(RunPaho("--port " + Str(port) + " --topic " + topic +
                    " --count 1 --start 1000000 --qos 1 --protocol " + (v5 ? "5" : "311")),
            0);
  ASSERT_TRUE(last.WaitForMessages(1));
  EXPECT_EQ(SeqOf(last.messages().front().payload), 1000000);
  EXPECT_EQ(last.message_count(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Brokers, CrashTest,
    ::testing::Values(CrashCase{"mosquitto_v5", false, ProtocolVersion::kV5},
                      CrashCase{"mosquitto_v311", false, ProtocolVersion::kV311},
                      CrashCase{"aedes_v311", true, ProtocolVersion::kV311}),
    [](const ::testing::TestParamInfo<CrashCase>& i) { return std::string(i.param.name); });

TEST(SessionFlowControlTest, ReceiveMaximumBoundsUnackedDeliveriesUntilTheAppReleases) {
  const StackEnv& env = StackEnv::Get();
  const std::string id = UniqueName("rmax");
  auto opts = TestOptions(env.mqtt_port, id, id + "/t", QoS::kAtLeastOnce, ProtocolVersion::kV5);
  opts.receive_maximum = 10;
  TestSubscriber sub(opts, /*auto_release=*/false);
  sub.Start();
  ASSERT_TRUE(sub.WaitSubscribed());
  const int n = 50;
  ASSERT_EQ(RunPaho("--port " + Str(env.mqtt_port) + " --topic " + id + "/t --count " + Str(n) +
                    " --qos 1"),
            0);
  ASSERT_TRUE(sub.WaitForMessages(10));
  // With no ack released the broker must hold the rest back. (Bounded wait for an absence.)
  EXPECT_FALSE(sub.WaitForMessages(11, std::chrono::milliseconds(500)));
  EXPECT_EQ(sub.message_count(), 10u);
  // Release whatever arrived, repeatedly, until all n are in.
  size_t released = 0;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (released < static_cast<size_t>(n) && std::chrono::steady_clock::now() < deadline) {
    auto got = sub.messages();
    for (; released < got.size(); ++released) sub.session().Release(got[released].token);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(released, static_cast<size_t>(n));
  ASSERT_TRUE(sub.WaitForStats([&](const Session::Stats& s) { return s.acks_sent == 50; }));
  std::set<int> seqs;
  for (const auto& r : sub.messages()) EXPECT_TRUE(seqs.insert(SeqOf(r.payload)).second);
  EXPECT_EQ(seqs.size(), static_cast<size_t>(n));
  // Measured: mosquitto 2.0.11 holds back at Receive Maximum while nothing is acked, but once
  // acks flow it may send queued messages beyond the window. The session tolerates that (the
  // ack ring grows) and counts it; recorded here rather than asserted.
  RecordProperty("receive_maximum_exceeded",
                 static_cast<int>(sub.session().stats().receive_maximum_exceeded));
}

TEST(SessionReconnectTest, TokensOfADroppedConnectionAreStaleAndTheRedeliveryIsAcked) {
  const StackEnv& env = StackEnv::Get();
  const std::string id = UniqueName("stale");
  auto opts = TestOptions(env.mqtt_port, id, id + "/t", QoS::kAtLeastOnce, ProtocolVersion::kV5);
  opts.backoff.min_delay = std::chrono::milliseconds(300);
  TestSubscriber sub(opts, /*auto_release=*/false);
  sub.Start();
  ASSERT_TRUE(sub.WaitSubscribed());
  const int n = 20;
  ASSERT_EQ(RunPaho("--port " + Str(env.mqtt_port) + " --topic " + id + "/t --count " + Str(n) +
                    " --qos 1"),
            0);
  ASSERT_TRUE(sub.WaitForMessages(n));
  // Another process takes our session over (and withholds acks too): the broker drops us; once
  // it is killed we reconnect, resume the session and get all n again.
  {
    Child other({M2S_CRASH_SUBSCRIBER, "--host", env.mqtt_host, "--port", Str(env.mqtt_port),
                 "--client-id", id, "--filter", id + "/t", "--qos", "1", "--version", "5",
                 "--max-seconds", "60"});
    ASSERT_TRUE(other.running());
    bool took_over = false;
    for (int i = 0; i < 1000 && !took_over; ++i) {
      auto line = other.ReadLine(kWait);
      ASSERT_TRUE(line.has_value());
      took_over = *line == "SUBSCRIBED";
    }
    other.Kill();
  }
  ASSERT_TRUE(sub.WaitConnectedCount(2));
  ASSERT_TRUE(sub.WaitForMessagesSinceLastConnect(n));
  auto got = sub.messages();
  const size_t old = got.size() - n;
  ASSERT_GE(old, static_cast<size_t>(n));
  for (size_t i = old; i < got.size(); ++i) EXPECT_TRUE(got[i].dup);
  for (size_t i = 0; i < old; ++i) sub.session().Release(got[i].token);
  ASSERT_TRUE(sub.WaitForStats([&](const Session::Stats& s) { return s.stale_releases == old; }));
  EXPECT_EQ(sub.session().stats().acks_sent, 0u);
  for (size_t i = old; i < got.size(); ++i) sub.session().Release(got[i].token);
  ASSERT_TRUE(sub.WaitForStats([&](const Session::Stats& s) { return s.acks_sent == n; }));
  EXPECT_GE(sub.session().stats().disconnects, 1u);
}

TEST(SessionKeepAliveTest, PingsKeepAnIdleConnectionOpenPastTheBrokersTimeout) {
  // The broker drops a client silent for 1.5 x keepalive (measured: mosquitto closes a silent
  // keepalive-1 client after ~3.4 s, its check is coarse); 5 s idle at keepalive 1 s only
  // survives if our PINGREQs go out (and their PINGRESPs satisfy our own timeout).
  const StackEnv& env = StackEnv::Get();
  const std::string id = UniqueName("ka");
  for (ProtocolVersion v : {ProtocolVersion::kV5, ProtocolVersion::kV311}) {
    auto opts = TestOptions(env.mqtt_port, id + Str(static_cast<int>(v)), id + "/t",
                            QoS::kAtLeastOnce, v);
    opts.keepalive = std::chrono::seconds(1);
    TestSubscriber sub(opts, true);
    sub.Start();
    ASSERT_TRUE(sub.WaitSubscribed());
    std::this_thread::sleep_for(std::chrono::milliseconds(5000));
    EXPECT_EQ(sub.session().stats().disconnects, 0u);
    EXPECT_EQ(sub.session().stats().connects, 1u);
    ASSERT_EQ(RunPaho("--port " + Str(env.mqtt_port) + " --topic " + id + "/t --count 1 --qos 1"),
              0);
    EXPECT_TRUE(sub.WaitForMessages(1));
  }
}

}  // namespace
}  // namespace mqtt2s3::mqtt::testing
