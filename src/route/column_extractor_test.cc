#include "route/column_extractor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "route/router.h"
#include "zlib_compress.h"

namespace mqtt2s3::route {
namespace {

using testing::ZlibCompress;

using format::ColumnType;
using format::ColumnValue;
using K = ColumnValue::Kind;

RouteOptions Route() {
  RouteOptions r;
  r.name = "r";
  r.filter = "#";
  r.format = format::BodyFormat::kParquet;
  r.columns = {{"v", "/weldspot/Voltage", ColumnType::kDouble, "rfc3339"},
               {"n", "/n", ColumnType::kInt64, "rfc3339"},
               {"s", "/s", ColumnType::kString, "rfc3339"},
               {"ok", "/ok", ColumnType::kBool, "rfc3339"},
               {"t", "/t", ColumnType::kTimestamp, "%Y%m%d %H%M%S"}};
  return r;
}

ColumnExtractor Make(const RouteOptions& r) {
  auto c = CompiledRoute::Compile(r);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  auto x = ColumnExtractor::Create(*c);
  EXPECT_TRUE(x.ok()) << x.status().ToString();
  return std::move(*x);
}

TEST(ColumnExtractorTest, ConvertsEachTypeAndNullsWhatIsAbsentOrWrong) {
  ColumnExtractor x = Make(Route());
  x.BeginBatch(3);
  x.AddRow("a/b", R"({"weldspot":{"Voltage":12.5},"n":7,"s":"h\u00e9","ok":true,)"
                  R"("t":"20181001 170000"})");
  x.AddRow("a/b", R"({"weldspot":{"Voltage":"high"},"n":2.0,"s":42,"ok":null,"t":1538413200123})");
  x.AddRow("a/b", R"({"n":1.5,"s":[1],"ok":"yes","t":"yesterday"})");
  x.FinishBatch();

  auto r0 = x.row(0);
  ASSERT_EQ(r0.size(), 5u);
  EXPECT_EQ(r0[0].kind, K::kDouble);
  EXPECT_EQ(r0[0].d, 12.5);
  EXPECT_EQ(r0[1].kind, K::kInt64);
  EXPECT_EQ(r0[1].i, 7);
  EXPECT_EQ(r0[2].kind, K::kString);
  EXPECT_EQ(r0[2].s, "h\xc3\xa9");
  EXPECT_EQ(r0[3].kind, K::kBool);
  EXPECT_TRUE(r0[3].b);
  EXPECT_EQ(r0[4].kind, K::kInt64);
  EXPECT_EQ(r0[4].i, 1538413200000);

  auto r1 = x.row(1);
  EXPECT_EQ(r1[0].kind, K::kNull);  // a string that is not a number, in a double column
  EXPECT_EQ(r1[1].kind, K::kInt64);  // 2.0 is integral
  EXPECT_EQ(r1[1].i, 2);
  EXPECT_EQ(r1[2].kind, K::kString);
  EXPECT_EQ(r1[2].s, "42");
  EXPECT_EQ(r1[3].kind, K::kNull);  // JSON null: absent
  EXPECT_EQ(r1[4].i, 1538413200123);  // a number is epoch ms

  auto r2 = x.row(2);
  for (const ColumnValue& v : r2) EXPECT_EQ(v.kind, K::kNull);

  auto nulls = x.null_counts();
  ASSERT_EQ(nulls.size(), 5u);
  EXPECT_EQ(nulls[0][static_cast<size_t>(NullReason::kType)], 1u);
  EXPECT_EQ(nulls[0][static_cast<size_t>(NullReason::kAbsent)], 1u);  // row 2: no weldspot
  EXPECT_EQ(nulls[1][static_cast<size_t>(NullReason::kType)], 1u);    // 1.5
  EXPECT_EQ(nulls[2][static_cast<size_t>(NullReason::kType)], 1u);    // [1]
  EXPECT_EQ(nulls[3][static_cast<size_t>(NullReason::kAbsent)], 1u);  // null
  EXPECT_EQ(nulls[3][static_cast<size_t>(NullReason::kType)], 1u);    // "yes"
  EXPECT_EQ(nulls[4][static_cast<size_t>(NullReason::kType)], 1u);    // "yesterday"
}

TEST(ColumnExtractorTest, NumbersAndSwitchesSentAsStringsConvertWhenTheWholeStringIsOne) {
  ColumnExtractor x = Make(Route());
  x.BeginBatch(3);
  // The welding devices send every value as a string.
  x.AddRow("a/b", R"({"weldspot":{"Voltage":"229.7"},"n":"-42","ok":"1"})");
  x.AddRow("a/b", R"({"weldspot":{"Voltage":"1e3"},"n":"3.0","ok":"false"})");
  x.AddRow("a/b", R"({"weldspot":{"Voltage":" 229.7"},"n":"12abc","ok":2})");
  x.AddRow("a/b", R"({"weldspot":{"Voltage":"nan"},"n":"99999999999999999999","ok":"yes"})");
  x.AddRow("a/b", R"({"weldspot":{"Voltage":""},"n":"","ok":0})");
  x.FinishBatch();

  auto r0 = x.row(0);
  EXPECT_EQ(r0[0].kind, K::kDouble);
  EXPECT_EQ(r0[0].d, 229.7);
  EXPECT_EQ(r0[1].kind, K::kInt64);
  EXPECT_EQ(r0[1].i, -42);
  EXPECT_EQ(r0[3].kind, K::kBool);
  EXPECT_TRUE(r0[3].b);
  auto r1 = x.row(1);
  EXPECT_EQ(r1[0].d, 1000.0);
  EXPECT_EQ(r1[1].kind, K::kInt64);  // "3.0" is integral
  EXPECT_EQ(r1[1].i, 3);
  EXPECT_EQ(r1[3].kind, K::kBool);
  EXPECT_FALSE(r1[3].b);
  for (size_t row : {2u, 3u}) {  // spaces, trailing junk, NaN, out of range, 2, "yes"
    for (size_t c : {0u, 1u, 3u}) EXPECT_EQ(x.row(row)[c].kind, K::kNull) << row << "," << c;
  }
  auto r4 = x.row(4);
  EXPECT_EQ(r4[0].kind, K::kNull);  // empty strings convert to nothing
  EXPECT_EQ(r4[1].kind, K::kNull);
  EXPECT_EQ(r4[3].kind, K::kBool);  // the number 0
  EXPECT_FALSE(r4[3].b);
  auto nulls = x.null_counts();
  EXPECT_EQ(nulls[0][static_cast<size_t>(NullReason::kType)], 3u);
  EXPECT_EQ(nulls[1][static_cast<size_t>(NullReason::kType)], 3u);
  EXPECT_EQ(nulls[3][static_cast<size_t>(NullReason::kType)], 2u);
}

TEST(ColumnExtractorTest, FieldsThatComeAndGoAndInvalidPayloadsGiveNulls) {
  ColumnExtractor x = Make(Route());
  x.BeginBatch(4);
  x.AddRow("t", R"({"n":1})");
  x.AddRow("t", R"({"s":"x"})");
  x.AddRow("t", "not json");
  x.AddRow("t", R"({"n":3,"s":"y"})");
  x.FinishBatch();
  EXPECT_EQ(x.row(0)[1].i, 1);
  EXPECT_EQ(x.row(0)[2].kind, K::kNull);
  EXPECT_EQ(x.row(1)[1].kind, K::kNull);
  EXPECT_EQ(x.row(1)[2].s, "x");
  for (const ColumnValue& v : x.row(2)) EXPECT_EQ(v.kind, K::kNull);
  EXPECT_EQ(x.row(3)[2].s, "y");
  EXPECT_EQ(x.null_counts()[0][static_cast<size_t>(NullReason::kPayload)], 1u);
}

TEST(ColumnExtractorTest, CompressedPayloadsAreTypedFromTheirInflatedForm) {
  RouteOptions r = Route();
  r.pattern = "{root}/{compressed}";
  r.compressed_level = "compressed";
  ColumnExtractor x = Make(r);
  const std::string z = ZlibCompress(R"({"n":5,"s":"zipped"})");
  x.BeginBatch(3);
  x.AddRow("p/1", z);
  x.AddRow("p/0", R"({"n":6})");
  x.AddRow("p/1", "corrupt");
  x.FinishBatch();
  EXPECT_EQ(x.row(0)[1].i, 5);
  EXPECT_EQ(x.row(0)[2].s, "zipped");
  EXPECT_EQ(x.row(1)[1].i, 6);
  EXPECT_EQ(x.row(2)[1].kind, K::kNull);

  RouteOptions all = Route();
  all.payload_compression = PayloadCompression::kZlib;
  ColumnExtractor y = Make(all);
  y.BeginBatch(1);
  y.AddRow("p", z);
  y.FinishBatch();
  EXPECT_EQ(y.row(0)[1].i, 5);
}

TEST(ColumnExtractorTest, StringCellsStayValidWhileTheArenaGrows) {
  ColumnExtractor x = Make(Route());
  x.BeginBatch(1);
  std::vector<std::string> values;
  for (int i = 0; i < 500; ++i) values.push_back(std::string(static_cast<size_t>(i), 'a' + i % 26));
  for (const std::string& v : values) x.AddRow("t", R"({"s":")" + v + R"("})");
  x.FinishBatch();
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(x.row(i)[2].s, values[i]);
}

TEST(ColumnExtractorTest, RouteValidationNamesTheColumnField) {
  RouteOptions r = Route();
  std::string field;
  r.columns[1].name = "payload";
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "columns[1].name");
  r = Route();
  r.columns[2].pointer = "no-slash";
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "columns[2].pointer");
  r = Route();
  r.columns[4].time_format = "%Q";
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "columns[4].time_format");
  r = Route();
  r.format = format::BodyFormat::kJsonLines;
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "columns");
  r = Route();
  r.columns[0].name = "v";
  r.columns[1].name = "v";
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "columns[1].name");
}

}  // namespace
}  // namespace mqtt2s3::route

