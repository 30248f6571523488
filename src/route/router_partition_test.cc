// Batch partitions, event time and object keys: Route() gives the partition and event time,
// RenderObjectKey() fills a partition's batch values in.
#include <gtest/gtest.h>

#include <string>

#include "route/object_name.h"
#include "route/router.h"

namespace mqtt2s3::route {
namespace {

const auto kTime = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795313405123));
constexpr int64_t kOct1At17 = 1538413200000;  // 2018-10-01T17:00:00Z

// examples/welding.yaml: one partition per plant, objects named by event-time range.
RouteOptions WeldingRoute() {
  RouteOptions r;
  r.name = "welding";
  r.filter = "COMPANY-X/+/+/+/+/+/+";
  r.pattern = "{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}";
  r.bucket = "{root}-plant-{plant}";
  r.key = "{first:%Y/%m/%d/%H}/{object_name}";
  r.time_field = "/weldspot/Timestamp";
  r.time_format = "%Y%m%d %H%M%S";
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

std::string Weld(std::string_view ts) {
  return std::string(R"({"weldspot":{"Timestamp":")") + std::string(ts) + "\"}}";
}

// Found by fuzz/fuzz_route.cc: the time field's lookup failed hard on a truncated payload and
// the index key's lookup then rewound the broken document (a crash on a one-byte payload).
TEST(RouterPartitionTest, BrokenJsonIsADeadLetterWhenSeveralFieldsAreRead) {
  RouteOptions r = WeldingRoute();
  r.index_key = "{device}/{type}/{version}/{json:/weldspot/Timestamp}";
  r.dedupe_id = "{json:/seq}";
  Router router = MakeRouter({r});
  for (std::string_view payload : {"{", "[", "{\"weldspot\":{\"Timestamp\":", "{\"a\":1,}",
                                   "\x01", "", "{\"weldspot\":[1,2"}) {
    RouteResult res;
    EXPECT_FALSE(router.Route("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1", payload, kTime, 1,
                              &res))
        << payload;
    EXPECT_EQ(res.reason, DeadLetterReason::kInvalidJson) << payload << ": " << res.detail;
  }
  RouteResult ok;
  EXPECT_TRUE(router.Route("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1",
                           R"({"weldspot":{"Timestamp":"20181001 170000"},"seq":7})", kTime, 2,
                           &ok))
      << ok.detail << " (the parser recovers for the next message)";
  EXPECT_EQ(ok.index_key, "WELDING-STATION-12/WELD/1/20181001 170000");
  EXPECT_EQ(ok.dedupe_id, "7");
}

TEST(RouterPartitionTest, DevicesOfOnePlantShareAPartitionAndPlantsDoNot) {
  Router router = MakeRouter({WeldingRoute()});
  RouteResult a, b, c;
  ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1",
                           Weld("20181001 170000"), kTime, 1, &a)) << a.detail;
  ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/1/WELDING-STATION-13/WELD/1",
                           Weld("20181001 172739"), kTime, 2, &b)) << b.detail;
  ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/2/WELDING-STATION-12/WELD/1",
                           Weld("20181001 170000"), kTime, 3, &c)) << c.detail;
  EXPECT_EQ(a.bucket, "company-x-plant-1");
  EXPECT_EQ(a.partition, b.partition);
  EXPECT_NE(a.partition, c.partition);
  EXPECT_EQ(c.bucket, "company-x-plant-2");
  EXPECT_EQ(a.partition, "company-x-plant-1/{0}/{2}");
  EXPECT_EQ(a.partial_key(), "{0}/{2}");
  std::string_view bucket, partial;
  ASSERT_TRUE(Router::SplitPartition(a.partition, &bucket, &partial));
  EXPECT_EQ(bucket, a.bucket);
  EXPECT_EQ(partial, a.partial_key());
  EXPECT_EQ(a.event_time_ms, kOct1At17);
  EXPECT_TRUE(a.event_time_from_payload);
  EXPECT_FALSE(a.event_time_fallback);
  EXPECT_EQ(b.event_time_ms, kOct1At17 + (27 * 60 + 39) * 1000);
}

