#include "backup_test_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "confirm/confirmation.h"
#include "converter_test_util.h"
#include "mqtt2s3/reader.h"
#include "route/dedupe_id.h"
#include "route/object_name.h"
#include "route/router.h"
#include "stack_env.h"

namespace mqtt2s3::backup::testutil {

using mqtt2s3::testing::StackEnv;
using namespace std::chrono_literals;

BackupOptions StackOptions(const std::string& name, const std::string& wal_dir,
                           std::chrono::milliseconds timeout) {
  const StackEnv& env = StackEnv::Get();
  BackupOptions o;
  o.session.host = env.mqtt_host;
  o.session.port = env.mqtt_port;
  o.session.client_id = name + "-backup";
  o.session.clean_start = false;
  o.session.receive_maximum = 1000;
  o.session.subscriptions.push_back({name + "/#", mqtt::QoS::kAtLeastOnce});
  o.s3.endpoint = env.s3_endpoint;
  o.s3.region = env.s3_region;
  o.s3.access_key = env.s3_access_key;
  o.s3.secret_key = env.s3_secret_key;
  route::RouteOptions r;
  r.name = "r";
  r.filter = name + "/#";
  r.bucket = name;
  r.index_key = "{topic}";
  o.router.routes.push_back(r);
  o.router.instance_id = "it";
  o.format.index_object_prefix = "_index/";
  o.default_policy.max_messages = 50;  // several objects per partition
  o.uploader.max_concurrent_uploads = 4;
  o.wal.dir = wal_dir;
  o.wal.segment_bytes = 64 * 1024;  // several segments, so deletion is exercised
  o.wal.disk_budget_bytes = 64 << 20;
  o.confirm_topic = name + "-confirm";
  o.confirm_timeout = timeout;
  o.dead_letter_bucket = name + "-dlq";
  o.shutdown_grace = 10s;
  o.summary_interval = 2s;
  return o;
}

uint64_t FaultMessages() {
  const char* env = std::getenv("MQTT2S3_BACKUP_FAULT_MESSAGES");
  const uint64_t n = env ? std::strtoull(env, nullptr, 10) : 0;
  return n <= 300 ? 300 : (n + 299) / 300 * 300;
}

std::string Topic(const std::string& name, uint64_t seq) {
  return name + "/dev-" + std::to_string(seq % 3);
}

std::string Payload(uint64_t seq) {
  return "{\"seq\":" + std::to_string(seq) + ",\"pad\":\"" + std::string(200, 'x') + "\"}";
}

std::string ExpectedId(const BackupOptions& o, uint64_t seq) {
  // One router per test bucket (routes differ only by it); tests call this from one thread.
  static std::map<std::string, std::unique_ptr<route::Router>> routers;
  std::unique_ptr<route::Router>& router = routers[o.router.routes[0].bucket];
  if (!router) {
    auto made = route::Router::Create(o.router);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    router = std::make_unique<route::Router>(std::move(*made));
  }
  route::RouteResult r;
  const std::string topic = Topic(o.router.routes[0].bucket, seq);
  const std::string payload = Payload(seq);
  std::string id;
  if (router->Route(topic, payload, std::chrono::system_clock::now(), 0, &r)) {
    route::AppendDedupeId(router->route(static_cast<size_t>(r.route_index)), r, std::nullopt,
                          topic, payload, &id);
  } else {
    route::AppendContentHash(topic, payload, &id);
  }
  return id;
}

void PublishSeqs(const std::string& name, uint64_t first, uint64_t count) {
  std::vector<converter::testutil::PubMessage> msgs;
  for (uint64_t s = first; s < first + count; ++s) msgs.push_back({Topic(name, s), Payload(s), ""});
  converter::testutil::PahoPublish(msgs);
}

void PublishConfirmation(const BackupOptions& o, const std::vector<uint64_t>& seqs) {
  confirm::ConfirmationEncoder enc;
  std::string payload;
  enc.Begin("it", o.router.routes[0].bucket, "simulated-object", &payload);
  for (uint64_t s : seqs) enc.AddId(ExpectedId(o, s));
  enc.Finish();
  converter::testutil::PahoPublish({{o.confirm_topic, payload, ""}});
}

Found ReadObjects(const s3::Client& client, const BackupOptions& o, const std::string& bucket,
                  const std::string& prefix) {
  Found f;
  std::shared_ptr<const s3::Client> shared(&client, [](const s3::Client*) {});
  Reader reader(shared);
  auto listed = reader.ListObjects(bucket, prefix);
  if (!listed.ok()) return f;  // bucket not created yet
  std::map<std::string, uint64_t> id_to_seq;
  for (const ListedBatch& b : listed->objects) {
    auto obj = reader.Open(bucket, b.key);
    EXPECT_TRUE(obj.ok()) << obj.status().ToString();
    if (!obj.ok()) continue;
    ++f.objects;
    ++f.instances[b.instance];
    auto fetched = reader.Fetch(*obj, Reader::Select(*obj, Selector{}));
    EXPECT_TRUE(fetched.ok()) << fetched.status().ToString();
    if (!fetched.ok()) continue;
    for (const Message& m : fetched->messages) {
      ++f.messages;
      ++f.instance_messages[b.instance];
      const size_t at = m.payload.find("\"seq\":");
      EXPECT_NE(at, std::string::npos) << m.payload;
      if (at == std::string::npos) continue;
      const uint64_t seq = std::strtoull(m.payload.c_str() + at + 6, nullptr, 10);
      ++f.copies[seq];
      if (m.dedupe_id != ExpectedId(o, seq)) ++f.wrong_ids;
    }
  }
  return f;
}

RunningBackup::RunningBackup(const BackupOptions& o)
    : consumer_(std::make_unique<BackupConsumer>(o, converter::testutil::MakeClient(o.s3))),
      thread_([this] { status_ = consumer_->Run(false); }) {
  EXPECT_TRUE(consumer_->WaitSubscribed(10s)) << "backup consumer did not subscribe";
}

RunningBackup::~RunningBackup() { (void)Stop(); }

Status RunningBackup::Stop() {
  consumer_->Shutdown();
  if (thread_.joinable()) thread_.join();
  return status_;
}

ChildProcess::ChildProcess(const std::vector<std::string>& args, const std::string& log_file)
    : log_file_(log_file) {
  const StackEnv& env = StackEnv::Get();
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    setenv("AWS_ACCESS_KEY_ID", env.s3_access_key.c_str(), 1);
    setenv("AWS_SECRET_ACCESS_KEY", env.s3_secret_key.c_str(), 1);
    std::vector<char*> argv;
    std::string bin = MQTT2S3_BIN;
    argv.push_back(bin.data());
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  EXPECT_GT(pid_, 0) << "fork failed";
}

ChildProcess::~ChildProcess() { Kill9(); }

void ChildProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int ChildProcess::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {  // 30 s
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(100ms);
  }
  Kill9();
  return -1;
}

bool ChildProcess::WaitForLog(const std::string& text, std::chrono::milliseconds limit) const {
  return WaitFor(
      [&] {
        std::ifstream in(log_file_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str().find(text) != std::string::npos;
      },
      limit);
}

std::string ChildProcess::LastLogLine(const std::string& text) const {
  std::ifstream in(log_file_);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find(text) != std::string::npos) last = line;
  }
  return last;
}

TempDir::TempDir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + "-XXXXXX";
  char* made = mkdtemp(templ.data());
  EXPECT_NE(made, nullptr);
  path_ = templ;
}

TempDir::~TempDir() {
  if (::testing::Test::HasFailure()) {
    std::printf("[ kept ] %s (the test failed)\n", path_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace mqtt2s3::backup::testutil
