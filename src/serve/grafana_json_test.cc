// Request bodies below are shaped like the ones Grafana's SimpleJSON and simpod JSON data
// sources send (their READMEs' examples, with this server's targets).
#include "serve/grafana_json.h"

#include <gtest/gtest.h>

namespace mqtt2s3::serve {
namespace {

constexpr std::string_view kGrafanaQuery = R"({
  "app": "dashboard", "requestId": "Q100", "timezone": "browser", "panelId": 2,
  "dashboardId": null,
  "range": {"from": "2018-10-01T17:00:00.000Z", "to": "2018-10-01T18:00:00.000Z",
            "raw": {"from": "now-6h", "to": "now"}},
  "timeInfo": "", "interval": "5s", "intervalMs": 5000,
  "targets": [
    {"target": "plant/1/device/WELDING-STATION-12/Voltage", "refId": "A", "type": "timeserie",
     "datasource": "weld"},
    {"target": "weldspot", "refId": "B", "hide": true,
     "payload": {"plant": "1", "device": "WELDING-STATION-03", "field": "Current", "n": 3}},
    {"refId": "C", "payload": "{\"free\": \"text\"}"}
  ],
  "maxDataPoints": 1340, "scopedVars": {"__interval": {"text": "5s", "value": "5s"}},
  "startTime": 1538416800000, "rangeRaw": {"from": "now-6h", "to": "now"},
  "adhocFilters": [{"key": "City", "operator": "=", "value": "Berlin"}]
})";

TEST(GrafanaJsonTest, ParsesGrafanasQueryRequest) {
  auto q = ParseQueryRequest(kGrafanaQuery);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->from_ms, 1538413200000);
  EXPECT_EQ(q->to_ms, 1538416800000);
  EXPECT_EQ(q->interval_ms, 5000);
  EXPECT_EQ(q->max_data_points, 1340u);
  ASSERT_EQ(q->targets.size(), 3u);
  EXPECT_EQ(q->targets[0].target, "plant/1/device/WELDING-STATION-12/Voltage");
  EXPECT_EQ(q->targets[0].ref_id, "A");
  EXPECT_FALSE(q->targets[0].hide);
  EXPECT_TRUE(q->targets[1].hide);
  EXPECT_EQ(q->targets[1].payload.at("device"), "WELDING-STATION-03");
  EXPECT_EQ(q->targets[1].payload.count("n"), 0u);  // not a string
  EXPECT_TRUE(q->targets[2].payload.empty());       // a string payload is no structured form
}

TEST(GrafanaJsonTest, QueryRequestErrorsNameTheMember) {
  struct Case {
    std::string_view body, member;
  };
  for (const Case& c : {
           Case{"", "not JSON"},
           Case{"[1]", "JSON object"},
           Case{R"({"targets": []})", "'range'"},
           Case{R"({"range": {"from": "2018-10-01T17:00:00.000Z"}, "targets": []})", "'range.to'"},
           Case{R"({"range": {"from": "yesterday", "to": "2018-10-01T17:00:00Z"},
                    "targets": []})",
                "'range.from'"},
           Case{R"({"range": {"from": "2018-10-01T18:00:00Z", "to": "2018-10-01T17:00:00Z"},
                    "targets": []})",
                "'from' is after 'to'"},
           Case{R"({"range": {"from": "2018-10-01T17:00:00Z", "to": "2018-10-01T18:00:00Z"}})",
                "'targets'"},
           Case{R"({"range": {"from": "2018-10-01T17:00:00Z", "to": "2018-10-01T18:00:00Z"},
                    "targets": [{"target": 5}]})",
                "'targets[0].target'"},
           Case{R"({"range": {"from": "2018-10-01T17:00:00Z", "to": "2018-10-01T18:00:00Z"},
                    "maxDataPoints": -1, "targets": []})",
                "'maxDataPoints'"},
       }) {
    auto q = ParseQueryRequest(c.body);
    ASSERT_FALSE(q.ok()) << c.body;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(q.status().message().find(c.member), std::string::npos)
        << q.status().message() << " for " << c.body;
  }
}

