// The batching, flush, upload and service sections, per-route batch overrides and event-time
// keys of routes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/config_render.h"
#include "config/fake_environment.h"

namespace mqtt2s3::config {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr std::string_view kTwoRoutes = R"(subscriptions:
  - filter: "plant/#"
s3:
  endpoint: http://127.0.0.1:8000
routes:
  - name: fast
    filter: "plant/fast/#"
    time_field: /ts
    time_format: unix_ms
    batch:
      max_messages: 500
      max_age: 5s
  - name: rest
    filter: "plant/#"
    time_field: /t
    time_format: "%Y%m%d %H%M%S"
    time_zone: "+01:00"
)";

StatusOr<Config> Load(std::string_view yaml) {
  static const FakeEnvironment env(FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "a"},
                                                        {"AWS_SECRET_ACCESS_KEY", "b"}});
  LoadOptions o;
  o.env = &env;
  return LoadConfigFromString(yaml, "t.yaml", o);
}

std::string LoadError(std::string_view yaml) {
  auto c = Load(yaml);
  EXPECT_FALSE(c.ok()) << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(ConfigBatchTest, SectionsHaveTheDocumentedDefaults) {
  auto c = Load(kTwoRoutes);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->batch.max_messages, 10000u);
  EXPECT_EQ(c->batch.max_bytes, 64u << 20);
  EXPECT_EQ(c->batch.max_age, 60s);
  EXPECT_EQ(c->batch.max_buffered_bytes, 256u << 20);
  EXPECT_EQ(c->flush.control_topic, "");
  EXPECT_EQ(c->flush.user_property, "mqtt2s3-flush");
  EXPECT_EQ(c->upload.concurrency, 8);
  EXPECT_EQ(c->upload.max_queued, 64);
  EXPECT_EQ(c->upload.multipart_threshold, 16u << 20);
  EXPECT_EQ(c->upload.part_size, 8u << 20);
  EXPECT_EQ(c->upload.retry_initial, 200ms);
  EXPECT_EQ(c->upload.retry_max, 30s);
  EXPECT_EQ(c->upload.retry_max_attempts, 10);
  EXPECT_EQ(c->upload.parked_retry_interval, 30s);
  EXPECT_EQ(c->service.shutdown_grace, 30s);
  const batch::BatcherOptions b = c->MakeBatcherOptions();
  EXPECT_EQ(b.max_buffered_bytes, size_t{256} << 20);
  EXPECT_EQ(b.default_policy, batch::FlushPolicy{});
  EXPECT_TRUE(b.Validate().ok());
}

