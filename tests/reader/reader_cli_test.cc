// `mqtt2s3 ls | inspect | get` as a user runs them, against objects in the dev stack's RGW.
// Credentials reach the binary through the environment (--endpoint mode), as documented.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "mqtt2s3/reader.h"
#include "reader_fixture.h"
#include "stack_env.h"

namespace mqtt2s3 {
namespace {

using testing::ReaderFixture;
using testing::StackEnv;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs the binary with `args` (shell-quoted here), credentials in the environment.
CliRun Mqtt2s3(const std::vector<std::string>& args) {
  const StackEnv& env = StackEnv::Get();
  setenv("AWS_ACCESS_KEY_ID", env.s3_access_key.c_str(), 1);
  setenv("AWS_SECRET_ACCESS_KEY", env.s3_secret_key.c_str(), 1);
  const std::string dir = ::testing::TempDir();
  const std::string out = dir + "/reader_cli_out." + std::to_string(getpid());
  const std::string err = dir + "/reader_cli_err." + std::to_string(getpid());
  std::string cmd = Quote(MQTT2S3_BIN);
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " >" + out + " 2>" + err;
  CliRun r;
  int status = std::system(cmd.c_str());
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

std::vector<std::string> Common(const std::string& command) {
  const StackEnv& env = StackEnv::Get();
  return {command, "--endpoint", env.s3_endpoint, "--bucket", ReaderFixture::Get().bucket};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(ReaderCli, LsListsOnlyObjectsOverlappingTheRangeWithTheirTimes) {
  const ReaderFixture& f = ReaderFixture::Get();
  auto args = Common("ls");
  args.insert(args.end(), {"--prefix", "plant-1/", "--from", "2018-10-01 17:00", "--to",
                           "2018-10-01T17:30:00Z"});
  CliRun r = Mqtt2s3(args);
  ASSERT_EQ(r.code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;  // header + the small object
  EXPECT_EQ(lines[1], "2018-10-01T17:00:00.000Z\t2018-10-01T17:00:04.000Z\t" +
                          std::to_string(f.small.body_bytes) + "\tgw-1\t1\t" + f.small.key);
  EXPECT_NE(r.err.find(f.stray_key), std::string::npos) << r.err;  // reported, not hidden
  EXPECT_NE(r.err.find("1 LIST, 0 HEAD, 0 GET"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(StackEnv::Get().s3_secret_key), std::string::npos);

  auto all = Common("ls");
  CliRun everything = Mqtt2s3(all);
  ASSERT_EQ(everything.code, 0) << everything.err;
  EXPECT_EQ(Lines(everything.out).size(), 4u) << everything.out;
}

TEST(ReaderCli, InspectShowsTheIndexAndClustersOfTheWeldingObject) {
  const ReaderFixture& f = ReaderFixture::Get();
  auto args = Common("inspect");
  args.insert(args.end(), {"--key", f.welding.key, "--verify-body"});
  CliRun r = Mqtt2s3(args);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const std::string& want :
       {std::string("format version:  1\n"), std::string("messages:        10000\n"),
        std::string("first event:     2018-10-01T18:00:00.000Z\n"),
        "companion object '" + f.welding.index_key + "'", std::string("index checksum:  ok"),
        std::string("body checksum:   ok"), std::string("clusters:        10\n"),
        std::string("  robot-07\t1000 message(s)\tbytes ")}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
}

TEST(ReaderCli, InspectOfACorruptIndexFailsWithAChecksumError) {
  const ReaderFixture& f = ReaderFixture::Get();
  auto args = Common("inspect");
  args.insert(args.end(), {"--key", f.corrupt.key});
  CliRun r = Mqtt2s3(args);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f.corrupt.key), std::string::npos) << r.err;
}

TEST(ReaderCli, GetOneDeviceWritesItsPayloadsAndReportsRequests) {
  const ReaderFixture& f = ReaderFixture::Get();
  const std::string file = ::testing::TempDir() + "/reader_cli_get." + std::to_string(getpid());
  auto args = Common("get");
  args.insert(args.end(), {"--key", f.welding.key, "--device", "robot-02", "--payload-only",
                           "--out", file});
  CliRun r = Mqtt2s3(args);
  ASSERT_EQ(r.code, 0) << r.err;
  std::string expected;
  for (size_t i = 2; i < f.welding.payloads.size(); i += 10) expected += f.welding.payloads[i] + "\n";
  EXPECT_EQ(Slurp(file), expected);
  std::remove(file.c_str());
  // Payloads only: the group directory in the metadata, no index GET (FORMAT.md 3.3).
  EXPECT_NE(r.err.find("1 object(s), 1 through the group directory"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1000 message(s)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0 LIST, 1 HEAD, 1 GET"), std::string::npos) << r.err;
  // --no-directory: the index, then one ranged GET; the same bytes.
  args.push_back("--no-directory");
  r = Mqtt2s3(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Slurp(file), expected);
  std::remove(file.c_str());
  EXPECT_NE(r.err.find("1 object(s), 0 through the group directory"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("0 LIST, 1 HEAD, 2 GET"), std::string::npos) << r.err;
}

TEST(ReaderCli, GetByIndexKeyAndTimePrintsOneLine) {
  const ReaderFixture& f = ReaderFixture::Get();
  const int64_t t = f.welding.times[42];
  auto args = Common("get");
  args.insert(args.end(), {"--key", f.welding.key, "--index-key", f.welding.index_keys[42],
                           "--from", std::to_string(t), "--to", std::to_string(t + 1)});
  CliRun r = Mqtt2s3(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, FormatTimeMs(t) + "\t" + f.welding.index_keys[42] +
                       "\tfactory/weld/telemetry\t" + f.welding.payloads[42] + "\n");
}

TEST(ReaderCli, ConfigFileSuppliesEndpointAndCredentials) {
  const ReaderFixture& f = ReaderFixture::Get();
  const StackEnv& env = StackEnv::Get();
  setenv("READER_CLI_ACCESS", env.s3_access_key.c_str(), 1);
  setenv("READER_CLI_SECRET", env.s3_secret_key.c_str(), 1);
  const std::string config = ::testing::TempDir() + "/reader_cli." + std::to_string(getpid()) +
                             ".yaml";
  {
    std::ofstream out(config);
    out << "instance_id: reader-cli\n"
        << "broker:\n  port: 1883\n"
        << "subscriptions:\n  - filter: \"x/#\"\n"
        << "s3:\n  endpoint: " << env.s3_endpoint << "\n"
        << "  access_key_env: READER_CLI_ACCESS\n  secret_key_env: READER_CLI_SECRET\n"
        << "routes:\n  - name: r\n    filter: \"x/#\"\n    bucket: b\n"
        << "    key: \"{topic}/{object_name}\"\n";
  }
  CliRun r = Mqtt2s3({"inspect", "--config", config, "--bucket", f.bucket, "--key", f.small.key});
  std::remove(config.c_str());
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("messages:        5\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("index:           inline in metadata"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("0 LIST, 1 HEAD, 0 GET"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(env.s3_secret_key), std::string::npos);
}

TEST(ReaderCli, HelpExplainsEveryFlag) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"ls", {"--config", "--endpoint", "--region", "--bucket", "--prefix", "--from", "--to"}},
      {"inspect", {"--config", "--endpoint", "--bucket", "--key", "--verify-body",
                   "--max-clusters"}},
      {"get", {"--key", "--index-key", "--prefix", "--device", "--device-component", "--from",
               "--to", "--out", "--payload-only", "--dedupe", "--max-gap"}}};
  for (const auto& [command, flags] : commands) {
    CliRun r = Mqtt2s3({command, "--help"});
    EXPECT_EQ(r.code, 0) << command;
    for (const auto& flag : flags) {
      EXPECT_NE(r.out.find(flag), std::string::npos) << command << " " << flag << "\n" << r.out;
    }
  }
}

TEST(ReaderCli, UsageErrorsExitTwo) {
  CliRun no_target = Mqtt2s3({"ls", "--bucket", "b"});
  EXPECT_EQ(no_target.code, 2) << no_target.err;
  EXPECT_NE(no_target.err.find("--config FILE or --endpoint URL"), std::string::npos);
  auto args = Common("ls");
  args.insert(args.end(), {"--from", "yesterday"});
  CliRun bad_time = Mqtt2s3(args);
  EXPECT_EQ(bad_time.code, 2);
  EXPECT_NE(bad_time.err.find("time 'yesterday'"), std::string::npos) << bad_time.err;
}

}  // namespace
}  // namespace mqtt2s3
