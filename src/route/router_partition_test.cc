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
  // {first:%Y/%m/%d/%H} is a directory: the hour of each message's event time is part of the
  // partition; {object_name} stays a slot.
  EXPECT_EQ(a.partition, "company-x-plant-1/2018/10/01/17/{2}");
  EXPECT_EQ(a.partial_key(), "2018/10/01/17/{2}");
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
  o.key = "{plant}/{instance}-{first:%Y%m%d}-{last:%H%M%S.%L}-{partition_seq:4}-n{count}.jsonl";
  Router router = MakeRouter({o});
  RouteResult r;
  ASSERT_TRUE(router.Route("COMPANY-X/JSON/0/7/D/WELD/1", Weld("20181001 170000"), kTime, 1, &r))
      << r.detail;
  EXPECT_EQ(r.partial_key(), "7/gw-1-{4}-{6}-{8}-n{10}.jsonl");
  std::string key;
  ASSERT_TRUE(router.RenderObjectKey(0, r.partial_key(), {kOct1At17, kOct1At17 + 5, 3, 17}, &key)
                  .ok());
  EXPECT_EQ(key, "7/gw-1-20181001-170000.005-0003-n17.jsonl");
}

// Issue 16: a batch never spans two values of a time prefix, late data included, so a listing
// of one hour's prefix returns every object with events of that hour and no other.
TEST(RouterPartitionTest, TimeDirectoriesPartitionByEachMessagesEventTime) {
  RouteOptions o = WeldingRoute();
  o.max_event_ahead = std::chrono::milliseconds(0);  // 2018 data received "in 2026" anyway
  Router router = MakeRouter({o});
  const std::string topic = "COMPANY-X/JSON/0/1/D/WELD/1";
  RouteResult end_of_17, start_of_18, late_16, next_day;
  ASSERT_TRUE(router.Route(topic, Weld("20181001 175959"), kTime, 1, &end_of_17));
  ASSERT_TRUE(router.Route(topic, Weld("20181001 180000"), kTime, 2, &start_of_18));
  ASSERT_TRUE(router.Route(topic, Weld("20181001 160512"), kTime, 3, &late_16));
  ASSERT_TRUE(router.Route(topic, Weld("20181002 170000"), kTime, 4, &next_day));
  EXPECT_EQ(end_of_17.partition, "company-x-plant-1/2018/10/01/17/{2}");
  EXPECT_EQ(start_of_18.partition, "company-x-plant-1/2018/10/01/18/{2}");
  EXPECT_EQ(late_16.partition, "company-x-plant-1/2018/10/01/16/{2}");
  EXPECT_EQ(next_day.partition, "company-x-plant-1/2018/10/02/17/{2}");
  // The object key keeps the prefix and names the batch's own range.
  std::string key;
  ASSERT_TRUE(router
                  .RenderObjectKey(0, late_16.partial_key(),
                                   {late_16.event_time_ms, late_16.event_time_ms, 0, 1}, &key)
                  .ok());
  EXPECT_EQ(key, "2018/10/01/16/20181001T160512.000Z_20181001T160512.000Z_gw-1_0000000000.jsonl");
  // Hive-style directories work the same way.
  o.key = "date={first:%Y-%m-%d}/hour={first:%H}/{object_name}";
  Router hive = MakeRouter({o});
  RouteResult h;
  ASSERT_TRUE(hive.Route(topic, Weld("20181001 175959"), kTime, 1, &h));
  EXPECT_EQ(h.partial_key(), "date=2018-10-01/hour=17/{5}");
  // {first} in the file name, or {last} anywhere, still names the batch.
  o.key = "{plant}/{last:%Y%m%d}/{first:%H}-{object_name}";
  Router slots = MakeRouter({o});
  ASSERT_TRUE(slots.Route(topic, Weld("20181001 175959"), kTime, 1, &h));
  EXPECT_EQ(h.partial_key(), "1/{2}/{4}-{6}");
}

TEST(RouterPartitionTest, SubMinuteTimeDirectoriesAreRefused) {
  RouteOptions o = WeldingRoute();
  o.key = "{first:%Y%m%d%H%M%S}/{object_name}";
  RouterOptions ro;
  ro.routes = {o};
  auto r = Router::Create(ro);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("every message its own batch"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("key"), std::string::npos) << r.status().message();
}

// Issue 16: "99991231 235959" must not name objects and partitions until the year 9999.
TEST(RouterPartitionTest, ImplausibleEventTimesAreOutOfWindow) {
  const std::string topic = "COMPANY-X/JSON/0/1/D/WELD/1";
  const int64_t receive_ms = 1795313405123;  // 2026-11-22T02:10:05.123Z
  Router router = MakeRouter({WeldingRoute()});
  for (std::string_view ts : {"99991231 235959", "19991231 235959", "20261122 031006"}) {
    RouteResult r;
    ASSERT_TRUE(router.Route(topic, Weld(ts), kTime, 1, &r)) << ts << r.detail;
    EXPECT_TRUE(r.event_time_out_of_window) << ts;
    EXPECT_FALSE(r.event_time_from_payload) << ts;
    EXPECT_EQ(r.event_time_ms, receive_ms) << ts;
    EXPECT_EQ(r.partition, "company-x-plant-1/2026/11/22/02/{2}") << ts;
  }
  // Inside the window: up to max_event_ahead in the future, and the earliest time itself.
  for (std::string_view ts : {"20261122 031005", "20000101 000000", "20181001 170000"}) {
    RouteResult r;
    ASSERT_TRUE(router.Route(topic, Weld(ts), kTime, 1, &r)) << ts;
    EXPECT_FALSE(r.event_time_out_of_window) << ts;
    EXPECT_TRUE(r.event_time_from_payload) << ts;
  }
  RouteOptions strict = WeldingRoute();
  strict.out_of_window = OutOfWindow::kDeadLetter;
  strict.earliest_event_time = "2018-10-01T00:00:00Z";
  Router dl = MakeRouter({strict});
  RouteResult r;
  EXPECT_FALSE(dl.Route(topic, Weld("20180930 235959"), kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kEventTimeOutOfWindow);
  EXPECT_NE(r.detail.find("20180930 235959"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("/weldspot/Timestamp"), std::string::npos) << r.detail;
  EXPECT_EQ(DeadLetterReasonName(r.reason), "event_time_out_of_window");
  EXPECT_TRUE(dl.Route(topic, Weld("20181001 000000"), kTime, 1, &r));
  // A bad window is a start-up error naming the field.
  strict.earliest_event_time = "1969-12-31T23:59:59Z";
  RouterOptions ro;
  ro.routes = {strict};
  auto bad = Router::Create(ro);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("earliest_event_time"), std::string::npos)
      << bad.status().message();
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
    EXPECT_EQ(r.partition, "company-x-plant-1/2026/11/22/02/{2}");  // the receive hour
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
