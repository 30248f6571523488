#include "serve/query_engine.h"

#include <gtest/gtest.h>

#include "serve/fake_weld_store.h"

namespace mqtt2s3::serve {
namespace {

constexpr int64_t kT0 = 1538413200000;  // 2018-10-01T17:00:00Z

class QueryEngineTest : public ::testing::Test {
 protected:
  QueryEngineTest() {
    auto& plant1 = store_.buckets["company-x-plant-1"];
    for (int i = 0; i < 10; ++i) {
      plant1.push_back({"WS-12", kT0 + i * 1000, WeldJson(220 + i, 10 + i)});
      plant1.push_back({"WS-03", kT0 + i * 1000 + 500, WeldJson(300 + i, 1)});
    }
    plant1.push_back({"WS-12", kT0 + 3500, R"({"weldspot": {"Voltage": "n/a"}})"});
    store_.buckets["company-x-plant-2"] = {{"WS-01", kT0, WeldJson(1, 1)}};
  }

  QueryRequest Request(std::vector<std::string> targets, size_t max_points = 0) {
    QueryRequest q{kT0, kT0 + 3600 * 1000, 1000, max_points, {}};
    for (auto& t : targets) q.targets.push_back({t, "A", {}, false});
    return q;
  }

  FakeWeldStore store_;
  QueryEngine engine_{&store_, QueryEngineOptions{}};
};

TEST_F(QueryEngineTest, BucketComesFromTheTemplateLowerCased) {
  EXPECT_EQ(engine_.BucketFor("1"), "company-x-plant-1");
  EXPECT_EQ(engine_.BucketFor("North-7"), "company-x-plant-north-7");
  QueryEngineOptions o;
  o.bucket_template = "plant";
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_TRUE(QueryEngineOptions{}.Validate().ok());
}

TEST_F(QueryEngineTest, QueryReturnsTheDevicesFieldValuesInTimeOrder) {
  auto series = engine_.Query(Request({"plant/1/device/WS-12/Voltage"}));
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ((*series)[0].target, "plant/1/device/WS-12/Voltage");
  ASSERT_EQ((*series)[0].points.size(), 10u);  // the "n/a" message is not a point
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ((*series)[0].points[i], (Point{kT0 + i * 1000, 220.0 + i}));
  }
  EXPECT_EQ(store_.reads, std::vector<std::string>{"company-x-plant-1|WS-12"});
}

TEST_F(QueryEngineTest, RangeIsInclusiveAtBothEndsLikeGrafanas) {
  QueryRequest q = Request({"plant/1/device/WS-12/Current"});
  q.from_ms = kT0 + 2000;
  q.to_ms = kT0 + 4000;
  auto series = engine_.Query(q);
  ASSERT_TRUE(series.ok());
  ASSERT_EQ((*series)[0].points.size(), 3u);
  EXPECT_EQ((*series)[0].points.front().value, 12.0);
  EXPECT_EQ((*series)[0].points.back().value, 14.0);
}

TEST_F(QueryEngineTest, WildcardGivesOneSeriesPerDeviceFromOneRead) {
  auto series =
      engine_.Query(Request({"plant/1/device/*/Voltage", "plant/1/device/WS-03/Current"}));
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 3u);
  EXPECT_EQ((*series)[0].target, "plant/1/device/WS-03/Voltage");
  EXPECT_EQ((*series)[1].target, "plant/1/device/WS-12/Voltage");
  EXPECT_EQ((*series)[2].target, "plant/1/device/WS-03/Current");
  EXPECT_EQ((*series)[0].points.size(), 10u);
  EXPECT_EQ(store_.reads, std::vector<std::string>{"company-x-plant-1|"});
}

TEST_F(QueryEngineTest, SeveralFieldsOfOneDeviceCostOneRead) {
  auto series =
      engine_.Query(Request({"plant/1/device/WS-12/Voltage", "plant/1/device/WS-12/Current",
                             "plant/1/device/WS-12/MainPowerSwitch"}));
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(series->size(), 3u);
  EXPECT_EQ(store_.reads.size(), 1u);
}

TEST_F(QueryEngineTest, SeriesAreThinnedToMaxDataPoints) {
  auto series = engine_.Query(Request({"plant/1/device/WS-12/Voltage"}, 4));
  ASSERT_TRUE(series.ok());
  ASSERT_EQ((*series)[0].points.size(), 4u);
  EXPECT_EQ((*series)[0].points.front().value, 220.0);
  EXPECT_EQ((*series)[0].points.back().value, 229.0);
}