TEST(RouterPartitionTest, ObjectKeyIsAPureFunctionOfTheBatch) {
  Router router = MakeRouter({WeldingRoute()});
  RouteResult r;
  ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/1/D/WELD/1", Weld("20181001 170000"), kTime, 1, &r));
  const BatchKeyVars vars{kOct1At17, kOct1At17 + 1659000, 42, 10000};
  std::string key1, key2;
  ASSERT_TRUE(router.RenderObjectKey(0, r.partial_key(), vars, &key1).ok());
  // Another thread's clone (or a restarted process with the same config) agrees.
  Router other = MakeRouter({WeldingRoute()});
  key2 = "garbage that must be replaced";
  ASSERT_TRUE(other.RenderObjectKey(0, std::string(r.partial_key()), vars, &key2).ok());
  EXPECT_EQ(key1, key2);
  EXPECT_EQ(key1, "2018/10/01/17/20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl");
  auto parts = ParseObjectName(key1);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->first_ms, vars.first_ms);
  EXPECT_EQ(parts->last_ms, vars.last_ms);
  EXPECT_EQ(parts->partition_seq, 42u);
  EXPECT_EQ(parts->instance, "gw-1");
}

TEST(RouterPartitionTest, EveryBatchPlaceholderIsFilled) {
  RouteOptions o = WeldingRoute();
  o.key = "{plant}/{first:%Y%m%d}-{last:%H%M%S.%L}/{instance}-{partition_seq:4}-n{count}.jsonl";
  Router router = MakeRouter({o});
  RouteResult r;
  ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/7/D/WELD/1", Weld("20181001 170000"), kTime, 1, &r))
      << r.detail;
  EXPECT_EQ(r.partial_key(), "7/{2}-{4}/gw-1-{8}-n{10}.jsonl");
  std::string key;
  ASSERT_TRUE(router.RenderObjectKey(0, r.partial_key(), {kOct1At17, kOct1At17 + 5, 3, 17}, &key)
                  .ok());
  EXPECT_EQ(key, "7/20181001-170000.005/gw-1-0003-n17.jsonl");
}

TEST(RouterPartitionTest, SlotMarkersCannotBeForgedByTopicsOrPayloads) {
  RouteOptions o = WeldingRoute();
  o.key = "{device}/{json:/weldspot/Name}/{object_name}";
  Router router = MakeRouter({o});
  RouteResult r;
  ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/1/{2}/WELD/1",
                           R"({"weldspot":{"Timestamp":"20181001 170000","Name":"{0}{2"}})", kTime,
                           1, &r))
      << r.detail;
  EXPECT_EQ(r.partial_key(), "%7B2%7D/%7B0%7D%7B2/{4}");
  std::string key;
  ASSERT_TRUE(router.RenderObjectKey(0, r.partial_key(), {0, 0, 0, 1}, &key).ok());
  EXPECT_EQ(key, "%7B2%7D/%7B0%7D%7B2/19700101T000000.000Z_19700101T000000.000Z_gw-1_0000000000.jsonl");
  // A partial key that this route did not produce is refused, not half-rendered.
  for (std::string_view forged : {"{0}/x", "{9}", "{4", "{x}", "{99999999999}"}) {
    EXPECT_FALSE(router.RenderObjectKey(0, forged, {0, 0, 0, 1}, &key).ok()) << forged;
  }
  EXPECT_FALSE(router.RenderObjectKey(1, r.partial_key(), {0, 0, 0, 1}, &key).ok());
  EXPECT_FALSE(router.RenderObjectKey(0, r.partial_key(), {5, 4, 0, 1}, &key).ok());
  EXPECT_FALSE(router.RenderObjectKey(0, r.partial_key(), {-1, 4, 0, 1}, &key).ok());
}

TEST(RouterPartitionTest, BadOrMissingEventTimeFallsBackToReceiveTimeWithoutDeadLetter) {
  Router router = MakeRouter({WeldingRoute()});
  const int64_t receive_ms = 1795313405123;
  const std::string payloads[] = {
      R"({"weldspot":{}})",                          // missing
      R"({"weldspot":{"Timestamp":"yesterday"}})",   // unparsable
      R"({"weldspot":{"Timestamp":"20181301 170000"}})",  // month 13
      R"({"weldspot":{"Timestamp":null}})",
      "not json at all",                             // the key needs no {json:...}
      "",
  };
  for (const std::string& p : payloads) {
    RouteResult r;
    ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/1/D/WELD/1", p, kTime, 1, &r)) << p << r.detail;
    EXPECT_EQ(r.event_time_ms, receive_ms) << p;
    EXPECT_FALSE(r.event_time_from_payload) << p;
    EXPECT_TRUE(r.event_time_fallback) << p;
    EXPECT_EQ(r.partition, "company-x-plant-1/{0}/{2}");
  }
  // Without a time_field the receive time is the event time and nothing is flagged.
  RouteOptions plain = WeldingRoute();
  plain.time_field.clear();
  Router no_field = MakeRouter({plain});
  RouteResult r;
  ASSERT_TRUE(no_field.Route("COMPANY-X/JSON/0/1/D/WELD/1", "", kTime, 1, &r));
  EXPECT_EQ(r.event_time_ms, receive_ms);
  EXPECT_FALSE(r.event_time_fallback);
  // Numbers work for unix formats.
  RouteOptions unix_ms = WeldingRoute();
  unix_ms.time_format = "unix_ms";
  Router numeric = MakeRouter({unix_ms});
  ASSERT_TRUE(numeric.Route("COMPANY-X/JSON/0/1/D/WELD/1",
                            R"({"weldspot":{"Timestamp":1538413200000}})", kTime, 1, &r));
  EXPECT_EQ(r.event_time_ms, kOct1At17);
  EXPECT_TRUE(r.event_time_from_payload);
}

