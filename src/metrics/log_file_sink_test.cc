#include "metrics/log_file_sink.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mqtt2s3::metrics {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LogFileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("m2s-logsink-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LogFileSinkTest, ReopenAfterRenameWritesToANewFileUnderTheName) {
  const fs::path log = dir_ / "mqtt2s3.log";
  auto sink = ReopenableFileSink::Open(log.string());
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  spdlog::logger logger("test", *sink);
  logger.set_pattern("%v");
  logger.info("before rotation");
  fs::rename(log, dir_ / "mqtt2s3.log.1");  // what logrotate does
  logger.info("still old file");
  ASSERT_TRUE((*sink)->Reopen().ok());
  logger.info("after reopen");
  EXPECT_EQ(Read(dir_ / "mqtt2s3.log.1"), "before rotation\nstill old file\n");
  EXPECT_EQ(Read(log), "after reopen\n");
}

TEST_F(LogFileSinkTest, OpenAppendsToAnExistingFile) {
  const fs::path log = dir_ / "a.log";
  std::ofstream(log) << "old\n";
  auto sink = ReopenableFileSink::Open(log.string());
  ASSERT_TRUE(sink.ok());
  spdlog::logger logger("test", *sink);
  logger.set_pattern("%v");
  logger.warn("new");
  EXPECT_EQ(Read(log), "old\nnew\n");
}

TEST_F(LogFileSinkTest, AnUnwritableDirectoryIsAnErrorNamingTheFile) {
  auto sink = ReopenableFileSink::Open((dir_ / "missing" / "x.log").string());
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find("missing/x.log"), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::metrics