TEST_F(QueryEngineTest, StructuredPayloadSelectsTheSeriesAndHiddenTargetsAreSkipped) {
  QueryRequest q = Request({});
  q.targets.push_back(
      {"weldspot", "A", {{"plant", "1"}, {"device", "WS-03"}, {"field", "Voltage"}}, false});
  q.targets.push_back({"plant/2/device/WS-01/Voltage", "B", {}, true});
  auto series = engine_.Query(q);
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ((*series)[0].target, "plant/1/device/WS-03/Voltage");
  EXPECT_EQ((*series)[0].points[0].value, 300.0);
}

TEST_F(QueryEngineTest, UnknownDeviceIsAnEmptySeriesAndUnknownPlantAnError) {
  auto series = engine_.Query(Request({"plant/1/device/NOPE/Voltage"}));
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 1u);
  EXPECT_TRUE((*series)[0].points.empty());
  auto missing = engine_.Query(Request({"plant/9/device/X/Voltage"}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("company-x-plant-9"), std::string::npos);
  auto bad = engine_.Query(Request({"voltage of plant 1"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(QueryEngineTest, SearchListsEveryDeviceFieldAndWildcardOfConfiguredPlants) {
  auto all = engine_.Search("", {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  // plant 1: WS-03, WS-12, *; plant 2: WS-01, *; plant 3 has no bucket. Three fields each.
  EXPECT_EQ(all->size(), 15u);
  auto v = engine_.Search("WS-12/Volt", {});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, std::vector<std::string>{"plant/1/device/WS-12/Voltage"});
  auto p2 = engine_.Search("plant/2/", {});
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->size(), 6u);
  EXPECT_EQ(p2->front(), "plant/2/device/*/Current");
}

TEST_F(QueryEngineTest, PayloadOptionsOfferPlantsDevicesAndFields) {
  auto plants = engine_.PayloadOptions("plant", "", {});
  ASSERT_TRUE(plants.ok());
  EXPECT_EQ(plants->size(), 3u);
  auto devices = engine_.PayloadOptions("device", "1", {});
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 3u);
  EXPECT_EQ((*devices)[0].second, "*");
  EXPECT_EQ((*devices)[1].second, "WS-03");
  auto fields = engine_.PayloadOptions("field", "", {});
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->size(), 3u);
  EXPECT_FALSE(engine_.PayloadOptions("colour", "", {}).ok());
}

TEST_F(QueryEngineTest, AJsonPointerFieldReadsAnyPayloadAndKeepsItsName) {
  auto& plant4 = store_.buckets["company-x-plant-4"];
  for (int i = 0; i < 5; ++i) {
    plant4.push_back({"S-1", kT0 + i * 1000,
                      R"({"sensors": [{"t": ")" + std::to_string(20 + i) + R"("}], "seq": 1})"});
  }
  plant4.push_back({"S-1", kT0 + 9000, R"({"sensors": []})"});  // no value: no point
  auto series =
      engine_.Query(Request({"plant/4/device/S-1//sensors/0/t", "plant/1/device/*//seq"}));
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  ASSERT_EQ(series->size(), 1u);  // plant 1's payloads have no /seq: no series for its devices
  EXPECT_EQ((*series)[0].target, "plant/4/device/S-1//sensors/0/t");
  ASSERT_EQ((*series)[0].points.size(), 5u);
  EXPECT_EQ((*series)[0].points[4], (Point{kT0 + 4000, 24.0}));
  // The structured form takes a pointer as its field too.
  QueryRequest q = Request({});
  q.targets.push_back({"weldspot",
                       "A",
                       {{"plant", "1"}, {"device", "WS-03"}, {"field", "/weldspot/Voltage"}},
                       false});
  auto structured = engine_.Query(q);
  ASSERT_TRUE(structured.ok()) << structured.status().ToString();
  EXPECT_EQ((*structured)[0].target, "plant/1/device/WS-03//weldspot/Voltage");
  EXPECT_EQ((*structured)[0].points[0].value, 300.0);
}

TEST_F(QueryEngineTest, ConfiguredFieldsAreNamedSearchedAndOffered) {
  QueryEngineOptions o;
  o.fields.push_back({"volts", "/weldspot/Voltage"});
  ASSERT_TRUE(o.Validate().ok());
  QueryEngine engine(&store_, o);
  auto series = engine.Query(Request({"plant/1/device/WS-12/volts"}));
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  EXPECT_EQ((*series)[0].target, "plant/1/device/WS-12/volts");
  EXPECT_EQ((*series)[0].points[0].value, 220.0);
  auto found = engine.Search("WS-12/v", {});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<std::string>{"plant/1/device/WS-12/volts"});
  auto fields = engine.PayloadOptions("field", "", {});
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->back().second, "volts");
  EXPECT_FALSE(engine_.Query(Request({"plant/1/device/WS-12/volts"})).ok());  // not named there
  o.fields.push_back({"volts", "/x"});
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace mqtt2s3::serve
