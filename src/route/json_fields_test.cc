#include "route/json_fields.h"

#include <gtest/gtest.h>

#include <string>

namespace mqtt2s3::route {
namespace {

std::string GetOk(JsonFields& f, std::string_view pointer) {
  std::string_view v;
  EXPECT_EQ(f.Get(pointer, &v), JsonFieldResult::kOk) << pointer;
  return std::string(v);
}

TEST(JsonFieldsTest, AFieldReadAgainAfterOtherFieldsStillHasItsValue) {
  JsonFields f;
  // Escaped strings are unescaped into the parser's string buffer, which the next read's
  // rewind reuses: a remembered value must not point there.
  f.Reset(R"({"a":"fir\u0073t","b":"sec\u006fnd","n":1.50,"t":true,"o":{"x":"deep"}})");
  EXPECT_EQ(GetOk(f, "/a"), "first");
  EXPECT_EQ(GetOk(f, "/b"), "second");
  EXPECT_EQ(GetOk(f, "/a"), "first");
  EXPECT_EQ(GetOk(f, "/o/x"), "deep");
  EXPECT_EQ(GetOk(f, "/n"), "1.50");
  EXPECT_EQ(GetOk(f, "/t"), "true");
  EXPECT_EQ(GetOk(f, "/b"), "second");
  EXPECT_EQ(GetOk(f, "/a"), "first");
  std::string_view v;
  EXPECT_EQ(f.Get("/missing", &v), JsonFieldResult::kMissing);
  EXPECT_EQ(f.Get("/missing", &v), JsonFieldResult::kMissing);
}

TEST(JsonFieldsTest, ResetForgetsThePreviousPayloadsFields) {
  JsonFields f;
  f.Reset(R"({"a":"one"})");
  EXPECT_EQ(GetOk(f, "/a"), "one");
  f.Reset(R"({"a":"two"})");
  EXPECT_EQ(GetOk(f, "/a"), "two");
  f.Reset(R"({"b":1})");
  std::string_view v;
  EXPECT_EQ(f.Get("/a", &v), JsonFieldResult::kMissing);
}

TEST(JsonFieldsTest, InvalidJsonStaysInvalidOnEveryRead) {
  JsonFields f;
  f.Reset("not json at all");
  std::string_view v;
  EXPECT_EQ(f.Get("/a", &v), JsonFieldResult::kInvalidJson);
  EXPECT_EQ(f.Get("/a", &v), JsonFieldResult::kInvalidJson);
  EXPECT_EQ(f.Get("/b", &v), JsonFieldResult::kInvalidJson);
}

}  // namespace
}  // namespace mqtt2s3::route
