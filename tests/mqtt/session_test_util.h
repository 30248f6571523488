// Helpers for the MQTT session integration tests: a subscriber that runs a Session on its own
// io thread and records what it receives, and wrappers around the independent publishers
// (Paho via tests/mqtt/publish_seq.py, mosquitto_pub).
//
// Thread-safety: TestSubscriber's accessors lock; handlers run on its io thread.
// Every wait is bounded (kWait) so a broken broker fails a test instead of hanging it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "mqtt/session.h"
#include "stack_env.h"

namespace mqtt2s3::mqtt::testing {

inline constexpr std::chrono::seconds kWait{30};

struct Received {
  std::string topic;
  std::string payload;
  QoS qos = QoS::kAtMostOnce;
  bool dup = false;
  AckToken token;
  std::vector<std::pair<std::string, std::string>> user_properties;
};

// "seq=17...." -> 17; -1 when the payload has no sequence number.
int SeqOf(const std::string& payload);

class TestSubscriber {
 public:
  // auto_release: release every token inside the message handler (acks go out at once).
  TestSubscriber(SessionOptions options, bool auto_release);
  ~TestSubscriber();

  void Start() { session_->Start(); }
  // Stops the session and waits for kStopped.
  bool StopAndWait();
  bool WaitSubscribed();
  bool WaitConnectedCount(size_t n);
  bool WaitForMessages(size_t n, std::chrono::milliseconds timeout = kWait);
  // Waits until n messages arrived after the latest kConnected event and none arrives for a
  // short quiet period (the connection is stable).
  bool WaitForMessagesSinceLastConnect(size_t n);
  // Waits until pred(stats) holds.
  bool WaitForStats(const std::function<bool(const Session::Stats&)>& pred);

  std::vector<Received> messages() const;
  std::vector<SessionEvent> events() const;
  size_t message_count() const;
  Session& session() { return *session_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::unique_ptr<Session> session_;
  const bool auto_release_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> messages_;
  std::vector<SessionEvent> events_;
  size_t connected_ = 0;
  size_t messages_at_last_connect_ = 0;
  bool subscribed_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

// Options for a test session against `port` with one subscription.
SessionOptions TestOptions(uint16_t port, const std::string& client_id, const std::string& filter,
                           QoS qos, ProtocolVersion version);

// Runs tests/mqtt/publish_seq.py with `args`; returns its exit status.
int RunPaho(const std::string& args);
// Publishes one message with mosquitto_pub; returns its exit status.
int RunMosquittoPub(uint16_t port, const std::string& topic, const std::string& message, int qos,
                    ProtocolVersion version);

}  // namespace mqtt2s3::mqtt::testing