namespace mqtt2s3::route {
namespace {

TEST(ParquetRouteTest, PayloadsThatAreNotJsonAreDeadLetteredOnlyWhenTheColumnIsJsonTyped) {
  RouteOptions pq = Route();
  pq.columns.clear();
  RouteOptions jsonl = pq;
  jsonl.format = format::BodyFormat::kJsonLines;
  RouteOptions zipped = pq;
  zipped.payload_compression = PayloadCompression::kZlib;
  const auto now = std::chrono::system_clock::now();
  for (const auto& [route, refused] :
       {std::pair{pq, true}, std::pair{jsonl, false}, std::pair{zipped, false}}) {
    RouterOptions o;
    o.routes = {route};
    auto router = Router::Create(o);
    ASSERT_TRUE(router.ok()) << router.status().ToString();
    RouteResult r;
    EXPECT_EQ(router->Route("plant/b", "{\"ok\":1", now, 1, &r), !refused);
    if (refused) {
      EXPECT_EQ(r.reason, DeadLetterReason::kInvalidJson);
    }
    EXPECT_TRUE(router->Route("plant/b", "{\"ok\":1}", now, 2, &r)) << r.detail;
  }
}

TEST(ParquetRouteTest, ObjectsOfAParquetRouteAreNamedParquet) {
  RouteOptions r = Route();
  EXPECT_EQ(ObjectExtension(r), "parquet");
  EXPECT_EQ(r.EffectiveContentType(), "application/vnd.apache.parquet");
  r.format = format::BodyFormat::kJsonLines;
  EXPECT_EQ(ObjectExtension(r), "jsonl");
}

}  // namespace
}  // namespace mqtt2s3::route
