// Session broker failover against real sockets: ports nothing listens on (refused at once)
// and the dev stack's mosquitto. The broker-list order itself is unit-tested in
// src/mqtt/broker_rotation_test.cc; this checks that the Session follows it, names the
// brokers in its events and waits its backoff only between full rounds.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "mqtt/session.h"
#include "session_test_util.h"
#include "stack_env.h"

namespace mqtt2s3::mqtt {
namespace {

using Kind = SessionEvent::Kind;
using namespace std::chrono_literals;

// A loopback port nothing listens on: bound to get a free number, then closed, so a connect
// is refused at once (no timeout involved).
uint16_t RefusedPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

std::string Loopback(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

std::vector<SessionEvent> WaitForEvents(const testing::TestSubscriber& sub, Kind kind, size_t n) {
  std::vector<SessionEvent> matching;
  for (int i = 0; i < 1500; ++i) {  // 30 s at most
    matching.clear();
    for (const SessionEvent& e : sub.events()) {
      if (e.kind == kind) matching.push_back(e);
    }
    if (matching.size() >= n) break;
    std::this_thread::sleep_for(20ms);
  }
  return matching;
}

TEST(SessionFailoverTest, ARefusedBrokerIsSkippedAtOnceForTheNextOneInTheList) {
  const auto& env = mqtt2s3::testing::StackEnv::Get();
  ASSERT_TRUE(env.complete());
  ASSERT_EQ(env.mqtt_host, "127.0.0.1");
  const uint16_t dead = RefusedPort();
  SessionOptions o = testing::TestOptions(dead, "failover-skip-" + std::to_string(getpid()),
                                          "scale/failover/#", QoS::kAtLeastOnce,
                                          ProtocolVersion::kV5);
  o.failover = {{.host = env.mqtt_host, .port = env.mqtt_port, .tls_server_name = ""}};
  // Far longer than the test waits: connecting at all proves the next broker was tried
  // without the backoff.
  o.backoff.min_delay = o.backoff.max_delay = std::chrono::minutes(10);
  testing::TestSubscriber sub(o, /*auto_release=*/true);
  sub.Start();
  ASSERT_TRUE(sub.WaitSubscribed());

  const std::vector<SessionEvent> events = sub.events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kDisconnected);
  EXPECT_EQ(events[0].broker, Loopback(dead));
  EXPECT_EQ(events[0].broker_index, 0u);
  EXPECT_EQ(events[0].next_broker, Loopback(env.mqtt_port));
  EXPECT_EQ(events[0].retry_in, 0ms);
  EXPECT_NE(events[0].status.message().find(Loopback(dead)), std::string::npos)
      << events[0].status.ToString();
  EXPECT_EQ(events[1].kind, Kind::kConnected);
  EXPECT_EQ(events[1].broker, Loopback(env.mqtt_port));
  EXPECT_EQ(events[1].broker_index, 1u);
  const Session::Stats stats = sub.session().stats();
  EXPECT_EQ(stats.broker_switches, 1u);
  EXPECT_EQ(stats.broker_index, 1u);
  EXPECT_EQ(stats.connect_failures, 1u);
  EXPECT_TRUE(sub.StopAndWait());
}

TEST(SessionFailoverTest, WhenEveryBrokerIsDownItWaitsOnlyBetweenRoundsAndKeepsTheOrder) {
  const uint16_t a = RefusedPort();
  const uint16_t b = RefusedPort();
  SessionOptions o = testing::TestOptions(a, "failover-rounds-" + std::to_string(getpid()),
                                          "scale/failover/#", QoS::kAtLeastOnce,
                                          ProtocolVersion::kV5);
  o.failover = {{.host = "127.0.0.1", .port = b, .tls_server_name = ""}};
  o.backoff.min_delay = o.backoff.max_delay = 50ms;
  testing::TestSubscriber sub(o, /*auto_release=*/true);
  sub.Start();
  const std::vector<SessionEvent> down = WaitForEvents(sub, Kind::kDisconnected, 4);
  EXPECT_TRUE(sub.StopAndWait());
  ASSERT_GE(down.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const bool from_a = i % 2 == 0;
    SCOPED_TRACE("attempt " + std::to_string(i));
    EXPECT_EQ(down[i].broker, Loopback(from_a ? a : b));
    EXPECT_EQ(down[i].next_broker, Loopback(from_a ? b : a));
    EXPECT_EQ(down[i].broker_index, from_a ? 0u : 1u);
    if (from_a) {
      EXPECT_EQ(down[i].retry_in, 0ms);  // mid-round: the next broker at once
    } else {
      EXPECT_LE(down[i].retry_in, 50ms);  // the round is over: the backoff applies
    }
  }
}

}  // namespace
}  // namespace mqtt2s3::mqtt
