#include "session_test_util.h"

#include <sys/wait.h>

#include <cstdlib>

namespace mqtt2s3::mqtt::testing {

int SeqOf(const std::string& payload) {
  if (payload.rfind("seq=", 0) != 0) return -1;
  int v = 0;
  size_t i = 4;
  if (i >= payload.size()) return -1;
  for (; i < payload.size() && payload[i] >= '0' && payload[i] <= '9'; ++i) {
    v = v * 10 + (payload[i] - '0');
  }
  return v;
}

TestSubscriber::TestSubscriber(SessionOptions options, bool auto_release)
    : guard_(io_.get_executor()),
      session_(std::make_unique<Session>(io_, std::move(options))),
      auto_release_(auto_release) {
  session_->SetMessageHandler([this](const InboundMessage& m) {
    Received r;
    r.topic = std::string(m.topic);
    r.payload = std::string(m.payload);
    r.qos = m.qos;
    r.dup = m.dup;
    r.token = m.token;
    for (const Property& p : m.properties) {
      if (p.id == PropertyId::kUserProperty) r.user_properties.emplace_back(p.data, p.value);
    }
    if (auto_release_ && m.token.valid()) session_->Release(m.token);
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back(std::move(r));
    cv_.notify_all();
  });
  session_->SetStateHandler([this](const SessionEvent& e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
    if (e.kind == SessionEvent::Kind::kConnected) {
      ++connected_;
      messages_at_last_connect_ = messages_.size();
    }
    if (e.kind == SessionEvent::Kind::kSubscribed) subscribed_ = true;
    if (e.kind == SessionEvent::Kind::kStopped) stopped_ = true;
    cv_.notify_all();
  });
  thread_ = std::thread([this] { io_.run(); });
}

TestSubscriber::~TestSubscriber() {
  (void)StopAndWait();
  guard_.reset();
  io_.stop();
  thread_.join();
}

bool TestSubscriber::StopAndWait() {
  session_->Stop();
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return stopped_; });
}

bool TestSubscriber::WaitSubscribed() {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return subscribed_; });
}

bool TestSubscriber::WaitConnectedCount(size_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return connected_ >= n; });
}

bool TestSubscriber::WaitForMessages(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

bool TestSubscriber::WaitForStats(const std::function<bool(const Session::Stats&)>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred(session_->stats())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred(session_->stats());
}

bool TestSubscriber::WaitForMessagesSinceLastConnect(size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  std::unique_lock<std::mutex> lock(mu_);
  while (std::chrono::steady_clock::now() < deadline) {
    if (messages_.size() - messages_at_last_connect_ == n) {
      const size_t seen = messages_.size();
      const size_t connects = connected_;
      cv_.wait_for(lock, std::chrono::milliseconds(300));
      if (messages_.size() == seen && connected_ == connects) return true;
      continue;
    }
    cv_.wait_until(lock, deadline);
  }
  return false;
}

std::vector<Received> TestSubscriber::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

std::vector<SessionEvent> TestSubscriber::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

size_t TestSubscriber::message_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_.size();
}

SessionOptions TestOptions(uint16_t port, const std::string& client_id, const std::string& filter,
                           QoS qos, ProtocolVersion version) {
  SessionOptions o;
  o.host = mqtt2s3::testing::StackEnv::Get().mqtt_host;
  o.port = port;
  o.client_id = client_id;
  o.version = version;
  o.clean_start = false;
  o.session_expiry_s = 600;
  o.keepalive = std::chrono::seconds(10);
  o.backoff.min_delay = std::chrono::milliseconds(50);
  o.backoff.max_delay = std::chrono::milliseconds(1000);
  o.subscriptions = {{filter, qos}};
  return o;
}

namespace {
int ExitStatus(int rc) { return rc == -1 ? -1 : (WIFEXITED(rc) ? WEXITSTATUS(rc) : 128); }
}  // namespace

int RunPaho(const std::string& args) {
  const std::string cmd = std::string(M2S_PYTHON) + " " + M2S_SOURCE_DIR +
                          "/tests/mqtt/publish_seq.py --host " +
                          mqtt2s3::testing::StackEnv::Get().mqtt_host + " " + args;
  return ExitStatus(std::system(cmd.c_str()));
}

int RunMosquittoPub(uint16_t port, const std::string& topic, const std::string& message, int qos,
                    ProtocolVersion version) {
  const std::string cmd = "mosquitto_pub -h " + mqtt2s3::testing::StackEnv::Get().mqtt_host +
                          " -p " + std::to_string(port) + " -q " + std::to_string(qos) + " -V " +
                          (version == ProtocolVersion::kV5 ? "mqttv5" : "mqttv311") + " -t '" +
                          topic + "' -m '" + message + "'";
  return ExitStatus(std::system(cmd.c_str()));
}

}  // namespace mqtt2s3::mqtt::testing
