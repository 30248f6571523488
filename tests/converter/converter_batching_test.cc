// Batching against the real dev stack: one test per flush trigger (count, bytes, age on a
// quiet partition, control-topic flush, MQTT 5 user-property flush, shutdown), each asserting
// the exact objects produced and that every published message is in exactly one object; and
// the use case: 3 plants x 10 devices, 10,000-message objects named by their time range.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <set>

#include "converter_test_util.h"
#include "route/object_name.h"
#include "stack_env.h"

namespace mqtt2s3::converter {
namespace {

using namespace testutil;
using batch::FlushReason;
using testing::UniqueName;

// A converter for topics <name>/<plant>/<device>: one partition (and bucket) per plant.
ConverterOptions PlantOptions(const std::string& name) {
  ConverterOptions o = BaseOptions(name);
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/+/+", "{root}/{plant}/{device}", "{root}-{plant}",
                                      "{first:%Y/%m/%d}/{object_name}"));
  return o;
}

std::vector<PubMessage> PlantMessages(const std::string& name, const std::string& plant, int n,
                                      int first_seq = 0) {
  std::vector<PubMessage> msgs;
  for (int i = first_seq; i < first_seq + n; ++i) {
    msgs.push_back({name + "/" + plant + "/d" + std::to_string(i % 4),
                    "{\"seq\":" + std::to_string(i) + ",\"pad\":\"0123456789\"}", ""});
  }
  return msgs;
}

// Every published payload appears exactly once across the objects' lines.
void ExpectExactlyOnce(const std::map<std::string, std::string>& objects,
                       const std::vector<PubMessage>& published) {
  std::multiset<std::string> stored;
  for (const auto& [key, body] : objects) {
    for (const std::string& line : Lines(body)) stored.insert(line);
  }
  std::multiset<std::string> expected;
  for (const auto& m : published) expected.insert(m.payload);
  EXPECT_EQ(stored, expected);
}

uint64_t Flushes(const ConverterStats& s, FlushReason r) {
  return s.flushes[static_cast<size_t>(r)];
}

TEST(ConverterBatchingTest, CountTriggerMakesObjectsOfExactlyMaxMessages) {
  const std::string name = UniqueName("count");
  ConverterOptions o = PlantOptions(name);
  o.batcher.default_policy.max_messages = 25;
  auto msgs = PlantMessages(name, "p1", 100);
  auto client = MakeClient(o.s3);
  RunningConverter rc(o);
  PahoPublish(msgs);
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 100; }, 30s));
  auto objects = ReadBucket(*client, name + "-p1");
  ASSERT_EQ(objects.size(), 4u);
  for (const auto& [key, body] : objects) EXPECT_EQ(Lines(body).size(), 25u) << key;
  ExpectExactlyOnce(objects, msgs);
  EXPECT_EQ(Flushes(rc.conv().stats(), FlushReason::kCount), 4u);
}

TEST(ConverterBatchingTest, BytesTriggerNeverExceedsMaxBytes) {
  const std::string name = UniqueName("bytes");
  ConverterOptions o = PlantOptions(name);
  o.batcher.default_policy.max_bytes = 2000;  // topic + payload bytes per batch
  auto msgs = PlantMessages(name, "p1", 200);  // about 55 bytes each: 5 or 6 full batches
  auto client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PahoPublish(msgs);
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().received == 200; }, 30s));
    ASSERT_TRUE(rc.Stop().ok());  // the rest goes out as the shutdown batch
    EXPECT_GE(Flushes(rc.conv().stats(), FlushReason::kBytes), 2u);
  }
  auto objects = ReadBucket(*client, name + "-p1");
  ASSERT_GE(objects.size(), 5u);
  for (const auto& [key, body] : objects) EXPECT_LE(body.size(), 2000u) << key;
  ExpectExactlyOnce(objects, msgs);
}

