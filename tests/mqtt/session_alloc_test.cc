// Proves the receive hot path allocates nothing per message: m2s_alloc_counter replaces global
// operator new, and the allocations made on the session's io thread are counted while a steady
// stream of QoS 1 messages is received, handed to the application and acknowledged. Its own
// binary because it replaces operator new.
#include <gtest/gtest.h>

#include <atomic>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "alloc_counter.h"
#include "session_test_util.h"

namespace mqtt2s3::mqtt::testing {
namespace {

using mqtt2s3::testing::StackEnv;
using mqtt2s3::testing::ThreadAllocations;
using mqtt2s3::testing::UniqueName;

TEST(SessionAllocTest, ReceivingAndAckingQos1MessagesAllocatesNothingPerMessage) {
  const StackEnv& env = StackEnv::Get();
  const std::string id = UniqueName("alloc");
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  Session session(io, TestOptions(env.mqtt_port, id, id + "/#", QoS::kAtLeastOnce,
                                  ProtocolVersion::kV5));
  const int n = 20000;
  const int warmup = 2000;
  std::atomic<int> received{0};
  std::atomic<bool> subscribed{false};
  long allocs_at_warmup = 0;
  std::atomic<long> allocs_in_window{0};
  size_t payload_bytes = 0;
  session.SetMessageHandler([&](const InboundMessage& m) {
    // The application's part: read the views, release the token. No copies.
    payload_bytes += m.payload.size() + m.topic.size();
    session.Release(m.token);
    const int i = received.load(std::memory_order_relaxed) + 1;
    if (i == warmup) allocs_at_warmup = ThreadAllocations();
    if (i == n) allocs_in_window.store(ThreadAllocations() - allocs_at_warmup);
    received.store(i, std::memory_order_release);
  });
  session.SetStateHandler([&](const SessionEvent& e) {
    if (e.kind == SessionEvent::Kind::kSubscribed) subscribed.store(true);
  });
  std::thread io_thread([&] { io.run(); });
  session.Start();
  const auto wait = [](const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  };
  ASSERT_TRUE(wait([&] { return subscribed.load(); }));
  ASSERT_EQ(RunPaho("--port " + std::to_string(env.mqtt_port) + " --topic " + id + "/a," + id +
                    "/b --count " + std::to_string(n) + " --qos 1 --size 200 --timeout 120"),
            0);
  ASSERT_TRUE(wait([&] { return received.load(std::memory_order_acquire) >= n; }));
  ASSERT_TRUE(wait([&] { return session.stats().acks_sent == static_cast<uint64_t>(n); }));
  const long allocs = allocs_in_window.load();
  const Session::Stats st = session.stats();
  RecordProperty("io_thread_allocations", static_cast<int>(allocs));
  RecordProperty("ack_writes", static_cast<int>(st.ack_writes));
  // A handful of one-off allocations (a keepalive timer, a buffer's first growth) may fall into
  // the window; one per message would be 18,000.
  EXPECT_LT(allocs, 50) << "allocations on the io thread over " << (n - warmup) << " messages";
  EXPECT_LT(st.ack_writes, static_cast<uint64_t>(n)) << "acks were not batched";
  EXPECT_GT(payload_bytes, 0u);
  session.Stop();
  ASSERT_TRUE(wait([&] { return io.stopped() || session.stats().connects > 0; }));
  guard.reset();
  io_thread.join();
}

}  // namespace
}  // namespace mqtt2s3::mqtt::testing
