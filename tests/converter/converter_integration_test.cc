// The converter against the real dev stack (mosquitto + Ceph RGW): acks go out only after a
// message's object is stored, nothing is acked while S3 is down, hostile topics stay inside
// the route's prefix, what cannot be routed is dead-lettered, and wrong credentials stop it at
// start. Messages are published by Paho, independent of our MQTT code.
#include <gtest/gtest.h>

#include <set>

#include "converter_test_util.h"
#include "stack_env.h"

namespace mqtt2s3::converter {
namespace {

using namespace testutil;
using testing::UniqueName;

TEST(ConverterIntegrationTest, EveryMessageIsStoredOnceAndAckedAfterUpload) {
  const std::string name = UniqueName("conv");
  ConverterOptions o = BaseOptions(name);
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/+/+", "{root}/{plant}/{device}", "{root}-{plant}",
                                      "{device}/{object_name}"));
  o.batcher.default_policy.max_messages = 10;  // 3 devices x 10 messages: one object each
  std::vector<PubMessage> msgs;
  for (int i = 0; i < 30; ++i) {
    msgs.push_back({name + "/p1/dev" + std::to_string(i % 3),
                    "{\"seq\":" + std::to_string(i) + ",\"v\":\"x\"}", ""});
  }
  auto client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PahoPublish(msgs);
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 30; }, 30s))
        << "uploaded " << rc.conv().stats().messages_uploaded;
    ASSERT_TRUE(rc.Stop().ok());
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.received, 30u);
    EXPECT_EQ(s.batches_uploaded, 3u);
    EXPECT_EQ(s.acks_released, 30u);
    EXPECT_EQ(s.dead_lettered, 0u);
    EXPECT_EQ(s.flushes[static_cast<size_t>(batch::FlushReason::kCount)], 3u);
  }
  auto objects = ReadBucket(*client, name + "-p1");
  ASSERT_EQ(objects.size(), 3u);
  std::multiset<std::string> stored;
  for (const auto& [key, body] : objects) {
    std::vector<std::string> lines = Lines(body);
    EXPECT_EQ(lines.size(), 10u) << key;
    std::string device = key.substr(0, key.find('/'));
    int last = -1;
    for (const std::string& line : lines) {
      stored.insert(line);
      // Arrival order is kept within a partition (one device here).
      int seq = std::stoi(line.substr(7));
      EXPECT_GT(seq, last) << key;
      EXPECT_EQ("dev" + std::to_string(seq % 3), device) << key;
      last = seq;
    }
  }
  std::multiset<std::string> published;
  for (const auto& m : msgs) published.insert(m.payload);
  EXPECT_EQ(stored, published) << "every message in exactly one object, byte for byte";
  // Every ack went out before the DISCONNECT: the session has nothing left to redeliver.
  EXPECT_EQ(DrainSession(name, name + "/#", 1500ms), 0u);
}

TEST(ConverterIntegrationTest, BatchesRefusedForGoodAllReachTheDeadLetterBucketThroughOneSlot) {
  // One upload slot and many batches: every refused batch's dead-letter copy must get past
  // the batches still waiting to be encoded (they wait for the very slots the copies hold).
  const std::string name = UniqueName("refused");
  ConverterOptions o = BaseOptions(name);
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(
      MakeRoute(name + "/+", "{root}/{device}", "{root}-missing", "{device}/{object_name}"));
  o.batcher.default_policy.max_messages = 10;
  o.uploader.create_buckets = false;  // the route's bucket does not exist: NoSuchBucket, for good
  o.uploader.max_concurrent_uploads = 1;
  auto client = MakeClient(o.s3);
  ASSERT_TRUE(client->CreateBucket(o.dead_letter_bucket).ok());
  std::vector<PubMessage> msgs;
  for (int i = 0; i < 120; ++i) {
    msgs.push_back({name + "/dev" + std::to_string(i % 2), "{\"seq\":" + std::to_string(i) + "}",
                    ""});
  }
  {
    RunningConverter rc(o);
    PahoPublish(msgs);
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().dead_lettered == 120; }, 60s))
        << "dead-lettered " << rc.conv().stats().dead_lettered;
    ASSERT_TRUE(rc.Stop().ok());
    EXPECT_EQ(rc.conv().stats().messages_uploaded, 0u);
  }
  auto objects = ReadBucket(*client, o.dead_letter_bucket);
  EXPECT_EQ(objects.size(), 12u);
  std::multiset<std::string> stored;
  for (const auto& [key, body] : objects) {
    for (const std::string& line : Lines(body)) stored.insert(line);
  }
  std::multiset<std::string> published;
  for (const auto& m : msgs) published.insert(m.payload);
  EXPECT_EQ(stored, published) << "every refused message kept once, byte for byte";
}

TEST(ConverterIntegrationTest, OnUploadNothingIsAckedWhileS3IsUnreachable) {
  const std::string name = UniqueName("down");
  ConverterOptions o = BaseOptions(name);
  o.ack_mode = AckMode::kOnUpload;
  o.s3.endpoint = "http://127.0.0.1:1";  // nothing listens there
  o.s3.connect_timeout = 200ms;
  o.uploader.retry.initial_backoff = 20ms;
  o.uploader.retry.max_backoff = 100ms;
  o.shutdown_grace = 1500ms;
  o.batcher.default_policy.max_messages = 1;
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/#", "", "b-" + name, "{topic}/{object_name}"));
  {
    RunningConverter rc(o);
    PahoPublish({{name + "/a", "1", ""}, {name + "/b", "2", ""}, {name + "/c", "3", ""}});
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().received == 3; }, 10s));
    ASSERT_TRUE(rc.Stop().ok());
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.messages_uploaded, 0u);
    EXPECT_EQ(s.acks_released, 0u);
    EXPECT_EQ(s.left_unacked, 3u);
  }
  // The broker still holds all three for the session: nothing was lost.
  EXPECT_EQ(DrainSession(name, name + "/#", 2s), 3u);
}

