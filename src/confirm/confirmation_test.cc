#include "confirm/confirmation.h"

#include <gtest/gtest.h>

namespace mqtt2s3::confirm {
namespace {

std::string Encode(std::string_view instance, std::string_view bucket, std::string_view key,
                   const std::vector<std::string>& ids) {
  std::string out = "stale";
  ConfirmationEncoder enc;
  enc.Begin(instance, bucket, key, &out);
  for (const std::string& id : ids) enc.AddId(id);
  enc.Finish();
  return out;
}

TEST(Confirmation, RoundTripsEveryFieldInOrder) {
  const std::string payload = Encode("conv-a", "plant-1", "2018/a_b.jsonl", {"id2", "id1", "id2"});
  EXPECT_EQ(payload,
            R"({"v":1,"instance":"conv-a","bucket":"plant-1","key":"2018/a_b.jsonl",)"
            R"("ids":["id2","id1","id2"]})");
  auto c = ParseConfirmation(payload);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->instance, "conv-a");
  EXPECT_EQ(c->bucket, "plant-1");
  EXPECT_EQ(c->key, "2018/a_b.jsonl");
  EXPECT_EQ(c->ids, (std::vector<std::string>{"id2", "id1", "id2"}));
}

TEST(Confirmation, EscapesQuotesControlBytesAndInvalidUtf8ButKeepsValidUtf8) {
  const std::string odd = std::string("q\"b\\n\x01 \xc3\xa9 \xff", 12);
  auto c = ParseConfirmation(Encode("i", "b", "k", {odd}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->ids.size(), 1u);
  // Valid UTF-8 and ASCII come back as they were; the lone 0xff byte becomes U+00FF.
  EXPECT_EQ(c->ids[0], std::string("q\"b\\n\x01 \xc3\xa9 \xc3\xbf", 13));
}

TEST(Confirmation, EmptyIdListIsValid) {
  auto c = ParseConfirmation(Encode("i", "b", "k", {}));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->ids.empty());
}

TEST(Confirmation, RejectsMalformedPayloadsNamingTheField) {
  struct Case {
    const char* payload;
    const char* expected;
  } cases[] = {
      {"not json", "not valid JSON"},
      {R"({"v":2,"instance":"i","bucket":"b","key":"k","ids":[]})", "'v' must be 1"},
      {R"({"v":1,"bucket":"b","key":"k","ids":[]})", "'instance'"},
      {R"({"v":1,"instance":"i","bucket":3,"key":"k","ids":[]})", "'bucket'"},
      {R"({"v":1,"instance":"i","bucket":"b","ids":[]})", "'key'"},
      {R"({"v":1,"instance":"i","bucket":"b","key":"k"})", "'ids'"},
      {R"({"v":1,"instance":"i","bucket":"b","key":"k","ids":[1]})", "strings only"},
  };
  for (const Case& c : cases) {
    auto r = ParseConfirmation(c.payload);
    ASSERT_FALSE(r.ok()) << c.payload;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << c.payload << " -> " << r.status().message();
  }
}

}  // namespace
}  // namespace mqtt2s3::confirm