TEST(ConverterBatchingTest, AgeTriggerFiresOnAQuietPartition) {
  const std::string name = UniqueName("age");
  ConverterOptions o = PlantOptions(name);
  o.batcher.default_policy.max_age = 1s;
  auto msgs = PlantMessages(name, "p1", 5);
  auto client = MakeClient(o.s3);
  RunningConverter rc(o);
  PahoPublish(msgs);
  // Nothing else arrives: only the timer can flush this batch.
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 5; }, 15s));
  EXPECT_EQ(Flushes(rc.conv().stats(), FlushReason::kAge), 1u);
  auto objects = ReadBucket(*client, name + "-p1");
  ASSERT_EQ(objects.size(), 1u);
  ExpectExactlyOnce(objects, msgs);
  auto head = client->HeadObject(name + "-p1", objects.begin()->first);
  ASSERT_TRUE(head);
  EXPECT_EQ(head.value().metadata.at("flush-reason"), "age");
}

TEST(ConverterBatchingTest, ControlTopicFlushesOneBucketThenAll) {
  const std::string name = UniqueName("ctl");
  ConverterOptions o = PlantOptions(name);
  o.flush_control_topic = name + "-control/flush";
  auto p1 = PlantMessages(name, "p1", 7);
  auto p2 = PlantMessages(name, "p2", 9, 100);
  auto client = MakeClient(o.s3);
  RunningConverter rc(o);
  std::vector<PubMessage> all = p1;
  all.insert(all.end(), p2.begin(), p2.end());
  PahoPublish(all);
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().received == 16; }, 10s));
  EXPECT_EQ(CountObjects(*client, name + "-p1"), 0u) << "nothing flushes by itself";

  MosquittoPub(o.flush_control_topic, "{\"bucket\":\"" + name + "-p1\"}");
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 7; }, 15s));
  EXPECT_EQ(CountObjects(*client, name + "-p2"), 0u) << "only the named bucket flushed";

  MosquittoPub(o.flush_control_topic, "");
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 16; }, 15s));
  ExpectExactlyOnce(ReadBucket(*client, name + "-p1"), p1);
  ExpectExactlyOnce(ReadBucket(*client, name + "-p2"), p2);
  EXPECT_EQ(Flushes(rc.conv().stats(), FlushReason::kControl), 2u);

  MosquittoPub(o.flush_control_topic, "flush please");  // malformed: counted, acked, ignored
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().control_errors == 1; }, 10s));
}

TEST(ConverterBatchingTest, UserPropertyFlushesAfterTheFlaggedMessage) {
  const std::string name = UniqueName("uprop");
  ConverterOptions o = PlantOptions(name);
  auto msgs = PlantMessages(name, "p1", 6);
  msgs[3].user_property = o.flush_user_property;  // flush after the 4th message
  auto client = MakeClient(o.s3);
  RunningConverter rc(o);
  PahoPublish(msgs);
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 4; }, 15s));
  EXPECT_EQ(Flushes(rc.conv().stats(), FlushReason::kUserProperty), 1u);
  auto objects = ReadBucket(*client, name + "-p1");
  ASSERT_EQ(objects.size(), 1u);
  ExpectExactlyOnce(objects, {msgs.begin(), msgs.begin() + 4});
}

TEST(ConverterBatchingTest, ShutdownFlushesEveryBatchBeforeDisconnecting) {
  const std::string name = UniqueName("shut");
  ConverterOptions o = PlantOptions(name);
  auto p1 = PlantMessages(name, "p1", 11);
  auto p2 = PlantMessages(name, "p2", 13, 100);
  std::vector<PubMessage> all = p1;
  all.insert(all.end(), p2.begin(), p2.end());
  auto client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PahoPublish(all);
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().received == 24; }, 10s));
    ASSERT_TRUE(rc.Stop().ok());
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(Flushes(s, FlushReason::kShutdown), 2u);
    EXPECT_EQ(s.acks_released, 24u);
  }
  ExpectExactlyOnce(ReadBucket(*client, name + "-p1"), p1);
  ExpectExactlyOnce(ReadBucket(*client, name + "-p2"), p2);
  EXPECT_EQ(DrainSession(name, name + "/#", 1500ms), 0u) << "all acked before DISCONNECT";
}

