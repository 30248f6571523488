// Replays the requests Grafana's JSON data sources send, through routing and protocol
// handling, against an in-memory store.
#include "serve/api_handler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "serve/fake_weld_store.h"

namespace mqtt2s3::serve {
namespace {

constexpr int64_t kT0 = 1538413200000;  // 2018-10-01T17:00:00Z

class ApiHandlerTest : public ::testing::Test {
 protected:
  ApiHandlerTest() {
    store_.buckets["company-x-plant-1"] = {{"WS-12", kT0, WeldJson(230, 10)},
                                           {"WS-12", kT0 + 1000, WeldJson(231, 11)}};
  }
  HttpResponse Post(const std::string& path, const std::string& body) {
    return api_.Handle({"POST", path, body});
  }
  std::string Header(const HttpResponse& r, const std::string& name) {
    for (auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  FakeWeldStore store_;
  QueryEngine engine_{&store_, QueryEngineOptions{}};
  ApiHandler api_{&engine_, nullptr};
};

TEST_F(ApiHandlerTest, TestConnectionGetsOk) {
  HttpResponse r = api_.Handle({"GET", "/", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"status\":\"ok\""), std::string::npos);
  EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
}

TEST_F(ApiHandlerTest, QueryAnswersDatapointsOfTheTarget) {
  HttpResponse r = Post("/query", R"({"panelId": 1,
      "range": {"from": "2018-10-01T17:00:00.000Z", "to": "2018-10-01T18:00:00.000Z",
                "raw": {"from": "now-1h", "to": "now"}},
      "rangeRaw": {"from": "now-1h", "to": "now"}, "interval": "2s", "intervalMs": 2000,
      "maxDataPoints": 1800, "format": "json",
      "targets": [{"target": "plant/1/device/WS-12/Voltage", "refId": "A",
                   "type": "timeserie"}], "adhocFilters": []})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"([{"target":"plant/1/device/WS-12/Voltage","datapoints":)"
                    R"([[230,1538413200000],[231,1538413201000]]}])");
}

TEST_F(ApiHandlerTest, MetricsOfferTheEnginesFieldsAndQueriesTakeAJsonPointer) {
  HttpResponse m = Post("/metrics", "{}");
  EXPECT_NE(m.body.find(R"("options":[{"label":"Voltage","value":"Voltage"},)"
                        R"({"label":"Current","value":"Current"},)"
                        R"({"label":"MainPowerSwitch","value":"MainPowerSwitch"}]}]}])"),
            std::string::npos)
      << m.body;
  QueryEngineOptions o;
  o.fields = {{"amps", "/weldspot/Current"}};
  QueryEngine engine(&store_, o);
  ApiHandler api(&engine, nullptr);
  HttpResponse custom = api.Handle({"POST", "/metrics", "{}"});
  EXPECT_NE(custom.body.find(R"("options":[{"label":"amps","value":"amps"}]}]}])"),
            std::string::npos)
      << custom.body;
  HttpResponse r = api.Handle({"POST", "/query", R"({"range": {"from": "2018-10-01T17:00:00Z",
      "to": "2018-10-01T18:00:00Z"}, "targets": [{"target": "plant/1/device/WS-12/amps"},
      {"target": "plant/1/device/WS-12//weldspot/Voltage"}]})"});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"([{"target":"plant/1/device/WS-12/amps","datapoints":)"
                    R"([[10,1538413200000],[11,1538413201000]]},)"
                    R"({"target":"plant/1/device/WS-12//weldspot/Voltage","datapoints":)"
                    R"([[230,1538413200000],[231,1538413201000]]}])");
  HttpResponse bad = api.Handle({"POST", "/query", R"({"range": {"from": "2018-10-01T17:00:00Z",
      "to": "2018-10-01T18:00:00Z"}, "targets": [{"target": "plant/1/device/WS-12/Voltage"}]})"});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("expected one of amps or a JSON pointer"), std::string::npos) << bad.body;
}

TEST_F(ApiHandlerTest, SearchAnswersAnArrayOfTargets) {
  HttpResponse r = Post("/search", R"({"type": "timeseries", "target": "WS-12/Cur"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"(["plant/1/device/WS-12/Current"])");
  HttpResponse old_style = Post("/search", R"({"target": "plant/1/device/*/Voltage"})");
  EXPECT_EQ(old_style.body, R"(["plant/1/device/*/Voltage"])");
}

TEST_F(ApiHandlerTest, StructuredFormEndpointsDescribeAndListPayloads) {
  HttpResponse m = Post("/metrics", "{}");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(R"("value":"weldspot")"), std::string::npos);
  HttpResponse o = Post("/metric-payload-options",
                        R"({"metric": "weldspot", "payload": {"plant": "1"}, "name": "device"})");
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body, R"([{"label":"all devices","value":"*"},{"label":"WS-12","value":"WS-12"}])");
  HttpResponse v = Post("/variable", R"({"payload": {"target": "WS-12/Volt"},
      "range": {"from": "2018-10-01T17:00:00.000Z", "to": "2018-10-01T18:00:00.000Z"}})");
  EXPECT_EQ(v.body, R"([{"__text":"plant/1/device/WS-12/Voltage",)"
                    R"("__value":"plant/1/device/WS-12/Voltage"}])");
}