TEST(ConverterIntegrationTest, OnWalAcksWhileS3IsDownAndTheNextRunUploadsFromTheLog) {
  const std::string name = UniqueName("wal");
  ConverterOptions o = BaseOptions(name);
  ASSERT_EQ(o.ack_mode, AckMode::kOnWal) << "the default";
  const std::string good_endpoint = o.s3.endpoint;
  o.s3.endpoint = "http://127.0.0.1:1";  // S3 down for the first run
  o.s3.connect_timeout = 200ms;
  o.uploader.retry.initial_backoff = 20ms;
  o.uploader.retry.max_backoff = 100ms;
  o.shutdown_grace = 1500ms;
  o.batcher.default_policy.max_messages = 2;  // a batch of 2 (count), then 1 (shutdown)
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/#", "", "b-" + name, "{object_name}"));
  {
    RunningConverter rc(o);
    PahoPublish({{name + "/a", "1", ""}, {name + "/a", "2", ""}, {name + "/a", "3", ""}});
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().acks_released == 3; }, 10s))
        << "acked once logged, although S3 is down";
    ASSERT_TRUE(rc.Stop().ok());
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.messages_uploaded, 0u);
    EXPECT_EQ(s.wal_appended, 3u);
  }
  // The broker holds nothing more: the log is now responsible for the three.
  EXPECT_EQ(DrainSession(name, name + "/#", 1500ms), 0u);

  // Second run, S3 back: the log is replayed and uploaded before anything new.
  o.s3.endpoint = good_endpoint;
  {
    RunningConverter rc(o);
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 3; }, 20s))
        << "uploaded " << rc.conv().stats().messages_uploaded;
    ASSERT_TRUE(rc.Stop().ok());
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.recovered_messages, 3u);
    // Both batches were sealed in the first run (count trigger, then shutdown) and come back
    // whole: the same two objects the first run would have stored.
    EXPECT_EQ(s.recovered_batches, 2u);
    EXPECT_EQ(s.wal_commits, 2u);
  }
  auto client = MakeClient(o.s3);
  auto objects = ReadBucket(*client, "b-" + name);
  std::multiset<std::string> stored;
  for (const auto& [key, body] : objects) {
    for (const std::string& line : Lines(body)) stored.insert(line);
  }
  EXPECT_EQ(stored, (std::multiset<std::string>{"1", "2", "3"}));
  EXPECT_EQ(objects.size(), 2u);
  // Everything committed: a third run finds nothing to recover.
  {
    RunningConverter rc(o);
    ASSERT_TRUE(rc.Stop().ok());
    EXPECT_EQ(rc.conv().stats().recovered_messages, 0u);
  }
}

TEST(ConverterIntegrationTest, HostileTopicLevelsStayInsideTheRoutePrefix) {
  const std::string name = UniqueName("hostile");
  ConverterOptions o = BaseOptions(name);
  o.batcher.default_policy.max_messages = 1;
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/+/+", "{root}/{plant}/{device}", "{root}",
                                      "data/{plant}/{device}/{object_name}"));
  const std::vector<std::string> devices = {"..", ".", "", "%2F%2E%2E", "a\\b",
                                            "Schwei\xC3\x9F" "ger\xC3\xA4t-\xE2\x9C\x93",
                                            std::string(600, 'x')};
  std::vector<PubMessage> msgs;
  for (const auto& d : devices) msgs.push_back({name + "/p/" + d, "{}", ""});
  msgs.push_back({name + "/p/ok/extra-level", "{}", ""});  // matches no route
  auto client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PahoPublish(msgs);
    ASSERT_TRUE(WaitFor([&] {
      auto s = rc.conv().stats();
      return s.messages_uploaded + s.dead_lettered == msgs.size();
    }, 30s));
    ASSERT_TRUE(rc.Stop().ok());
    EXPECT_EQ(rc.conv().stats().acks_released, msgs.size());
  }
  auto stored = ReadBucket(*client, name);
  auto dead = ReadBucket(*client, name + "-dlq");
  EXPECT_EQ(stored.size() + dead.size(), msgs.size()) << "nothing dropped";
  EXPECT_GE(stored.size(), 5u);
  for (const auto& [key, body] : stored) {
    EXPECT_EQ(key.rfind("data/p/", 0), 0u) << key;
    EXPECT_EQ(key.find("/../"), std::string::npos) << key;
    EXPECT_EQ(key.find("/./"), std::string::npos) << key;
    EXPECT_EQ(key.find("//"), std::string::npos) << key;
    EXPECT_LE(key.size(), 1024u);
  }
  std::set<std::string> reasons;
  for (const auto& [key, body] : dead) reasons.insert(key.substr(0, key.find('/', 12)));
  EXPECT_TRUE(reasons.count("dead-letter/no_route")) << "the extra-level topic";
  EXPECT_TRUE(reasons.count("dead-letter/invalid_key")) << "the 600-byte level";
}

TEST(ConverterIntegrationTest, WrongSecretKeyFailsAtStartWithoutLeakingIt) {
  const std::string name = UniqueName("badkey");
  ConverterOptions o = BaseOptions(name);
  o.s3.secret_key = "wrong-secret-key-0123456789";
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/#", "", "", "{topic}/{object_name}"));
  Converter conv(o, MakeClient(o.s3));
  Status st = conv.Run(false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied) << st.ToString();
  EXPECT_NE(st.message().find("SignatureDoesNotMatch"), std::string::npos) << st.ToString();
  EXPECT_EQ(st.message().find(o.s3.secret_key), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::converter