TEST(ConverterBatchingTest, AFullUploadQueueHoldsBatchesWithoutLoss) {
  const std::string name = UniqueName("full");
  ConverterOptions o = PlantOptions(name);
  o.batcher.default_policy.max_messages = 5;
  o.uploader.max_concurrent_uploads = 1;
  o.uploader.max_queued_uploads = 1;
  auto msgs = PlantMessages(name, "p1", 200);
  auto client = MakeClient(o.s3);
  RunningConverter rc(o);
  PahoPublish(msgs);
  ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 200; }, 60s))
      << "stored " << rc.conv().stats().messages_uploaded;
  ConverterStats s = rc.conv().stats();
  EXPECT_GT(s.upload_blocked, 0u) << "40 batches through a queue of one must have waited";
  EXPECT_EQ(s.batches_uploaded, 40u);
  EXPECT_EQ(s.acks_released, 200u);
  ExpectExactlyOnce(ReadBucket(*client, name + "-p1"), msgs);
}

// The use case at test scale: 3 plants x 10 devices x 3,000 rounds = 30,000 messages per
// plant; one bucket per plant; objects of 10,000 messages whose names carry the first and last
// event time (the payload's weldspot Timestamp, one simulated second per round).
TEST(ConverterBatchingTest, WeldingPlantsGetTenThousandMessageObjectsNamedByTimeRange) {
  const std::string root = UniqueName("weld");
  ConverterOptions o = BaseOptions(root);
  o.session.subscriptions = {{root + "/#", mqtt::QoS::kAtLeastOnce}};
  route::RouteOptions r = MakeRoute(root + "/+/+/+/+/+/+",
                                    "{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}",
                                    "{root}-plant-{plant}", "{first:%Y/%m/%d/%H}/{object_name}");
  r.time_field = "/weldspot/Timestamp";
  r.time_format = "%Y%m%d %H%M%S";
  r.index_key = "{device}/{type}/{version}/{json:/weldspot/Timestamp}";
  o.router.routes.push_back(r);
  o.batcher.default_policy.max_messages = 10000;
  auto client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PublishWelding("--root " + root + " --plants 3 --devices 10 --count 3000 --qos 1 " +
                   "--start '20181001 170000' --step 1 --timeout 300");
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 90000; }, 180s))
        << "stored " << rc.conv().stats().messages_uploaded;
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.batches_uploaded, 9u);
    EXPECT_EQ(Flushes(s, FlushReason::kCount), 9u);
    EXPECT_EQ(s.event_time_fallbacks, 0u);
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS of the test process (converter in-process): %ld MiB\n",
                ru.ru_maxrss / 1024);
  }
  for (int plant = 1; plant <= 3; ++plant) {
    std::string bucket = root + "-plant-" + std::to_string(plant);
    s3::ListObjectsRequest data_only;
    data_only.prefix = "2018/";
    auto list = client->ListAllObjects(bucket, data_only);
    ASSERT_TRUE(list) << bucket;
    ASSERT_EQ(list.value().objects.size(), 3u) << bucket;
    s3::ListObjectsRequest indexes;
    indexes.prefix = "_index/";
    auto idx = client->ListAllObjects(bucket, indexes);
    ASSERT_TRUE(idx) << bucket;
    EXPECT_EQ(idx.value().objects.size(), 3u) << "a companion index per 10,000-message object";
    std::set<int64_t> firsts;
    for (const auto& obj : list.value().objects) {
      EXPECT_EQ(obj.key.rfind("2018/10/01/17/", 0), 0u) << obj.key;
      auto parts = route::ParseObjectName(obj.key);
      ASSERT_TRUE(parts.ok()) << obj.key << ": " << parts.status().ToString();
      // 1,000 rounds of 10 devices per object: last = first + 999 s.
      EXPECT_EQ(parts->last_ms - parts->first_ms, 999'000) << obj.key;
      firsts.insert(parts->first_ms);
      auto head = client->HeadObject(bucket, obj.key);
      ASSERT_TRUE(head);
      EXPECT_EQ(head.value().metadata.at("mqtt2s3-count"), "10000");
      EXPECT_TRUE(client->HeadObject(bucket, "_index/" + obj.key + ".idx"))
          << "companion index of " << obj.key;
    }
    const int64_t start_ms = 1538413200000;  // 2018-10-01 17:00:00 UTC
    EXPECT_EQ(firsts, (std::set<int64_t>{start_ms, start_ms + 1000'000, start_ms + 2000'000}));
  }
}

}  // namespace
}  // namespace mqtt2s3::converter
