#include "converter/flush_command.h"

#include <gtest/gtest.h>

namespace mqtt2s3::converter {
namespace {

using Scope = FlushCommand::Scope;

TEST(FlushCommandTest, EmptyOrEmptyObjectFlushesEverything) {
  for (const char* p : {"", "  \n", "{}", " { } "}) {
    auto cmd = ParseFlushCommand(p);
    ASSERT_TRUE(cmd.ok()) << p << ": " << cmd.status().ToString();
    EXPECT_EQ(cmd->scope, Scope::kAll) << p;
    EXPECT_TRUE(cmd->target.empty());
  }
}

TEST(FlushCommandTest, BucketAndPartitionScopes) {
  auto b = ParseFlushCommand(R"({"bucket":"company-x-plant-1"})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->scope, Scope::kBucket);
  EXPECT_EQ(b->target, "company-x-plant-1");
  auto p = ParseFlushCommand(R"({"partition":"company-x-plant-1/2018/10/01"})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scope, Scope::kPartition);
  EXPECT_EQ(p->target, "company-x-plant-1/2018/10/01");
}

TEST(FlushCommandTest, MalformedCommandsNameTheProblem) {
  struct Case {
    const char* payload;
    const char* expect;
  } cases[] = {
      {"flush", "not JSON"},
      {"[1]", "expected a JSON object"},
      {R"({"buckets":"x"})", "unknown field 'buckets'"},
      {R"({"bucket":"a","partition":"b"})", "not both"},
      {R"({"bucket":""})", "non-empty string"},
      {R"({"bucket":7})", "non-empty string"},
  };
  for (const auto& c : cases) {
    auto cmd = ParseFlushCommand(c.payload);
    ASSERT_FALSE(cmd.ok()) << c.payload;
    EXPECT_NE(cmd.status().message().find(c.expect), std::string::npos)
        << c.payload << " -> " << cmd.status().message();
  }
}

}  // namespace
}  // namespace mqtt2s3::converter
