// Interop: the session receives from real brokers (mosquitto 2.0 at MQTT 3.1.1 and 5.0, aedes
// at 3.1.1) messages published by independent clients (Paho, mosquitto_pub).
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <numeric>
#include <random>
#include <set>
#include <thread>

#include "session_test_util.h"

namespace mqtt2s3::mqtt::testing {
namespace {

using mqtt2s3::testing::StackEnv;
using mqtt2s3::testing::UniqueName;

std::string Str(int v) { return std::to_string(v); }

// Every sequence number 0..n-1 exactly once.
void ExpectExactlyOnce(const std::vector<Received>& got, int n) {
  std::vector<int> seqs;
  for (const auto& r : got) seqs.push_back(SeqOf(r.payload));
  std::sort(seqs.begin(), seqs.end());
  std::vector<int> want(n);
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(seqs, want);
}

struct ReceiveCase {
  const char* name;
  bool aedes;
  ProtocolVersion version;
  int qos;
};

class ReceiveFromBroker : public ::testing::TestWithParam<ReceiveCase> {};

TEST_P(ReceiveFromBroker, EveryPahoMessageArrivesExactlyOnceThroughAPlusWildcard) {
  const ReceiveCase& c = GetParam();
  const StackEnv& env = StackEnv::Get();
  const uint16_t port = c.aedes ? env.aedes_port : env.mqtt_port;
  if (port == 0) {
    M2S_SKIP_UNLESS_CI("aedes not started by the dev stack (AEDES_PORT unset)");
  }
  const std::string base = UniqueName("it");
  const int n = 300;
  TestSubscriber sub(TestOptions(port, base, base + "/+/data", static_cast<QoS>(c.qos), c.version),
                     /*auto_release=*/true);
  sub.Start();
  ASSERT_TRUE(sub.WaitSubscribed());
  const std::string proto = c.version == ProtocolVersion::kV5 ? "5" : "311";
  ASSERT_EQ(RunPaho("--port " + Str(port) + " --topic " + base + "/a/data," + base +
                    "/b/data," + base + "/nomatch --count " + Str(n) + " --qos " + Str(c.qos) +
                    " --protocol " + proto),
            0);
  // Every third message goes to the non-matching topic.
  const int expected = n - n / 3;
  ASSERT_TRUE(sub.WaitForMessages(expected));
  ASSERT_TRUE(sub.WaitForStats([&](const Session::Stats& s) {
    const uint64_t acks = c.qos == 0 ? 0 : static_cast<uint64_t>(expected);
    return s.messages_received == static_cast<uint64_t>(expected) && s.acks_sent == acks &&
           (c.qos != 2 || s.pubcomps_sent == static_cast<uint64_t>(expected));
  })) << "acks_sent=" << sub.session().stats().acks_sent;
  auto got = sub.messages();
  std::set<int> seqs;
  for (const auto& r : got) {
    EXPECT_NE(r.topic, base + "/nomatch");
    EXPECT_EQ(static_cast<int>(r.qos), c.qos);
    EXPECT_TRUE(seqs.insert(SeqOf(r.payload)).second) << "duplicate " << r.payload;
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(expected));
  for (int i = 0; i < n; ++i) EXPECT_EQ(seqs.count(i), i % 3 == 2 ? 0u : 1u) << i;
  EXPECT_EQ(sub.session().stats().outstanding_acks, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Brokers, ReceiveFromBroker,
    ::testing::Values(ReceiveCase{"mosquitto_v5_qos1", false, ProtocolVersion::kV5, 1},
                      ReceiveCase{"mosquitto_v5_qos2", false, ProtocolVersion::kV5, 2},
                      ReceiveCase{"mosquitto_v311_qos1", false, ProtocolVersion::kV311, 1},
                      ReceiveCase{"mosquitto_v311_qos2", false, ProtocolVersion::kV311, 2},
                      ReceiveCase{"mosquitto_v5_qos0", false, ProtocolVersion::kV5, 0},
                      ReceiveCase{"aedes_v311_qos1", true, ProtocolVersion::kV311, 1},
                      ReceiveCase{"aedes_v311_qos2", true, ProtocolVersion::kV311, 2}),
    [](const ::testing::TestParamInfo<ReceiveCase>& i) { return std::string(i.param.name); });

TEST(SessionInteropTest, MosquittoPubMessagesArriveThroughAHashWildcardAtBothVersions) {
  const StackEnv& env = StackEnv::Get();
  for (ProtocolVersion v : {ProtocolVersion::kV5, ProtocolVersion::kV311}) {
    const std::string base = UniqueName("hash");
    TestSubscriber sub(TestOptions(env.mqtt_port, base, base + "/#", QoS::kExactlyOnce, v), true);
    sub.Start();
    ASSERT_TRUE(sub.WaitSubscribed());
    const int n = 6;
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(RunMosquittoPub(env.mqtt_port, base + "/x/" + Str(i) + "/deep", "seq=" + Str(i),
                                i % 3, v),
                0);
    }
    ASSERT_TRUE(sub.WaitForMessages(n));
    ExpectExactlyOnce(sub.messages(), n);
    for (const auto& r : sub.messages()) {
      EXPECT_EQ(static_cast<int>(r.qos), SeqOf(r.payload) % 3);  // granted QoS 2 keeps theirs
    }
  }
}

TEST(SessionInteropTest, Qos2ReleasedOutOfOrderIsFullyAcknowledgedAndNeverRedelivered) {
  const StackEnv& env = StackEnv::Get();
  const std::string base = UniqueName("q2ooo");
  const int n = 400;
  auto opts = TestOptions(env.mqtt_port, base, base + "/t", QoS::kExactlyOnce, ProtocolVersion::kV5);
  {
    TestSubscriber sub(opts, /*auto_release=*/false);
    sub.Start();
    ASSERT_TRUE(sub.WaitSubscribed());
    ASSERT_EQ(RunPaho("--port " + Str(env.mqtt_port) + " --topic " + base + "/t --count " +
                      Str(n) + " --qos 2"),
              0);
    ASSERT_TRUE(sub.WaitForMessages(n));
    auto got = sub.messages();
    ExpectExactlyOnce(got, n);
    // Release from another thread in a random order; nothing may go out before message 0.
    std::vector<AckToken> tokens;
    for (const auto& r : got) tokens.push_back(r.token);
    std::shuffle(tokens.begin(), tokens.end(), std::mt19937(7));
    const AckToken first = got.front().token;
    std::thread releaser([&] {
      for (AckToken t : tokens) {
        if (!(t == first)) sub.session().Release(t);
      }
    });
    releaser.join();
    // A QoS 1 publish completes on the session strand after the releases queued before it.
    std::promise<Status> published;
    sub.session().Publish(base + "/ctl", "barrier", QoS::kAtLeastOnce, {{"k", "v"}},
                          [&](Status s) { published.set_value(std::move(s)); });
    auto fut = published.get_future();
    ASSERT_EQ(fut.wait_for(kWait), std::future_status::ready);
    ASSERT_TRUE(fut.get().ok());
    // All but the first are released, yet no ack may have been sent: they wait for message 0.
    EXPECT_EQ(sub.session().stats().acks_sent, 0u);
    EXPECT_EQ(sub.session().stats().outstanding_acks, static_cast<size_t>(n));
    sub.session().Release(first);
    ASSERT_TRUE(sub.WaitForStats([&](const Session::Stats& s) {
      return s.acks_sent == static_cast<uint64_t>(n) && s.pubcomps_sent == static_cast<uint64_t>(n);
    }));
    EXPECT_LT(sub.session().stats().ack_writes, static_cast<uint64_t>(n)) << "acks not batched";
    EXPECT_EQ(sub.session().stats().messages_received, static_cast<uint64_t>(n));
    ASSERT_TRUE(sub.StopAndWait());
  }
  // Resume the session: the broker must have nothing left for us. A sentinel published after
  // the reconnect arrives first iff nothing was redelivered.
  TestSubscriber again(opts, true);
  again.Start();
  ASSERT_TRUE(again.WaitConnectedCount(1));
  ASSERT_TRUE(again.events().front().session_present);
  ASSERT_EQ(RunPaho("--port " + Str(env.mqtt_port) + " --topic " + base + "/t --count 1 --start " +
                    Str(1000000) + " --qos 1"),
            0);
  ASSERT_TRUE(again.WaitForMessages(1));
  EXPECT_EQ(SeqOf(again.messages().front().payload), 1000000);
  EXPECT_EQ(again.message_count(), 1u);
}

TEST(SessionInteropTest, AMessageOfOneAndAHalfMegabytesArrivesIntact) {
  const StackEnv& env = StackEnv::Get();
  const std::string base = UniqueName("big");
  for (ProtocolVersion v : {ProtocolVersion::kV5, ProtocolVersion::kV311}) {
    TestSubscriber sub(TestOptions(env.mqtt_port, base + Str(static_cast<int>(v)), base + "/big",
                                   QoS::kAtLeastOnce, v),
                       true);
    sub.Start();
    ASSERT_TRUE(sub.WaitSubscribed());
    const int size = 1'500'000;
    ASSERT_EQ(RunPaho("--port " + Str(env.mqtt_port) + " --topic " + base + "/big --count 3 " +
                      "--qos 1 --size " + Str(size)),
              0);
    ASSERT_TRUE(sub.WaitForMessages(3));
    auto got = sub.messages();
    ExpectExactlyOnce(got, 3);
    for (const auto& r : got) {
      ASSERT_EQ(r.payload.size(), static_cast<size_t>(size));
      EXPECT_EQ(r.payload.find_first_not_of('.', 10), std::string::npos);
    }
    ASSERT_TRUE(sub.WaitForStats([](const Session::Stats& s) { return s.acks_sent == 3; }));
    // The buffer grew for the big packets and shrank back to its default once they were done.
    EXPECT_EQ(sub.session().stats().read_buffer_bytes, sub.session().options().read_buffer_bytes);
  }
}

TEST(SessionInteropTest, TwoSessionsInASharedSubscriptionSplitTheLoadWithoutLoss) {
  const StackEnv& env = StackEnv::Get();
  const std::string base = UniqueName("share");
  const std::string filter = "$share/g" + base + "/" + base + "/+";
  TestSubscriber a(TestOptions(env.mqtt_port, base + "-a", filter, QoS::kAtLeastOnce,
                               ProtocolVersion::kV5),
                   true);
  TestSubscriber b(TestOptions(env.mqtt_port, base + "-b", filter, QoS::kAtLeastOnce,
                               ProtocolVersion::kV5),
                   true);
  a.Start();
  b.Start();
  ASSERT_TRUE(a.WaitSubscribed());
  ASSERT_TRUE(b.WaitSubscribed());
  const int n = 400;
  ASSERT_EQ(RunPaho("--port " + Str(env.mqtt_port) + " --topic " + base + "/x," + base +
                    "/y --count " + Str(n) + " --qos 1"),
            0);
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (a.message_count() + b.message_count() < static_cast<size_t>(n) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto ga = a.messages();
  auto gb = b.messages();
  EXPECT_GT(ga.size(), 0u);
  EXPECT_GT(gb.size(), 0u);
  std::vector<Received> all = ga;
  all.insert(all.end(), gb.begin(), gb.end());
  ExpectExactlyOnce(all, n);
}

TEST(SessionInteropTest, PublishBeforeConnectIsQueuedAndDeliveredWithUserProperties) {
  const StackEnv& env = StackEnv::Get();
  for (ProtocolVersion v : {ProtocolVersion::kV5, ProtocolVersion::kV311}) {
    const std::string base = UniqueName("pub");
    auto opts = TestOptions(env.mqtt_port, base, base + "/status", QoS::kAtLeastOnce, v);
    opts.username = "mqtt2s3-test";  // anonymous brokers accept any credentials
    opts.password = "not-a-secret";
    TestSubscriber sub(opts, true);
    std::promise<Status> done;
    // Before Start(): QoS 1 waits for the connection (and for the SUBSCRIBE sent before it).
    sub.session().Publish(base + "/status", "seq=0", QoS::kAtLeastOnce, {{"origin", "session"}},
                          [&](Status s) { done.set_value(std::move(s)); });
    sub.Start();
    auto fut = done.get_future();
    ASSERT_EQ(fut.wait_for(kWait), std::future_status::ready);
    EXPECT_TRUE(fut.get().ok());
    ASSERT_TRUE(sub.WaitForMessages(1));
    const Received r = sub.messages().front();
    EXPECT_EQ(r.payload, "seq=0");
    if (v == ProtocolVersion::kV5) {
      ASSERT_EQ(r.user_properties.size(), 1u);
      EXPECT_EQ(r.user_properties[0].first, "origin");
      EXPECT_EQ(r.user_properties[0].second, "session");
    } else {
      EXPECT_TRUE(r.user_properties.empty());
    }
    EXPECT_EQ(sub.session().stats().published, 1u);
    // QoS 2 publishing is refused with a clear error.
    std::promise<Status> refused;
    sub.session().Publish(base + "/status", "x", QoS::kExactlyOnce, {},
                          [&](Status s) { refused.set_value(std::move(s)); });
    auto rf = refused.get_future();
    ASSERT_EQ(rf.wait_for(kWait), std::future_status::ready);
    EXPECT_EQ(rf.get().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mqtt2s3::mqtt::testing