TEST_F(ApiHandlerTest, AnnotationsAndTagsAreEmptyLists) {
  const std::string annotation = R"({"range": {"from": "2018-10-01T17:00:00.000Z",
      "to": "2018-10-01T18:00:00.000Z"}, "rangeRaw": {"from": "now-1h", "to": "now"},
      "annotation": {"name": "welds", "datasource": "weld", "iconColor": "red",
                     "enable": true, "query": "#weld"}})";
  for (const char* path : {"/annotations", "/tag-keys", "/tag-values"}) {
    HttpResponse r = Post(path, path == std::string("/annotations") ? annotation : "{}");
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "[]") << path;
  }
}

TEST_F(ApiHandlerTest, ErrorsAreJsonWithAClientStatus) {
  HttpResponse bad = Post("/query", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"error\":\"request body is not JSON"), std::string::npos);
  HttpResponse target = Post("/query", R"({"range": {"from": "2018-10-01T17:00:00Z",
      "to": "2018-10-01T18:00:00Z"}, "targets": [{"target": "Voltage", "refId": "A"}]})");
  EXPECT_EQ(target.status, 400);
  EXPECT_NE(target.body.find("target 'Voltage'"), std::string::npos);
  HttpResponse plant = Post("/query", R"({"range": {"from": "2018-10-01T17:00:00Z",
      "to": "2018-10-01T18:00:00Z"}, "targets": [{"target": "plant/8/device/X/Voltage"}]})");
  EXPECT_EQ(plant.status, 404);
  EXPECT_NE(plant.body.find("company-x-plant-8"), std::string::npos);
  HttpResponse wrong_method = api_.Handle({"GET", "/query", ""});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(Header(wrong_method, "Allow"), "POST, OPTIONS");
  HttpResponse unknown = api_.Handle({"GET", "/nothing-here", ""});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.content_type, "application/json");
}

TEST_F(ApiHandlerTest, CorsPreflightIsAnswered) {
  HttpResponse r = api_.Handle({"OPTIONS", "/query", ""});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(Header(r, "Access-Control-Allow-Methods"), "GET, POST, OPTIONS");
}

TEST_F(ApiHandlerTest, ThePageIsServedUnderUi) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("serve-api-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<html>page</html>";
  StaticFiles files;
  files.Mount("/ui/", dir.string());
  ApiHandler api(&engine_, &files);
  EXPECT_EQ(api.Handle({"GET", "/ui", ""}).status, 301);
  HttpResponse page = api.Handle({"GET", "/ui/?target=plant/1/device/*/Voltage", ""});
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<html>page</html>");
  EXPECT_EQ(api.Handle({"POST", "/ui/index.html", ""}).status, 405);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mqtt2s3::serve
