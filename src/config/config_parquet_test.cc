// routes[].format and routes[].columns: values read, nested list items kept apart, errors that
// name file, line and key, and an effective-config dump that loads back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/config_render.h"
#include "config/fake_environment.h"

namespace mqtt2s3::config {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kHead = R"(subscriptions:
  - filter: "plant/#"
s3:
  endpoint: http://127.0.0.1:8000
routes:
)";

StatusOr<Config> Load(std::string_view routes) {
  static const FakeEnvironment env(FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "a"},
                                                        {"AWS_SECRET_ACCESS_KEY", "s"}});
  LoadOptions o;
  o.env = &env;
  return LoadConfigFromString(std::string(kHead) + std::string(routes), "p.yaml", o);
}

std::string Error(std::string_view routes) {
  auto c = Load(routes);
  EXPECT_FALSE(c.ok()) << routes;
  return c.ok() ? "" : c.status().message();
}

constexpr std::string_view kTwoRoutes = R"(  - name: weld
    filter: "plant/weld/#"
    format: parquet
    columns:
      - {name: voltage, pointer: /weldspot/Voltage, type: double}
      - {name: at, pointer: /weldspot/Timestamp, type: timestamp, time_format: "%Y%m%d %H%M%S"}
  - name: other
    filter: "plant/#"
    format: parquet
    columns:
      - {name: seq, pointer: /seq, type: int64}
)";

TEST(ConfigParquetTest, FormatAndColumnsOfEveryRouteAreRead) {
  auto c = Load(kTwoRoutes);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const route::RouteOptions& weld = c->routes.at(0);
  EXPECT_EQ(weld.format, format::BodyFormat::kParquet);
  ASSERT_EQ(weld.columns.size(), 2u);
  EXPECT_EQ(weld.columns[0].name, "voltage");
  EXPECT_EQ(weld.columns[0].pointer, "/weldspot/Voltage");
  EXPECT_EQ(weld.columns[0].type, format::ColumnType::kDouble);
  EXPECT_EQ(weld.columns[1].type, format::ColumnType::kTimestamp);
  EXPECT_EQ(weld.columns[1].time_format, "%Y%m%d %H%M%S");
  ASSERT_EQ(c->routes.at(1).columns.size(), 1u);
  EXPECT_EQ(c->routes.at(1).columns[0].name, "seq");
  EXPECT_EQ(c->routes.at(1).columns[0].type, format::ColumnType::kInt64);
  EXPECT_EQ(weld.content_type, "application/vnd.apache.parquet");
}

TEST(ConfigParquetTest, DefaultIsJsonLinesWithoutColumns) {
  auto c = Load("  - {name: r, filter: \"plant/#\"}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->routes.at(0).format, format::BodyFormat::kJsonLines);
  EXPECT_TRUE(c->routes.at(0).columns.empty());
}

TEST(ConfigParquetTest, EffectiveDumpLoadsBackToTheSameColumns) {
  auto c = Load(kTwoRoutes);
  ASSERT_TRUE(c.ok());
  const std::string dump = DumpEffective(*c);
  EXPECT_THAT(dump, HasSubstr("format: \"parquet\""));
  static const FakeEnvironment env(FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "a"},
                                                        {"AWS_SECRET_ACCESS_KEY", "s"}});
  LoadOptions o;
  o.env = &env;
  auto again = LoadConfigFromString(dump, "dump.yaml", o);
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << dump;
  ASSERT_EQ(again->routes.at(0).columns.size(), 2u);
  EXPECT_EQ(again->routes.at(0).columns[1].time_format, "%Y%m%d %H%M%S");
  EXPECT_EQ(again->routes.at(1).columns.at(0).name, "seq");
}

TEST(ConfigParquetTest, ErrorsNameFileLineAndKey) {
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    format: orc\n"),
              HasSubstr("p.yaml:8:13: key 'routes[0].format': expected one of jsonl|parquet"));
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    format: parquet\n    columns:\n"
                    "      - {name: a, pointer: /a, type: float}\n"),
              HasSubstr("p.yaml:10:38: key 'routes[0].columns[0].type': expected one of"));
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    format: parquet\n    columns:\n"
                    "      - {name: a, type: int64}\n"),
              HasSubstr("key 'routes[0].columns[0].pointer': required key is missing"));
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    format: parquet\n    columns:\n"
                    "      - {name: a, pointer: /a}\n      - {name: topic, pointer: /b}\n"),
              HasSubstr("p.yaml:11:16: key 'routes[0].columns[1].name': column name 'topic' is "
                        "a fixed column"));
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    columns:\n      - {name: a, pointer: /a}\n"),
              HasSubstr("key 'routes[0].columns': typed columns need the route's format to be "
                        "parquet"));
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    format: parquet\n    columns:\n"
                    "      - {name: a, pointer: a}\n"),
              HasSubstr("key 'routes[0].columns[0].pointer': expected a JSON pointer"));
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    format: parquet\n    columns:\n"
                    "      - {name: a, pointer: /a, type: timestamp, time_format: \"%Q\"}\n"),
              HasSubstr("key 'routes[0].columns[0].time_format'"));
  EXPECT_THAT(Error("  - name: r\n    filter: \"#\"\n    format: parquet\n    columns:\n"
                    "      - {name: a, pointer: /a, colour: red}\n"),
              HasSubstr("key 'routes[0].columns[0].colour': unknown key"));
}

}  // namespace
}  // namespace mqtt2s3::config

namespace mqtt2s3::config {
namespace {

// The converter keeps 256 bytes of the budget for its own fields and the object format needs
// 1024 of the rest: below 1280 the service could not start, so the config refuses it.
TEST(ConfigParquetTest, MetadataBudgetLeavesTheObjectFormatItsFloor) {
  static const FakeEnvironment env(FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "a"},
                                                        {"AWS_SECRET_ACCESS_KEY", "s"}});
  LoadOptions o;
  o.env = &env;
  const std::string body = std::string(kHead) + "  - name: r\n    filter: \"#\"\n";
  auto low = LoadConfigFromString(body + "format:\n  metadata_budget: 1279\n", "b.yaml", o);
  ASSERT_FALSE(low.ok());
  EXPECT_THAT(low.status().message(), HasSubstr("format.metadata_budget"));
  EXPECT_THAT(low.status().message(), HasSubstr("1280"));
  auto floor = LoadConfigFromString(body + "format:\n  metadata_budget: 1280\n", "b.yaml", o);
  ASSERT_TRUE(floor.ok()) << floor.status().message();
  EXPECT_EQ(floor->format.metadata_budget, 1280u);
}

}  // namespace
}  // namespace mqtt2s3::config
