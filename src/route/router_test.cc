#include "route/router.h"

#include <gtest/gtest.h>

#include <string>

#include "alloc_counter.h"
#include "route/key_sanitizer.h"

namespace mqtt2s3::route {
namespace {

const auto kTime = std::chrono::system_clock::time_point(std::chrono::seconds(1795313405));
constexpr std::string_view kWeldTopic = "COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1";
constexpr std::string_view kWeldPayload = R"({"weldspot":{"Timestamp":"2026-11-22T02:10:05Z"}})";

RouteOptions WeldingRoute() {
  RouteOptions r;
  r.name = "welding";
  r.filter = "+/JSON/+/+/+/WELD/#";
  r.pattern = "{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}";
  r.bucket = "{root}-plant-{plant}";
  r.key = "{device}/{type}/{version}/{json:/weldspot/Timestamp}/{object_name}";
  r.time_field = "/weldspot/Timestamp";
  return r;
}

Router MakeRouter(std::vector<RouteOptions> routes) {
  RouterOptions o;
  o.routes = std::move(routes);
  o.instance_id = "gw-1";
  auto r = Router::Create(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(*r);
}

TEST(RouterTest, RoutesTheWeldingTopicToItsBucketAndKey) {
  Router router = MakeRouter({WeldingRoute()});
  RouteResult r;
  ASSERT_TRUE(router.Route(kWeldTopic, kWeldPayload, kTime, 7, &r)) << r.detail;
  EXPECT_EQ(r.route_index, 0);
  EXPECT_EQ(r.bucket, "company-x-plant-1");
  EXPECT_EQ(r.partition, "company-x-plant-1/WELDING-STATION-12/WELD/1/2026-11-22T02:10:05Z/{8}");
  EXPECT_EQ(r.event_time_ms, 1795313405000);
  EXPECT_TRUE(r.event_time_from_payload);
}

TEST(RouterTest, FirstMatchingRouteWins) {
  RouteOptions a;
  a.name = "specific";
  a.filter = "$share/g/plant/7/#";
  a.bucket = "special";
  a.key = "{route}/{object_name}";
  RouteOptions b;
  b.name = "catch-all";
  b.filter = "#";
  b.key = "{route}/{topic}/{object_name}";
  Router router = MakeRouter({a, b});
  RouteResult r;
  ASSERT_TRUE(router.Route("plant/7/x", "", kTime, 1, &r)) << r.detail;
  EXPECT_EQ(r.route_index, 0);
  EXPECT_EQ(r.bucket, "special");
  EXPECT_EQ(r.partial_key(), "specific/{2}");
  ASSERT_TRUE(router.Route("Plant_8/x", "", kTime, 1, &r)) << r.detail;
  EXPECT_EQ(r.route_index, 1);
  EXPECT_EQ(r.bucket, "plant-8");  // default bucket: first level made a bucket name
  EXPECT_EQ(r.partial_key(), "catch-all/Plant_8/x/{4}");
}

TEST(RouterTest, UnmatchedTopicIsNoRoute) {
  Router router = MakeRouter({WeldingRoute()});
  RouteResult r;
  EXPECT_FALSE(router.Route("other/topic", "{}", kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kNoRoute);
  EXPECT_EQ(r.route_index, -1);
  EXPECT_NE(r.detail.find("other%2Ftopic"), std::string::npos) << r.detail;
  // '#' does not match '$SYS' topics.
  Router all = MakeRouter({[] {
    RouteOptions o;
    o.name = "all";
    o.filter = "#";
    return o;
  }()});
  EXPECT_FALSE(all.Route("$SYS/broker/load", "", kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kNoRoute);
}

TEST(RouterTest, RenderFailuresKeepTheRouteIndexAndNameTheTemplate) {
  Router router = MakeRouter({WeldingRoute()});
  RouteResult r;
  EXPECT_FALSE(router.Route(kWeldTopic, R"({"weldspot":{}})", kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kMissingField);
  EXPECT_EQ(r.route_index, 0);
  EXPECT_NE(r.detail.find("key template '{device}"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("{json:/weldspot/Timestamp}"), std::string::npos) << r.detail;

  EXPECT_FALSE(router.Route(kWeldTopic, "garbage", kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kInvalidJson);
}

TEST(RouterTest, HostileTopicsNeverProduceInvalidBucketsOrKeys) {
  RouteOptions o;
  o.name = "any";
  o.filter = "#";
  o.bucket = "data-{level:1}";
  o.key = "in/{level:0}/{level:2}/{object_name}";
  Router router = MakeRouter({o});
  RouteResult r;
  struct Case {
    std::string topic;
    DeadLetterReason reason;
    std::string key;
  };
  const Case cases[] = {
      {"../x/..", DeadLetterReason::kNone, "in/%2E%2E/%2E%2E/{5}"},
      {"a/x/%", DeadLetterReason::kNone, "in/a/%25/{5}"},
      {"a/X/\xE6\x97\xA5", DeadLetterReason::kNone, "in/a/\xE6\x97\xA5/{5}"},
      {"/x/", DeadLetterReason::kNone, "in/_/_/{5}"},
      {std::string("a\0b/x/c", 7), DeadLetterReason::kNone, "in/a%00b/c/{5}"},
      {"a/x_y/c", DeadLetterReason::kInvalidBucket, ""},
      {"a/x-/c", DeadLetterReason::kInvalidBucket, ""},
      {"a//c", DeadLetterReason::kInvalidBucket, ""},
      {"a/1.2/c", DeadLetterReason::kNone, "in/a/c/{5}"},
      {"a/" + std::string(100, 'b') + "/c", DeadLetterReason::kInvalidBucket, ""},
      {"a/x/" + std::string(2000, 'c'), DeadLetterReason::kInvalidKey, ""},
      {"a/x", DeadLetterReason::kMissingField, ""},
  };
  for (const auto& c : cases) {
    router.Route(c.topic, "", kTime, 1, &r);
    EXPECT_EQ(r.reason, c.reason) << c.topic.substr(0, 40) << ": " << r.detail;
    if (c.reason == DeadLetterReason::kNone) {
      EXPECT_EQ(r.partial_key(), c.key);
      EXPECT_TRUE(BucketNameProblem(r.bucket).empty()) << r.bucket;
    } else {
      EXPECT_FALSE(r.detail.empty());
    }
  }
}

TEST(RouterTest, DefaultBucketThatCannotBeFixedIsInvalidBucket) {
  RouteOptions o;
  o.name = "any";
  o.filter = "#";
  Router router = MakeRouter({o});
  RouteResult r;
  EXPECT_FALSE(router.Route("ab/c", "", kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kInvalidBucket);
  EXPECT_NE(r.detail.find("shorter than 3"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("first level"), std::string::npos) << r.detail;
}

TEST(RouterTest, CreateRejectsBadOptionsWithTheField) {
  RouterOptions o;
  o.instance_id = "gw-1";
  o.routes = {WeldingRoute(), WeldingRoute()};
  auto dup = Router::Create(o);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("used by an earlier route"), std::string::npos);

  RouteOptions bad = WeldingRoute();
  bad.pattern = "{root}/{topic}";
  std::string field;
  auto c = CompiledRoute::Compile(bad, &field);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(field, "pattern");
  EXPECT_NE(c.status().message().find("reserved"), std::string::npos);

  bad = WeldingRoute();
  bad.filter = "a/#/b";
  c = CompiledRoute::Compile(bad, &field);
  EXPECT_EQ(field, "filter");
  bad = WeldingRoute();
  bad.key = "{nope}";
  c = CompiledRoute::Compile(bad, &field);
  EXPECT_EQ(field, "key");
  bad = WeldingRoute();
  bad.payload = PayloadFormat::kRaw;
  c = CompiledRoute::Compile(bad, &field);
  EXPECT_EQ(field, "key");

  o.routes = {WeldingRoute()};
  o.instance_id = "a/b";
  EXPECT_FALSE(Router::Create(o).ok());
}

TEST(RouterTest, ClonesShareRoutesAndProduceTheSameResult) {
  Router a = MakeRouter({WeldingRoute()});
  Router b = a.Clone();
  RouteResult ra, rb;
  ASSERT_TRUE(a.Route(kWeldTopic, kWeldPayload, kTime, 3, &ra));
  ASSERT_TRUE(b.Route(kWeldTopic, kWeldPayload, kTime, 3, &rb));
  EXPECT_EQ(ra.partition, rb.partition);
  EXPECT_EQ(&a.route(0), &b.route(0));
}

TEST(RouterTest, ResultBuffersAreReusedAcrossMessages) {
  Router router = MakeRouter({WeldingRoute()});
  RouteResult r;
  ASSERT_TRUE(router.Route(kWeldTopic, kWeldPayload, kTime, 1, &r));
  const char* key_data = r.partition.data();
  for (uint64_t seq = 2; seq < 100; ++seq) {
    ASSERT_TRUE(router.Route(kWeldTopic, kWeldPayload, kTime, seq, &r));
  }
  EXPECT_EQ(r.partition.data(), key_data);  // same capacity: no reallocation per message
}

TEST(RouterTest, SteadyStateRoutingDoesNotAllocate) {
  RouteOptions time_route = WeldingRoute();
  time_route.name = "timed";
  time_route.filter = "timed/#";
  time_route.bucket = "timed-{level:1}";
  time_route.pattern.clear();
  time_route.key = "{topic}/{receive_time:%Y/%m/%d/%H}/{first:%Y/%m}/{instance}-{partition_seq}";
  time_route.time_format = "%Y-%m-%dT%H:%M:%SZ";
  Router router = MakeRouter({time_route, WeldingRoute()});
  RouteResult r;
  const std::string payload =
      R"({"weldspot":{"Timestamp":"2026-11-22T02:10:05Z","Current":[1,2,3]},"x":1})";
  // Warm up: the result strings and the parser reach their working capacity.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(router.Route(kWeldTopic, payload, kTime, 1, &r)) << r.detail;
    ASSERT_TRUE(router.Route("timed/a/b", payload, kTime, 1, &r)) << r.detail;
  }
  // Fallback paths too: a missing time field, and a payload that is not JSON at all.
  const std::string no_time = R"({"weldspot":{"Stamp":"x"},"x":1})";
  std::string key;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(router.Route("timed/a/b", "garbage", kTime, 1, &r)) << r.detail;
    ASSERT_TRUE(router.RenderObjectKey(0, r.partial_key(), {1, 2, 3, 4}, &key).ok());
    ASSERT_TRUE(router.Route("timed/a/b", no_time, kTime, 1, &r)) << r.detail;
    ASSERT_TRUE(router.Route(kWeldTopic, payload, kTime, 1, &r)) << r.detail;
    ASSERT_TRUE(router.RenderObjectKey(1, r.partial_key(), {1, 2, 3, 4}, &key).ok());
  }
  int64_t from_payload = 0, fallbacks = 0;
  const mqtt2s3::testing::AllocationScope scope;
  for (uint64_t seq = 0; seq < 1000; ++seq) {
    router.Route(kWeldTopic, payload, kTime + std::chrono::seconds(seq), seq, &r);
    from_payload += r.event_time_from_payload;
    (void)router.RenderObjectKey(1, r.partial_key(), {1, 2, seq, 4}, &key);
    router.Route("timed/a/b", seq % 2 ? payload : no_time, kTime + std::chrono::seconds(seq), seq,
                 &r);
    fallbacks += r.event_time_fallback;
    router.Route("timed/a/b", "garbage", kTime, seq, &r);
    fallbacks += r.event_time_fallback;
    (void)router.RenderObjectKey(0, r.partial_key(), {1, 2, seq, 4}, &key);
  }
  EXPECT_EQ(scope.count(), 0);
  EXPECT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(from_payload, 1000);
  EXPECT_EQ(fallbacks, 1500);
}


// The per-topic memo must not change any result: routes whose bucket or key read the payload,
// the receive time or the event time (time partition), topic-only ones, and dead letters.
std::vector<RouteOptions> MemoRoutes() {
  RouteOptions json_key = WeldingRoute();  // key reads {json:...}
  RouteOptions time_part = WeldingRoute();
  time_part.name = "time-partition";
  time_part.filter = "tp/+/+";
  time_part.pattern = "{root}/{plant}/{device}";
  time_part.bucket = "tp-{plant}";
  time_part.key = "{device}/{first:%Y/%m/%d/%H}/{object_name}";
  time_part.time_format = "%Y-%m-%dT%H:%M:%SZ";
  RouteOptions json_bucket;
  json_bucket.name = "json-bucket";
  json_bucket.filter = "jb/#";
  json_bucket.bucket = "jb-{json:/b}";
  json_bucket.key = "{topic}/{receive_time:%Y/%m/%d/%H/%M/%S}/{object_name}";
  RouteOptions topic_only;
  topic_only.name = "topic-only";
  topic_only.filter = "#";
  topic_only.key = "{route}/{topic}/{first}-{instance}-{partition_seq}";
  topic_only.index_key = "{json:/i}";
  return {json_key, time_part, json_bucket, topic_only};
}

bool SameResult(const RouteResult& a, const RouteResult& b) {
  return a.route_index == b.route_index && a.bucket == b.bucket && a.partition == b.partition &&
         a.event_time_ms == b.event_time_ms &&
         a.event_time_from_payload == b.event_time_from_payload &&
         a.event_time_fallback == b.event_time_fallback &&
         a.event_time_out_of_window == b.event_time_out_of_window && a.index_key == b.index_key &&
         a.dedupe_id == b.dedupe_id && a.reason == b.reason && a.detail == b.detail;
}

TEST(RouterMemoTest, ResultsAreIdenticalWithAndWithoutTheMemo) {
  Router plain = MakeRouter(MemoRoutes());
  plain.set_memo_capacity(0);
  Router memo = MakeRouter(MemoRoutes());
  ASSERT_EQ(memo.memo_capacity(), Router::kDefaultMemoCapacity);
  const std::vector<std::string> topics = {
      std::string(kWeldTopic), "COMPANY-X/JSON/0/2/WELDING-STATION-9/WELD/1",
      "tp/1/dev-a", "tp/2/dev-b", "tp/x..y/dev-c" /* invalid bucket */, "jb/a/b", "jb/c",
      "other/topic", "Bad_Bucket_x/y", "$SYS/x"};
  const std::vector<std::string> payloads = {
      R"({"weldspot":{"Timestamp":"2026-11-22T02:10:05Z"},"b":"one","i":"k1"})",
      R"({"weldspot":{"Timestamp":"2026-11-21T05:59:59Z"},"b":"two","i":7})",
      R"({"weldspot":{"Timestamp":"not a time"},"b":"Bad..Bucket"})",
      R"({"x":1})", "garbage", ""};
  int compared = 0, ok = 0, hits_possible = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto& topic : topics) {
      for (size_t p = 0; p < payloads.size(); ++p) {
        const auto t = kTime + std::chrono::minutes(37 * (round * 7 + static_cast<int>(p)));
        const uint64_t seq = static_cast<uint64_t>(round * 100 + p);
        RouteResult a, b;
        const bool ra = plain.Route(topic, payloads[p], t, seq, &a);
        const bool rb = memo.Route(topic, payloads[p], t, seq, &b);
        EXPECT_EQ(ra, rb) << topic << " " << payloads[p];
        EXPECT_TRUE(SameResult(a, b)) << topic << " " << payloads[p] << "\n"
                                      << a.partition << " | " << b.partition << "\n"
                                      << a.detail << " | " << b.detail;
        ++compared;
        ok += ra;
        hits_possible += round > 0 && ra;
      }
    }
  }
  EXPECT_EQ(compared, 3 * 10 * 6);
  EXPECT_GT(ok, 30);
  EXPECT_GT(hits_possible, 0);
  EXPECT_EQ(plain.memo_size(), 0u);
  EXPECT_GT(memo.memo_size(), 0u);
  EXPECT_LE(memo.memo_size(), topics.size());
}

TEST(RouterMemoTest, TimePartitionAndJsonAreRenderedPerMessage) {
  Router router = MakeRouter(MemoRoutes());
  RouteResult r;
  ASSERT_TRUE(router.Route("tp/1/dev-a", R"({"weldspot":{"Timestamp":"2026-11-22T02:10:05Z"}})",
                           kTime, 1, &r)) << r.detail;
  EXPECT_EQ(r.partition, "tp-1/dev-a/2026/11/22/02/{4}");
  ASSERT_TRUE(router.Route("tp/1/dev-a", R"({"weldspot":{"Timestamp":"2026-11-21T23:10:05Z"}})",
                           kTime, 2, &r)) << r.detail;
  EXPECT_EQ(r.partition, "tp-1/dev-a/2026/11/21/23/{4}");
  ASSERT_TRUE(router.Route("jb/a", R"({"b":"one"})", kTime, 3, &r)) << r.detail;
  EXPECT_EQ(r.bucket, "jb-one");
  ASSERT_TRUE(router.Route("jb/a", R"({"b":"two"})", kTime, 4, &r)) << r.detail;
  EXPECT_EQ(r.bucket, "jb-two");
  EXPECT_FALSE(router.Route("jb/a", R"({"c":"two"})", kTime, 5, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kMissingField);
  // Topic-only route: the memoised partition, a per-message index key.
  ASSERT_TRUE(router.Route("plant/a", R"({"i":"x"})", kTime, 6, &r)) << r.detail;
  const std::string partition = r.partition;
  ASSERT_TRUE(router.Route("plant/a", R"({"i":"y"})", kTime, 7, &r)) << r.detail;
  EXPECT_EQ(r.partition, partition);
  EXPECT_EQ(r.index_key, "y");
}

// A time-partitioned key is remembered per (topic, event-time period): the cached partition
// must equal a fresh render at every event time, across minute, hour, day, month and year
// boundaries and before the epoch, in whatever order the times come.
TEST(RouterMemoTest, TimePartitionedKeysMatchAFreshRenderAtEveryEventTime) {
  const std::vector<std::string> keys = {
      "{plant}/{first:%Y/%m/%d/%H}/{object_name}", "{first:%Y/%m/%d/%H/%M}/{device}/{first}-{object_name}",
      "d/{first:%Y-%m-%d}/{object_name}", "{first:%Y/%j}/x/{partition_seq}-{instance}",
      "{first:%Y}/{first:%m}/{plant}/{count}-{object_name}"};
  std::vector<RouteOptions> routes;
  for (size_t k = 0; k < keys.size(); ++k) {
    RouteOptions r;
    r.name = "tp" + std::to_string(k);
    r.filter = "t" + std::to_string(k) + "/+/+";
    r.pattern = "{root}/{plant}/{device}";
    r.bucket = "tp-{plant}";
    r.key = keys[k];
    r.time_field = "/t";  // absent from most payloads: the receive time is the event time
    r.time_format = "%Y-%m-%dT%H:%M:%SZ";
    routes.push_back(r);
  }
  Router plain = MakeRouter(routes);
  plain.set_memo_capacity(0);
  Router memo = MakeRouter(routes);
  const std::vector<int64_t> starts_ms = {1'795'313'405'000 /* 2026-11-22 */,
                                          1'798'761'590'000 /* 2026-12-31T23:59:50Z */,
                                          -90'000'000 /* 1969-12-30 */, -1, 0};
  // Steps that stay inside a minute, cross minutes, hours and days, and go backwards.
  const std::vector<int64_t> steps_ms = {1, 999, 7'001, 59'999, -61'000, 3'599'999, 86'400'000,
                                         -86'400'001, 13};
  int compared = 0, reused_possible = 0;
  for (size_t k = 0; k < keys.size(); ++k) {
    for (const int64_t start : starts_ms) {
      int64_t t = start;
      for (int i = 0; i < 60; ++i) {
        t += steps_ms[static_cast<size_t>(i) % steps_ms.size()];
        const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(t));
        const std::string topic = "t" + std::to_string(k) + "/p" + std::to_string(i % 2) + "/d";
        const std::string payload = i % 5 == 0 ? R"({"t":"2026-01-01T00:00:00Z"})" : "{}";
        RouteResult a, b;
        ASSERT_TRUE(plain.Route(topic, payload, when, 1, &a)) << keys[k] << ": " << a.detail;
        ASSERT_TRUE(memo.Route(topic, payload, when, 1, &b)) << keys[k] << ": " << b.detail;
        EXPECT_TRUE(SameResult(a, b)) << keys[k] << " at " << t << ": " << a.partition << " | "
                                      << b.partition;
        ++compared;
        reused_possible += i >= 2;
      }
    }
  }
  EXPECT_EQ(compared, 5 * 5 * 60);
  EXPECT_GT(reused_possible, 0);
  EXPECT_EQ(memo.memo_size(), 2 * keys.size());
  // The hour partition moves with the event time, the memo notwithstanding.
  RouteResult r;
  const auto hour = std::chrono::system_clock::time_point(std::chrono::hours(498'698));
  ASSERT_TRUE(memo.Route("t0/p0/d", "{}", hour - std::chrono::milliseconds(1), 1, &r));
  EXPECT_EQ(r.partial_key().substr(0, 17), "p0/2026/11/22/01/");
  ASSERT_TRUE(memo.Route("t0/p0/d", "{}", hour, 1, &r));
  EXPECT_EQ(r.partial_key().substr(0, 17), "p0/2026/11/22/02/");
  ASSERT_TRUE(memo.Route("t0/p0/d", "{}", hour + std::chrono::minutes(59), 1, &r));
  EXPECT_EQ(r.partial_key().substr(0, 17), "p0/2026/11/22/02/");
}

TEST(RouterMemoTest, FailuresAreNotRememberedAndTheMemoIsBounded) {
  Router router = MakeRouter(MemoRoutes());
  RouteResult r;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(router.Route("tp/x..y/dev-c", R"({"x":1})", kTime, 1, &r));
    EXPECT_EQ(r.reason, DeadLetterReason::kInvalidBucket) << r.detail;
    EXPECT_FALSE(router.Route("$SYS/x", "{}", kTime, 1, &r));
    EXPECT_EQ(r.reason, DeadLetterReason::kNoRoute);
  }
  EXPECT_EQ(router.memo_size(), 0u);
  router.set_memo_capacity(3);
  for (int i = 0; i < 10; ++i) {
    const std::string topic = "tp/" + std::to_string(i) + "/dev";
    ASSERT_TRUE(router.Route(topic, R"({"x":1})", kTime, 1, &r)) << r.detail;
    EXPECT_EQ(r.bucket, "tp-" + std::to_string(i));
    EXPECT_LE(router.memo_size(), 3u);
  }
  for (int i = 0; i < 10; ++i) {
    const std::string topic = "tp/" + std::to_string(i) + "/dev";
    ASSERT_TRUE(router.Route(topic, R"({"x":1})", kTime, 1, &r)) << r.detail;
    EXPECT_EQ(r.bucket, "tp-" + std::to_string(i));
    EXPECT_EQ(r.partial_key().substr(0, 4), "dev/");
  }
  EXPECT_GE(router.memo_size(), 1u);
  EXPECT_LE(router.memo_size(), 3u);
}

}  // namespace
}  // namespace mqtt2s3::route