TEST(GrafanaJsonTest, GrafanaTimesAreIsoUtcWithOrWithoutMillisecondsOrEpochMs) {
  EXPECT_EQ(*ParseGrafanaTime("2016-10-31T06:33:44.866Z"), 1477895624866);
  EXPECT_EQ(*ParseGrafanaTime("2016-10-31T06:33:44Z"), 1477895624000);
  EXPECT_EQ(*ParseGrafanaTime("1477895624866"), 1477895624866);
  EXPECT_FALSE(ParseGrafanaTime("2016-10-31T06:33:44+02:00").ok());
  EXPECT_FALSE(ParseGrafanaTime("2016-10-31T06:33:44.866-01:00").ok());
  EXPECT_FALSE(ParseGrafanaTime("now-6h").ok());
  EXPECT_FALSE(ParseGrafanaTime("2016-13-31T06:33:44Z").ok());
}

TEST(GrafanaJsonTest, ParsesSearchVariableAndPayloadOptionRequests) {
  auto s = ParseLookupRequest(R"({"type": "timeseries", "target": "plant/1"})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->target, "plant/1");
  EXPECT_FALSE(s->has_range);
  auto v = ParseLookupRequest(R"({"payload": {"target": "Voltage"},
      "range": {"from": "2022-02-14T08:09:32.164Z", "to": "2022-02-21T08:09:32.164Z",
                "raw": {"from": "now-7d", "to": "now"}}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->target, "Voltage");
  EXPECT_TRUE(v->has_range);
  EXPECT_EQ(v->from_ms, 1644826172164);
  auto o =
      ParseLookupRequest(R"({"metric": "weldspot", "payload": {"plant": "1"}, "name": "device"})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->metric, "weldspot");
  EXPECT_EQ(o->name, "device");
  EXPECT_EQ(o->payload.at("plant"), "1");
  EXPECT_TRUE(ParseLookupRequest("").ok());
  EXPECT_TRUE(ParseLookupRequest("{}").ok());
  EXPECT_FALSE(ParseLookupRequest("{").ok());
  EXPECT_FALSE(ParseLookupRequest(R"({"target": ["x"]})").ok());
}

TEST(GrafanaJsonTest, RendersTimeSeriesAsValueThenEpochMilliseconds) {
  std::vector<TimeSeries> series = {
      {"plant/1/device/D/Voltage", {{1538413200000, 230}, {1538413201000, 231.5}}}, {"empty", {}}};
  EXPECT_EQ(RenderTimeSeries(series),
            R"([{"target":"plant/1/device/D/Voltage","datapoints":[[230,1538413200000],)"
            R"([231.5,1538413201000]]},{"target":"empty","datapoints":[]}])");
  EXPECT_EQ(RenderTimeSeries({}), "[]");
}

TEST(GrafanaJsonTest, RendersStringsOptionsAndErrorsAsValidJson) {
  EXPECT_EQ(RenderStrings({"a", "b\"c"}), R"(["a","b\"c"])");
  EXPECT_EQ(RenderOptions({{"plant 1", "1"}}), R"([{"label":"plant 1","value":"1"}])");
  EXPECT_EQ(RenderOptions({{"x", "y"}}, "__text", "__value"), R"([{"__text":"x","__value":"y"}])");
  EXPECT_EQ(RenderError(Status::InvalidArgument("target 'x': bad")),
            R"({"error":"target 'x': bad","code":"InvalidArgument"})");
}

TEST(GrafanaJsonTest, StringsEscapeControlBytesAndReplaceInvalidUtf8) {
  std::string out;
  AppendJsonString("a\n\x01\\ \xc3\xa4 \xff \xe2\x82", &out);
  EXPECT_EQ(out, "\"a\\u000a\\u0001\\\\ \xc3\xa4 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\"");
}

}  // namespace
}  // namespace mqtt2s3::serve
