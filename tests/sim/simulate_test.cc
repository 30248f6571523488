// The simulator end to end against the dev stack's mosquitto: every message arrives, on the
// use case's topics, with its sequence number, and compressed payloads inflate to exactly the
// JSON the generator made. Also runs the real `mqtt2s3 simulate` binary.
#include <zlib.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "session_test_util.h"
#include "sim/publisher.h"
#include "sim/replay_source.h"
#include "sim/weld_generator.h"
#include "stack_env.h"

namespace mqtt2s3::sim {
namespace {

using mqtt::testing::Received;
using mqtt::testing::TestSubscriber;

std::string Inflate(const std::string& z) {
  std::string out(64 * 1024, '\0');
  uLongf size = out.size();
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                 reinterpret_cast<const Bytef*>(z.data()), z.size()) != Z_OK) {
    return "<not zlib>";
  }
  out.resize(size);
  return out;
}

// The root level is unique per test, so parallel runs and leftovers never mix.
class SimulateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& env = mqtt2s3::testing::StackEnv::Get();
    ASSERT_NE(env.mqtt_port, 0);
    port_ = env.mqtt_port;
    root_ = mqtt2s3::testing::UniqueName("SIM");
    sub_ = std::make_unique<TestSubscriber>(
        mqtt::testing::TestOptions(port_, root_ + "-sub", root_ + "/#", mqtt::QoS::kAtLeastOnce,
                                   mqtt::ProtocolVersion::kV5),
        /*auto_release=*/true);
    sub_->Start();
    ASSERT_TRUE(sub_->WaitSubscribed());
  }
  void TearDown() override {
    if (sub_) {
      EXPECT_TRUE(sub_->StopAndWait());
    }
  }

  PublisherOptions Publisher(mqtt::QoS qos) const {
    PublisherOptions o;
    o.session.port = port_;
    o.session.client_id = root_ + "-pub";
    o.session.clean_start = true;
    o.session.session_expiry_s = 0;
    o.qos = qos;
    o.window = 64;  // small, so flow control and syncs really happen
    o.timeout = std::chrono::seconds(60);
    return o;
  }

  WeldOptions Weld(bool compressed) const {
    WeldOptions w;
    w.root = root_;
    w.plants = 2;
    w.devices = 3;
    w.count = 40;
    w.seed = 7;
    w.compressed = compressed;
    return w;
  }

  // Every message of `gen` arrived once, in publish order, on its topic, with its payload.
  void ExpectExactly(const WeldGenerator& gen, const std::vector<Received>& got) {
    const uint64_t n = gen.options().total_messages();
    ASSERT_EQ(got.size(), n);
    WeldOptions plain_options = gen.options();
    plain_options.compressed = false;
    const WeldGenerator plain(plain_options);
    SimMessage want, want_plain;
    for (uint64_t i = 0; i < n; ++i) {
      gen.Make(i, &want);
      plain.Make(i, &want_plain);
      EXPECT_EQ(got[i].topic, want.topic) << i;
      EXPECT_EQ(got[i].payload, want.payload) << i;  // stored as sent
      const std::string json =
          gen.options().compressed ? Inflate(got[i].payload) : got[i].payload;
      EXPECT_EQ(json, want_plain.payload) << i;
      EXPECT_NE(json.find("\"seq\":" + std::to_string(i) + "}"), std::string::npos) << json;
    }
  }

  uint16_t port_ = 0;
  std::string root_;
  std::unique_ptr<TestSubscriber> sub_;
};

TEST_F(SimulateTest, QosOneRunArrivesCompleteInOrderWithSequenceNumbers) {
  WeldGenerator gen(Weld(false));
  auto report = RunPublisher(Publisher(mqtt::QoS::kAtLeastOnce), &gen);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->messages, 240u);
  EXPECT_EQ(report->acked, 240u);
  EXPECT_TRUE(report->all_confirmed);
  ASSERT_TRUE(sub_->WaitForMessages(240));
  ExpectExactly(WeldGenerator(Weld(false)), sub_->messages());
  const auto topics = [&] {
    std::set<std::string> t;
    for (const auto& m : sub_->messages()) t.insert(m.topic);
    return t;
  }();
  EXPECT_EQ(topics.size(), 6u);
  EXPECT_TRUE(topics.count(root_ + "/JSON/0/2/WELDING-STATION-3/WELD/1"));
}

