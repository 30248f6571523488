#include "route/key_parse.h"

#include <gtest/gtest.h>

#include "route/router.h"

namespace mqtt2s3::route {
namespace {

constexpr int64_t kOct1At17 = 1538413200000;  // 2018-10-01T17:00:00Z

KeyTemplate Template(std::string_view text) {
  TemplateVocabulary v;
  v.level_names = {"root", "format", "compressed", "plant", "device", "type", "version"};
  v.batching = true;
  auto t = KeyTemplate::Parse(text, v);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(*t);
}

// Renders the key the router would write, then reads it back.
std::string Render(std::string_view key_template, std::string_view topic, const BatchKeyVars& v) {
  RouteOptions o;
  o.name = "r";
  o.filter = "#";
  o.bucket = "bucket";
  o.pattern = "{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}";
  o.key = std::string(key_template);
  RouterOptions ro;
  ro.routes = {o};
  ro.instance_id = "gw_1";
  auto router = Router::Create(ro);
  EXPECT_TRUE(router.ok()) << router.status().ToString();
  RouteResult r;
  // The batch's first event as the (only) message's time: a {first} directory is rendered
  // from it.
  const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(v.first_ms));
  EXPECT_TRUE(router->Route(topic, "{}", at, 1, &r)) << r.detail;
  std::string key;
  EXPECT_TRUE(router->RenderObjectKey(0, r.partial_key(), v, &key).ok());
  return key;
}

TEST(KeyParseTest, RecoversBatchValuesFromRenderedKeysTableDriven) {
  const BatchKeyVars vars{kOct1At17 + 1234, kOct1At17 + 1659000, 42, 10000};
  struct Case {
    std::string key_template;
    bool exact_times;  // {object_name} or {first}/{last} with milliseconds
  };
  const Case cases[] = {
      {"{first:%Y/%m/%d/%H}/{object_name}", true},
      {"{device}/{instance}-{first}_{last}-{partition_seq}-{count}.jsonl", true},
      {"{topic}/{first:%Y%m%d}/{instance}-{partition_seq:3}", false},
      {"{plant}-{device}/{object_name}", true},
  };
  for (const Case& c : cases) {
    const std::string key =
        Render(c.key_template, "COMPANY-X/JSON/0/1/WELD-ST_12/WELD/1", vars);
    auto parsed = ParseKeyWithTemplate(Template(c.key_template), key);
    ASSERT_TRUE(parsed.ok()) << key << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->partition_seq, 42u) << key;
    ASSERT_TRUE(parsed->first_ms.has_value()) << key;
    if (c.exact_times) {
      EXPECT_EQ(*parsed->first_ms, vars.first_ms) << key;
      EXPECT_EQ(*parsed->last_ms, vars.last_ms) << key;
    } else {
      EXPECT_EQ(*parsed->first_ms, 1538352000000) << key;  // the day, truncated
    }
  }
}

TEST(KeyParseTest, ObjectNameGivesInstanceAndCount) {
  const std::string key = Render("{device}/{count:5}/{object_name}",
                                 "COMPANY-X/JSON/0/1/D/WELD/1", {0, 1, 7, 99});
  EXPECT_EQ(key, "D/00099/19700101T000000.000Z_19700101T000000.001Z_gw%5F1_0000000007.jsonl");
  auto parsed = ParseKeyWithTemplate(Template("{device}/{count:5}/{object_name}"), key);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->object_name.has_value());
  EXPECT_EQ(parsed->object_name->instance, "gw_1");
  EXPECT_EQ(parsed->count, 99u);
}

TEST(KeyParseTest, KeysThatDoNotFitAreRejected) {
  const KeyTemplate t = Template("{first:%Y/%m/%d/%H}/{object_name}");
  for (std::string_view key : {"", "2018/10/01/17", "2018/10/01/17/x.jsonl",
                               "2018/10/01/17/a/20181001T170000.000Z_20181001T170000.000Z_g_0000000000",
                               "2018/13/01/17/20181001T170000.000Z_20181001T170000.000Z_g_0000000000"}) {
    auto parsed = ParseKeyWithTemplate(t, key);
    EXPECT_FALSE(parsed.ok()) << key;
  }
  EXPECT_FALSE(ParseKeyWithTemplate(Template("{device}/{instance}-{partition_seq}"), "d/g-42").ok());
}

}  // namespace
}  // namespace mqtt2s3::route