TEST(ConfigBatchTest, RouteOverridesReplaceOnlyTheFieldsTheyName) {
  auto c = Load(std::string(kTwoRoutes) + "batch: {max_bytes: 1MiB, max_age: 2m}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const batch::FlushPolicy fast = c->FlushPolicyFor(0);
  EXPECT_EQ(fast.max_messages, 500u);
  EXPECT_EQ(fast.max_bytes, size_t{1} << 20);  // global
  EXPECT_EQ(fast.max_age, 5s);
  const batch::FlushPolicy rest = c->FlushPolicyFor(1);
  EXPECT_EQ(rest.max_messages, 10000u);
  EXPECT_EQ(rest.max_bytes, size_t{1} << 20);
  EXPECT_EQ(rest.max_age, 2min);
  EXPECT_EQ(c->FlushPolicyFor(99), rest);  // no such route: the global policy
  EXPECT_EQ(c->routes[0].time_field, "/ts");
  EXPECT_EQ(c->routes[0].time_format, "unix_ms");
  EXPECT_EQ(c->routes[1].time_zone, "+01:00");
  EXPECT_EQ(c->routes[1].time_format, "%Y%m%d %H%M%S");
}

TEST(ConfigBatchTest, EffectiveDumpKeepsOverridesAndLoadsAgain) {
  auto c = Load(std::string(kTwoRoutes) +
                "flush: {control_topic: mqtt2s3/flush}\nupload: {concurrency: 3}\n"
                "service: {shutdown_grace: 10s}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const std::string dump = DumpEffective(*c);
  EXPECT_THAT(dump, HasSubstr("max_messages: 500"));
  EXPECT_THAT(dump, HasSubstr("control_topic: \"mqtt2s3/flush\""));
  auto again = Load(dump);
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << dump;
  EXPECT_EQ(again->FlushPolicyFor(0), c->FlushPolicyFor(0));
  EXPECT_EQ(again->FlushPolicyFor(1), c->FlushPolicyFor(1));
  EXPECT_EQ(again->upload.concurrency, 3);
  EXPECT_EQ(again->service.shutdown_grace, 10s);
  EXPECT_EQ(DumpEffective(*again), dump);
}

TEST(ConfigBatchTest, KeysThatAreNotUniquePerBatchAreRejectedWithRouteAndTemplate) {
  EXPECT_THAT(LoadError(R"(subscriptions: [{filter: a}]
s3: {endpoint: "http://h"}
routes:
  - name: plants
    filter: a
    key: "{first:%Y/%m/%d}/data.jsonl"
)"),
              HasSubstr("t.yaml:6:10: key 'routes[0].key': route 'plants': template "
                        "'{first:%Y/%m/%d}/data.jsonl' does not make keys unique per batch; add "
                        "{object_name}"));
  EXPECT_THAT(LoadError(R"(subscriptions: [{filter: a}]
s3: {endpoint: "http://h"}
routes: [{name: r, filter: a, key: "{topic}/{instance}-{seq}"}]
)"),
              HasSubstr("key 'routes[0].key': template '{topic}/{instance}-{seq}' column 20: "
                        "{seq} numbers single messages"));
}

TEST(ConfigBatchTest, BadValuesNameTheirKey) {
  struct Case {
    std::string extra;
    std::string want;
  };
  const Case cases[] = {
      {"upload: {part_size: 1MiB}\n", "key 'upload.part_size': expected a size 5MiB..5GiB"},
      {"upload: {retry_initial: 1m, retry_max: 1s}\n",
       "key 'upload.retry_initial': must not be greater than upload.retry_max"},
      {"upload: {concurrency: 0}\n", "key 'upload.concurrency': expected an integer 1..256"},
      {"flush: {control_topic: \"mqtt2s3/#\"}\n", "key 'flush.control_topic': must be a topic name"},
      {"flush: {control_topic: \"$share/g/f\"}\n", "key 'flush.control_topic': must not start with '$'"},
      {"batch: {max_messages: 0, max_bytes: 0}\n", "key 'batch.max_messages': at least one of"},
      {"batch: {max_bytes: 1GiB}\n", "key 'batch.max_bytes': must not exceed batch.max_buffered_bytes"},
      {"batch: {max_buffered_bytes: 1KiB}\n", "key 'batch.max_buffered_bytes': expected a size"},
      {"s3: {upload_concurrency: 4}\n", "key 's3.upload_concurrency': unknown key"},
  };
  for (const Case& c : cases) {
    std::string yaml(kTwoRoutes);
    // A section written twice would be a duplicate key: put s3 extras into the existing map.
    if (c.extra.rfind("s3:", 0) == 0) {
      yaml.replace(yaml.find("  endpoint:"), 0, "  upload_concurrency: 4\n");
    } else {
      yaml += c.extra;
    }
    EXPECT_THAT(LoadError(yaml), HasSubstr(c.want)) << c.extra;
  }
  std::string yaml(kTwoRoutes);
  yaml.replace(yaml.find("      max_age: 5s"), 0, "      max_bytes: 0\n      max_messages: 0\n");
  // max_messages is then given twice for route 0: a duplicate key error names it.
  EXPECT_THAT(LoadError(yaml), HasSubstr("routes[0].batch.max_messages"));
  yaml = std::string(kTwoRoutes);
  yaml.replace(yaml.find("      max_messages: 500"), 23, "      max_messages: 0\n      max_bytes: 0");
  EXPECT_THAT(LoadError(yaml), HasSubstr("key 'routes[0].batch.max_messages': at least one of "
                                         "max_messages and max_bytes must be non-zero for route "
                                         "'fast'"));
  yaml = std::string(kTwoRoutes);
  yaml.replace(yaml.find("unix_ms"), 7, "\"%H:%M\"");
  EXPECT_THAT(LoadError(yaml), HasSubstr("key 'routes[0].time_format': time format '%H:%M'"));
  yaml = std::string(kTwoRoutes);
  yaml.replace(yaml.find("+01:00"), 6, "CET");
  EXPECT_THAT(LoadError(yaml), HasSubstr("key 'routes[1].time_zone': time zone 'CET'"));
}

}  // namespace
}  // namespace mqtt2s3::config
