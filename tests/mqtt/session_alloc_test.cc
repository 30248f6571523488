// Proves the receive hot path allocates nothing per message: global operator new is replaced
// to count allocations made on the session's io thread while a steady stream of QoS 1
// messages is received, handed to the application and acknowledged. Its own binary because
// it replaces operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "session_test_util.h"

namespace {
thread_local uint64_t t_allocations = 0;
}  // namespace

// The replacements pair malloc with free, which is correct; GCC 12 at -O2 inlines them into
// callers and then misreports a new/free mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  ++t_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace mqtt2s3::mqtt::testing {
namespace {

using mqtt2s3::testing::StackEnv;
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
  uint64_t allocs_at_warmup = 0;
  std::atomic<uint64_t> allocs_in_window{0};
  size_t payload_bytes = 0;
  session.SetMessageHandler([&](const InboundMessage& m) {
    // The application's part: read the views, release the token. No copies.
    payload_bytes += m.payload.size() + m.topic.size();
    session.Release(m.token);
    const int i = received.load(std::memory_order_relaxed) + 1;
    if (i == warmup) allocs_at_warmup = t_allocations;
    if (i == n) allocs_in_window.store(t_allocations - allocs_at_warmup);
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
  const uint64_t allocs = allocs_in_window.load();
  const Session::Stats st = session.stats();
  RecordProperty("io_thread_allocations", static_cast<int>(allocs));
  RecordProperty("ack_writes", static_cast<int>(st.ack_writes));
  // A handful of one-off allocations (a keepalive timer, a buffer's first growth) may fall into
  // the window; one per message would be 18,000.
  EXPECT_LT(allocs, 50u) << "allocations on the io thread over " << (n - warmup) << " messages";
  EXPECT_LT(st.ack_writes, static_cast<uint64_t>(n)) << "acks were not batched";
  EXPECT_GT(payload_bytes, 0u);
  session.Stop();
  ASSERT_TRUE(wait([&] { return io.stopped() || session.stats().connects > 0; }));
  guard.reset();
  io_thread.join();
}

}  // namespace
}  // namespace mqtt2s3::mqtt::testing