TEST_F(SimulateTest, CompressedQosZeroRunInflatesToTheSameJsonAndSyncsStayOffTheRoot) {
  WeldGenerator gen(Weld(true));
  auto report = RunPublisher(Publisher(mqtt::QoS::kAtMostOnce), &gen);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->messages, 240u);
  EXPECT_TRUE(report->all_confirmed);
  EXPECT_GE(report->syncs, 240u / 16);  // one per window / 4 messages, plus the final one
  ASSERT_TRUE(sub_->WaitForMessages(240));
  ExpectExactly(WeldGenerator(Weld(true)), sub_->messages());
  for (const auto& m : sub_->messages()) {
    EXPECT_NE(m.topic.find("/JSON/1/"), std::string::npos) << m.topic;
  }
}

TEST_F(SimulateTest, ReplayPublishesEveryLineOnItsTopic) {
  const std::string path = ::testing::TempDir() + root_ + ".jsonl";
  {
    std::ofstream f(path);
    f << R"({"topic": ")" << root_ << R"(/JSON/0/1/A/WELD/1", "payload": {"seq": 0}})" << "\n"
      << R"({"weldspot": {"Voltage": "231"}, "seq": 1})" << "\n";
  }
  ReplayOptions ro;
  ro.default_topic = root_ + "/JSON/0/1/B/WELD/1";
  auto src = ReplaySource::Open(path, ro);
  ASSERT_TRUE(src.ok());
  auto report = RunPublisher(Publisher(mqtt::QoS::kAtLeastOnce), src->get());
  std::remove(path.c_str());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(sub_->WaitForMessages(2));
  const auto got = sub_->messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].topic, root_ + "/JSON/0/1/A/WELD/1");
  EXPECT_EQ(got[0].payload, R"({"seq":0})");
  EXPECT_EQ(got[1].topic, root_ + "/JSON/0/1/B/WELD/1");
  EXPECT_EQ(got[1].payload, R"({"weldspot":{"Voltage":"231"},"seq":1})");
}

TEST_F(SimulateTest, CommandLineRunReportsAndSendsTheFlushRequestLast) {
  const std::string out_file = ::testing::TempDir() + root_ + ".out";
  const std::string cmd = std::string(M2S_MQTT2S3_BIN) + " simulate --port " +
                          std::to_string(port_) + " --root " + root_ +
                          " --plants 2 --devices 3 --count 40 --seed 7 --compressed --qos 1"
                          " --rate 2000 --flush-last mqtt2s3-flush --flush-topic " +
                          root_ + "/flush --timeout 60s > " + out_file + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(out_file);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(out_file.c_str());
  ASSERT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("published 240 messages"), std::string::npos) << output;
  EXPECT_NE(output.find("acked 240 of 240 (all acked)"), std::string::npos) << output;
  ASSERT_TRUE(sub_->WaitForMessages(241));
  auto got = sub_->messages();
  ASSERT_EQ(got.size(), 241u);
  EXPECT_EQ(got.back().topic, root_ + "/flush");
  EXPECT_EQ(got.back().payload, "{}");
  got.pop_back();
  ExpectExactly(WeldGenerator(Weld(true)), got);
  // The last message of each device carries the flush user property, no other does.
  size_t flagged = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    bool has = false;
    for (const auto& [k, v] : got[i].user_properties) has |= k == "mqtt2s3-flush" && v == "1";
    flagged += has;
    EXPECT_EQ(has, i >= got.size() - 6) << i;
  }
  EXPECT_EQ(flagged, 6u);
}

}  // namespace
}  // namespace mqtt2s3::sim