TEST(RouterPartitionTest, KeysThatAreNotUniquePerBatchAreRejectedNamingRouteAndTemplate) {
  struct Case {
    std::string key;
    bool ok;
    std::string why;
  };
  const Case cases[] = {
      {"{first:%Y/%m/%d/%H}/{object_name}", true, ""},
      {"{device}/{instance}-{partition_seq}.jsonl", true, ""},
      {"{device}/{first}.jsonl", false, "does not make keys unique per batch"},
      {"{device}/{partition_seq}.jsonl", false, "does not make keys unique per batch"},
      {"{device}/{instance}-{seq}", false, "{seq} numbers single messages"},
      {"{object_name}/{object_name}", true, ""},
  };
  for (const Case& c : cases) {
    RouteOptions o = WeldingRoute();
    o.key = c.key;
    std::string field;
    auto compiled = CompiledRoute::Compile(o, &field);
    EXPECT_EQ(compiled.ok(), c.ok) << c.key;
    if (c.ok) continue;
    EXPECT_EQ(field, "key");
    const std::string m = compiled.status().message();
    EXPECT_NE(m.find(c.why), std::string::npos) << m;
    EXPECT_NE(m.find(c.key), std::string::npos) << m;
    if (c.why.find("unique") != std::string::npos) {
      EXPECT_NE(m.find("route 'welding'"), std::string::npos) << m;
    }
  }
  RouteOptions o = WeldingRoute();
  o.bucket = "b-{partition_seq}";
  std::string field;
  EXPECT_FALSE(CompiledRoute::Compile(o, &field).ok());
  EXPECT_EQ(field, "bucket");
}

TEST(RouterPartitionTest, EventTimeOptionsAreCheckedAtStartup) {
  struct Case {
    void (*edit)(RouteOptions&);
    std::string field;
  };
  const Case cases[] = {
      {[](RouteOptions& o) { o.time_format = "%H:%M"; }, "time_format"},
      {[](RouteOptions& o) { o.time_zone = "Europe/Berlin"; }, "time_zone"},
      {[](RouteOptions& o) { o.time_field = "weldspot"; }, "time_field"},
      {[](RouteOptions& o) { o.time_field = "/a~2"; }, "time_field"},
      {[](RouteOptions& o) { o.payload = PayloadFormat::kRaw; }, "time_field"},
  };
  for (const Case& c : cases) {
    RouteOptions o = WeldingRoute();
    c.edit(o);
    std::string field;
    EXPECT_FALSE(CompiledRoute::Compile(o, &field).ok()) << c.field;
    EXPECT_EQ(field, c.field);
  }
}

TEST(RouterPartitionTest, PartialKeysLeaveRoomForTheBatchValues) {
  RouteOptions o = WeldingRoute();
  o.key = "{device}/{object_name}";
  RouterOptions ro;
  ro.routes = {o};
  ro.instance_id = "gw-1";
  ro.max_key_bytes = 200;
  ro.max_value_bytes = 200;
  auto router = Router::Create(ro);
  ASSERT_TRUE(router.ok()) << router.status().ToString();
  const size_t name_bytes = MaxObjectNameBytes("gw-1", "jsonl");
  RouteResult r;
  std::string fits(200 - name_bytes - 1, 'd');
  ASSERT_TRUE(router->Route("COMPANY-X/JSON/0/1/" + fits + "/WELD/1", "", kTime, 1, &r))
      << r.detail;
  std::string key;
  ASSERT_TRUE(router->RenderObjectKey(0, r.partial_key(), {0, kMaxEventTimeMs, UINT64_MAX, 1}, &key)
                  .ok());
  EXPECT_EQ(key.size(), 200u);
  EXPECT_FALSE(router->Route("COMPANY-X/JSON/0/1/" + fits + "d/WELD/1", "", kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kInvalidKey);

  ro.max_key_bytes = 60;
  EXPECT_FALSE(Router::Create(ro).ok());  // the object name alone does not fit
}

}  // namespace
}  // namespace mqtt2s3::route
