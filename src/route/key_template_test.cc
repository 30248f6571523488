#include "route/key_template.h"

#include <gtest/gtest.h>

#include <string>

#include "route/object_name.h"
#include <vector>

namespace mqtt2s3::route {
namespace {

using std::chrono::system_clock;

TemplateVocabulary Welding(TemplateTarget target = TemplateTarget::kKey) {
  TemplateVocabulary v;
  v.level_names = {"root", "format", "compressed", "plant", "device", "type", "version"};
  v.target = target;
  return v;
}

class RenderHarness {
 public:
  explicit RenderHarness(std::string topic, std::string payload = "{}")
      : topic_(std::move(topic)), payload_(std::move(payload)) {
    size_t start = 0;
    while (true) {
      size_t slash = topic_.find('/', start);
      levels_.push_back(std::string_view(topic_).substr(
          start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    json_.Reset(payload_);
    time_ = ToCivilUtc(system_clock::time_point(std::chrono::seconds(1795313405)));
  }

  DeadLetterReason Render(std::string_view text, std::string* out, std::string* detail,
                          TemplateTarget target = TemplateTarget::kKey,
                          RenderLimits limits = {}) {
    auto t = KeyTemplate::Parse(text, Welding(target));
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return DeadLetterReason::kNone;
    RenderInput in;
    in.topic = topic_;
    in.levels = &levels_;
    in.json = &json_;
    in.receive_time = &time_;
    in.seq = 42;
    in.instance = "gw-1";
    in.route = "welding";
    json_.Reset(payload_);
    return t->Render(in, limits, out, detail);
  }

  std::string Ok(std::string_view text) {
    std::string out, detail;
    DeadLetterReason r = Render(text, &out, &detail);
    EXPECT_EQ(r, DeadLetterReason::kNone) << detail;
    return out;
  }

 private:
  std::string topic_;
  std::string payload_;
  std::vector<std::string_view> levels_;
  JsonFields json_;
  CivilTimeUtc time_;
};

TEST(KeyTemplateTest, RendersEveryPlaceholderKind) {
  RenderHarness h("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1",
                  R"({"weldspot":{"Timestamp":"2026-11-22T02:10:05.123Z","Id":17,"Ok":true}})");
  EXPECT_EQ(h.Ok("{device}/{type}/{version}/{json:/weldspot/Timestamp}-{seq}.json"),
            "WELDING-STATION-12/WELD/1/2026-11-22T02:10:05.123Z-0000000042.json");
  EXPECT_EQ(h.Ok("{level:0}/{level:6}"), "COMPANY-X/1");
  EXPECT_EQ(h.Ok("{topic}"), "COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1");
  EXPECT_EQ(h.Ok("{receive_time:%Y/%m/%d/%H}/x"), "2026/11/22/02/x");
  EXPECT_EQ(h.Ok("t-{receive_time}"), "t-20261122T021005Z");
  EXPECT_EQ(h.Ok("{instance}/{route}/{seq:3}/{seq:1}"), "gw-1/welding/042/42");
  EXPECT_EQ(h.Ok("{json:/weldspot/Id}-{json:/weldspot/Ok}"), "17-true");
}

TEST(KeyTemplateTest, PayloadValuesCannotEscapeTheirComponent) {
  RenderHarness h("a/b", R"({"s":"../../etc/passwd","dot":"..","e":"","p":"50%","u":"\u00e9\u65e5","n":"a\u0000b"})");
  EXPECT_EQ(h.Ok("x/{json:/s}"), "x/..%2F..%2Fetc%2Fpasswd");
  EXPECT_EQ(h.Ok("x/{json:/dot}/y"), "x/%2E%2E/y");
  EXPECT_EQ(h.Ok("x/{json:/e}/y"), "x/_/y");
  EXPECT_EQ(h.Ok("x/{json:/p}"), "x/50%25");
  EXPECT_EQ(h.Ok("x/{json:/u}"), "x/\xC3\xA9\xE6\x97\xA5");
  EXPECT_EQ(h.Ok("x/{json:/n}"), "x/a%00b");
}

TEST(KeyTemplateTest, TopicLevelsAreEncodedToo) {
  RenderHarness h("../%/\\//\xFF");
  EXPECT_EQ(h.Ok("{level:0}/{level:1}/{level:2}/{level:3}/{level:4}"), "%2E%2E/%25/%5C/_/%FF");
  EXPECT_EQ(h.Ok("{topic}"), "%2E%2E/%25/%5C/_/%FF");
}

TEST(KeyTemplateTest, MissingLevelsAndFieldsAreDeadLetters) {
  RenderHarness h("a/b", R"({"x":{"y":1},"n":null,"arr":[1]})");
  std::string out, detail;
  EXPECT_EQ(h.Render("{device}", &out, &detail), DeadLetterReason::kMissingField);
  EXPECT_NE(detail.find("{device}"), std::string::npos) << detail;
  EXPECT_NE(detail.find("'a%2Fb'"), std::string::npos) << detail;
  for (const char* t : {"{json:/nope}", "{json:/x}", "{json:/n}", "{json:/arr}", "{json:/x/y/z}"}) {
    out.clear();
    EXPECT_EQ(h.Render(t, &out, &detail), DeadLetterReason::kMissingField) << t;
  }
  EXPECT_EQ(h.Ok("{json:/arr/0}"), "1");
}

TEST(KeyTemplateTest, InvalidJsonIsADeadLetter) {
  for (const char* payload : {"not json", "", "{\"a\":", "\xFF\xFE", "{\"a\": 12abc}"}) {
    RenderHarness h("a", payload);
    std::string out, detail;
    EXPECT_EQ(h.Render("{json:/a}", &out, &detail), DeadLetterReason::kInvalidJson) << payload;
  }
}

TEST(KeyTemplateTest, OverLongValuesAndKeysAreInvalidKeys) {
  RenderHarness h(std::string(2000, 'L') + "/b");
  std::string out, detail;
  EXPECT_EQ(h.Render("{level:0}", &out, &detail), DeadLetterReason::kInvalidKey);
  EXPECT_NE(detail.find("{level:0} is 2000 bytes"), std::string::npos) << detail;
  out.clear();
  RenderLimits wide{2000, 1024};
  EXPECT_EQ(h.Render("{level:0}", &out, &detail, TemplateTarget::kKey, wide),
            DeadLetterReason::kInvalidKey);
  EXPECT_NE(detail.find("key is 2000 bytes, limit 1024"), std::string::npos) << detail;
}

TEST(KeyTemplateTest, BucketTemplatesLowerCaseValues) {
  RenderHarness h("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1");
  std::string out, detail;
  EXPECT_EQ(h.Render("{root}-plant-{plant}", &out, &detail, TemplateTarget::kBucket),
            DeadLetterReason::kNone);
  EXPECT_EQ(out, "company-x-plant-1");
}

TEST(KeyTemplateTest, ParseErrorsQuoteTheTemplateAndColumn) {
  struct Bad {
    const char* text;
    const char* why;
    TemplateTarget target = TemplateTarget::kKey;
  };
  const Bad cases[] = {
      {"", "empty template"},
      {"a/{devise}", "column 3: unknown placeholder '{devise}'"},
      {"a/{device", "column 3: '{' without '}'"},
      {"a}", "column 2: '}' without '{'"},
      {"{level:x}", "{level:N}"},
      {"{json:a}", "JSON pointer"},
      {"{json:/a~2}", "'~0' or '~1'"},
      {"{seq:0}", "width W in 1..20"},
      {"{seq:21}", "width W in 1..20"},
      {"{receive_time:%Q}", "unsupported specifier"},
      {"a{receive_time:}", "empty time format"},
      {"{topic:x}", "takes no argument"},
      {"{first:/a}", "batch placeholder"},
      {"/{device}", "must not start with '/'"},
      {"{device}/", "must not end with '/'"},
      {"a//{device}", "'//'"},
      {"a/../{device}", "'.' or '..' component"},
      {"./{device}", "'.' or '..' component"},
      {"{receive_time:%Y/}./x", "'.' or '..' component"},
      {"a\tb", "control character"},
      {"a\xFF", "not valid UTF-8"},
      {"{topic}", "cannot be in a bucket", TemplateTarget::kBucket},
      {"Plant-{plant}", "[a-z0-9.-]", TemplateTarget::kBucket},
  };
  for (const auto& c : cases) {
    auto t = KeyTemplate::Parse(c.text, Welding(c.target));
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_NE(t.status().message().find(c.why), std::string::npos) << t.status().message();
    EXPECT_NE(t.status().message().find(std::string("template '") + c.text + "'"),
              std::string::npos)
        << t.status().message();
  }
}

TEST(KeyTemplateTest, JsonPlaceholdersNeedAJsonPayload) {
  TemplateVocabulary v = Welding();
  v.allow_json = false;
  auto t = KeyTemplate::Parse("{json:/a}", v);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("payload to be json"), std::string::npos);
}

TEST(KeyTemplateTest, SegmentsAreParsedOnce) {
  auto t = KeyTemplate::Parse("x{device}-{seq:4}.json", Welding());
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->segments().size(), 5u);
  EXPECT_EQ(t->segments()[0].kind, SegmentKind::kLiteral);
  EXPECT_EQ(t->segments()[1].kind, SegmentKind::kNamedLevel);
  EXPECT_EQ(t->segments()[1].number, 4u);
  EXPECT_EQ(t->segments()[3].kind, SegmentKind::kSeq);
  EXPECT_EQ(t->segments()[3].number, 4u);
  EXPECT_FALSE(t->uses_json());
}

TEST(KeyTemplateTest, BatchPlaceholdersParseOnlyInBatchingKeysTableDriven) {
  TemplateVocabulary batching = Welding();
  batching.batching = true;
  struct Case {
    std::string text;
    bool ok;
    std::string why;
  };
  const Case cases[] = {
      {"{first:%Y%m%d}/{last:%H}/{partition_seq:3}/{count:5}/{object_name}", true, ""},
      {"{first:}", false, "empty time format"},
      {"{first:%Q}", false, "unsupported specifier"},
      {"{first:%Y/../%m}", false, "'.' or '..'"},
      {"{partition_seq:0}", false, "width in 1..20"},
      {"{partition_seq:21}", false, "width in 1..20"},
      {"{count:x}", false, "width in 1..20"},
      {"{object_name:x}", false, "takes no argument"},
      {"{seq}/{object_name}", false, "{seq} numbers single messages"},
      {"/{object_name}", false, "must not start with '/'"},
      {"{first:%Y/}/{object_name}", false, "'//'"},
  };
  for (const Case& c : cases) {
    auto t = KeyTemplate::Parse(c.text, batching);
    EXPECT_EQ(t.ok(), c.ok) << c.text;
    if (!c.ok && !t.ok()) {
      EXPECT_NE(t.status().message().find(c.why), std::string::npos) << t.status().message();
    }
  }
  TemplateVocabulary bucket = Welding(TemplateTarget::kBucket);
  bucket.batching = true;
  auto b = KeyTemplate::Parse("b-{partition_seq}", bucket);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("batch placeholder"), std::string::npos);
}

TEST(KeyTemplateTest, BatchPlaceholdersRenderAsSlotsAndFillDeterministically) {
  TemplateVocabulary batching = Welding();
  batching.batching = true;
  auto t = KeyTemplate::Parse("{plant}/{last:%Y%m%d}/{count:3}-{object_name}", batching);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->has_batch_slots());
  EXPECT_FALSE(t->partitions_by_event_time());
  std::vector<std::string_view> levels = {"COMPANY-X", "JSON", "0", "{1}", "D", "WELD", "1"};
  JsonFields json;
  CivilTimeUtc civil;
  RenderInput in;
  in.levels = &levels;
  in.json = &json;
  in.receive_time = &civil;
  std::string partial, detail;
  ASSERT_EQ(t->Render(in, {}, &partial, &detail), DeadLetterReason::kNone) << detail;
  EXPECT_EQ(partial, "%7B1%7D/{2}/{4}-{6}");
  std::string key;
  ASSERT_TRUE(t->FillSlots(partial, {1538413200000, 1538413200999, 7, 12}, "gw", "jsonl", &key)
                  .ok());
  EXPECT_EQ(key,
            "%7B1%7D/20181001/012-20181001T170000.000Z_20181001T170000.999Z_gw_0000000007.jsonl");
  // {first} in a directory is rendered from the message's event time, not left as a slot.
  auto p = KeyTemplate::Parse("{plant}/{first:%Y%m%d}/{object_name}", batching);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->partitions_by_event_time());
  partial.clear();
  EXPECT_EQ(p->Render(in, {}, &partial, &detail), DeadLetterReason::kMissingField);
  EXPECT_NE(detail.find("no event time"), std::string::npos) << detail;
  const CivilTimeUtc event = CivilFromEpochMs(1538413200000);
  in.event_time = &event;
  partial.clear();
  ASSERT_EQ(p->Render(in, {}, &partial, &detail), DeadLetterReason::kNone) << detail;
  EXPECT_EQ(partial, "%7B1%7D/20181001/{4}");
  // The slot growth bound covers the longest values.
  EXPECT_GE(partial.size() + t->MaxSlotGrowth(MaxObjectNameBytes("gw", "jsonl")),
            partial.size() - 9 + 8 + 20 + MaxObjectNameBytes("gw", "jsonl"));
}

}  // namespace
}  // namespace mqtt2s3::route
