#include "route/key_sanitizer.h"

#include <gtest/gtest.h>

#include <string>

namespace mqtt2s3::route {
namespace {

std::string Component(std::string_view v) {
  std::string out;
  AppendKeyComponent(v, &out);
  return out;
}

TEST(KeySanitizerTest, HostileValuesBecomeOneSafeComponent) {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"plain-Value_1.json", "plain-Value_1.json"},
      {"", "_"},
      {".", "%2E"},
      {"..", "%2E%2E"},
      {"...", "..."},
      {"../etc", "..%2Fetc"},
      {"a/b", "a%2Fb"},
      {"/", "%2F"},
      {"100%", "100%25"},
      {"%2F", "%252F"},
      {"a\\b", "a%5Cb"},
      {std::string("a\0b", 3), "a%00b"},
      {"tab\there", "tab%09here"},
      {"del\x7F", "del%7F"},
      {"{x}", "%7Bx%7D"},
      {"a#b|c", "a%23b%7Cc"},
      {"space ok", "space ok"},
      {"caf\xC3\xA9", "caf\xC3\xA9"},                // valid UTF-8 kept
      {"\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC"},
      {"\xF0\x9F\x94\xA5", "\xF0\x9F\x94\xA5"},      // 4-byte emoji kept
      {"bad\xFF", "bad%FF"},                          // invalid byte encoded
      {"\xC3", "%C3"},                                // truncated sequence
      {"\xC0\xAF", "%C0%AF"},                         // overlong '/'
      {"\xED\xA0\x80", "%ED%A0%80"},                  // surrogate
  };
  for (const auto& c : cases) EXPECT_EQ(Component(c.in), c.out) << c.in;
}

TEST(KeySanitizerTest, EncodedOutputNeverContainsSlashOrControlCharacters) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string out = Component(all);
  for (char c : out) {
    EXPECT_NE(c, '/');
    EXPECT_GE(static_cast<unsigned char>(c), 0x20);
    EXPECT_NE(c, 0x7F);
  }
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(KeySanitizerTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc\xC3\xA9"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
}

TEST(KeySanitizerTest, BucketNamesFollowS3Rules) {
  struct Case {
    const char* name;
    bool valid;
  };
  const Case cases[] = {
      {"company-x-plant-1", true}, {"abc", true},        {"a.b.c", true},
      {"ab", false},               {"-abc", false},      {"abc-", false},
      {"a..b", false},             {"Abc", false},       {"a_b", false},
      {"192.168.1.1", false},      {"192.168.1", true},  {"xn--abc", false},
      {"abc-s3alias", false},      {"a.-b", false},      {"a b", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(BucketNameProblem(c.name).empty(), c.valid) << c.name;
  }
  EXPECT_FALSE(BucketNameProblem(std::string(64, 'a')).empty());
  EXPECT_TRUE(BucketNameProblem(std::string(63, 'a')).empty());
}

TEST(KeySanitizerTest, BucketValuesAreLowerCasedOrForcedIntoBucketCharacters) {
  std::string a;
  AppendBucketValue("COMPANY-X", &a);
  EXPECT_EQ(a, "company-x");
  std::string b;
  AppendBucketishValue("Plant_7 \xC3\xA9", &b);
  EXPECT_EQ(b, "plant-7---");
}

}  // namespace
}  // namespace mqtt2s3::route
