// docs/CONFIG.md is generated from the config table. This test fails when the checked-in
// file differs; regenerate with:
//   MQTT2S3_UPDATE_DOCS=1 <build-dir>/src/config/config_docs_test
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config_render.h"

namespace mqtt2s3::config {
namespace {

const std::string kDocPath = std::string(MQTT2S3_SOURCE_DIR) + "/docs/CONFIG.md";

TEST(ConfigDocsTest, CheckedInConfigReferenceMatchesTheTable) {
  const std::string want = RenderConfigMarkdown();
  const char* update = std::getenv("MQTT2S3_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(kDocPath, std::ios::binary | std::ios::trunc) << want;
  }
  std::ifstream in(kDocPath, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << kDocPath;
  std::ostringstream have;
  have << in.rdbuf();
  EXPECT_TRUE(have.str() == want)
      << kDocPath << " is out of date with src/config/config_table.cc; regenerate it with\n"
      << "  MQTT2S3_UPDATE_DOCS=1 " << ::testing::internal::GetArgvs()[0];
}

TEST(ConfigDocsTest, ReferenceDocumentsEveryKey) {
  const std::string md = RenderConfigMarkdown();
  for (const char* key : {"`broker.port`", "`broker.tls.verify`", "`subscriptions[].qos`",
                          "`s3.secret_key_env`", "`routes[].key`", "`dead_letter.prefix`",
                          "`logging.format`", "`s3.secret_key`", "{json:/a/b}",
                          "`batch.max_messages`", "`routes[].batch.max_age`",
                          "`routes[].time_format`", "`flush.control_topic`",
                          "`upload.part_size`", "`service.shutdown_grace`", "{object_name}",
                          "{partition_seq}"}) {
    EXPECT_NE(md.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace mqtt2s3::config
