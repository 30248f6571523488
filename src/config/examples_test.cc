// Every config in examples/ must load: they are what operators copy.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/config_loader.h"
#include "config/config_render.h"
#include "config/fake_environment.h"
#include "route/router.h"

namespace mqtt2s3::config {
namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(MQTT2S3_SOURCE_DIR) / "examples";

FakeEnvironment ExampleEnv() {
  return FakeEnvironment(FakeEnvironment::Map{{"S3_ACCESS_KEY", "example-access"},
                          {"S3_SECRET_KEY", "example-secret"},
                          {"AWS_ACCESS_KEY_ID", "example-access"},
                          {"AWS_SECRET_ACCESS_KEY", "example-secret"},
                          {"MQTT_PASSWORD", "example-password"}});
}

TEST(ExamplesTest, EveryExampleConfigLoadsAndBuildsARouter) {
  FakeEnvironment env = ExampleEnv();
  LoadOptions o;
  o.env = &env;
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".yaml" && entry.path().extension() != ".yml") continue;
    auto c = LoadConfigFile(entry.path().string(), o);
    ASSERT_TRUE(c.ok()) << c.status().message();
    auto router = route::Router::Create(c->MakeRouterOptions());
    EXPECT_TRUE(router.ok()) << entry.path() << ": " << router.status().ToString();
    EXPECT_FALSE(DumpEffective(*c).empty());
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

TEST(ExamplesTest, ConverterExampleRoutesTheWeldingTopic) {
  FakeEnvironment env = ExampleEnv();
  LoadOptions o;
  o.env = &env;
  auto c = LoadConfigFile((kExamples / "converter.yaml").string(), o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->broker.host, "127.0.0.1");
  EXPECT_EQ(c->broker.port, 1883);
  EXPECT_EQ(c->s3.endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(c->s3.access_key.value(), "example-access");
  EXPECT_EQ(c->s3.secret_key.value(), "example-secret");
  auto router = route::Router::Create(c->MakeRouterOptions());
  ASSERT_TRUE(router.ok()) << router.status().ToString();
  route::RouteResult r;
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795313405));
  ASSERT_TRUE(router->Route("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1",
                            R"({"weldspot":{"Timestamp":"2026-11-22T02:10:05.123Z"}})", t, 5, &r))
      << r.detail;
  EXPECT_EQ(r.bucket, "company-x-plant-1");
  // {first:%Y/%m/%d} is a directory: the message's own event day partitions it.
  EXPECT_EQ(r.partial_key(), "WELDING-STATION-12/WELD/1/2026/11/22/{8}");
  EXPECT_TRUE(r.event_time_from_payload);
  EXPECT_EQ(r.event_time_ms, 1795313405123);
  EXPECT_EQ(c->upload.concurrency, 8);
  EXPECT_EQ(c->FlushPolicyFor(0).max_messages, 10000u);
}

TEST(ExamplesTest, WeldingExampleBatchesPerPlantNamedByEventTime) {
  FakeEnvironment env = ExampleEnv();
  LoadOptions o;
  o.env = &env;
  auto c = LoadConfigFile((kExamples / "welding.yaml").string(), o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->broker.receive_maximum, 65535u);
  EXPECT_EQ(c->subscriptions.at(0).filter, "COMPANY-X/#");
  EXPECT_EQ(c->subscriptions.at(0).qos, 1);
  EXPECT_EQ(c->flush.control_topic, "mqtt2s3/flush");
  const batch::FlushPolicy p = c->FlushPolicyFor(0);
  EXPECT_EQ(p.max_messages, 10000u);
  EXPECT_EQ(p.max_age, std::chrono::seconds(60));
  EXPECT_EQ(p.max_bytes, size_t{64} << 20);
  auto router = route::Router::Create(c->MakeRouterOptions());
  ASSERT_TRUE(router.ok()) << router.status().ToString();
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795313405));
  route::RouteResult a, b, other;
  ASSERT_TRUE(router->Route("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1",
                            R"({"weldspot":{"Timestamp":"20181001 170000"}})", t, 1, &a))
      << a.detail;
  ASSERT_TRUE(router->Route("COMPANY-X/JSON/0/1/WELDING-STATION-13/WELD/1",
                            R"({"weldspot":{"Timestamp":"20181001 172739"}})", t, 2, &b))
      << b.detail;
  ASSERT_TRUE(router->Route("COMPANY-X/JSON/0/2/WELDING-STATION-12/WELD/1",
                            R"({"weldspot":{"Timestamp":"20181001 170000"}})", t, 3, &other))
      << other.detail;
  EXPECT_EQ(a.bucket, "company-x-plant-1");
  EXPECT_EQ(a.partition, b.partition);  // one partition per plant
  EXPECT_NE(a.partition, other.partition);
  std::string key;
  ASSERT_TRUE(router->RenderObjectKey(0, a.partial_key(),
                                      {a.event_time_ms, b.event_time_ms, 0, 2}, &key)
                  .ok());
  EXPECT_EQ(key,
            "2018/10/01/17/20181001T170000.000Z_20181001T172739.000Z_welding-1_0000000000.jsonl");
}

}  // namespace
}  // namespace mqtt2s3::config
