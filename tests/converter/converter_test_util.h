// Shared harness of the converter integration tests: publishing with Paho (an MQTT
// implementation independent of ours), a converter running in-process on its own thread,
// and reading back what landed in S3 and what the broker still holds.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "converter/converter.h"
#include "route/route_options.h"
#include "s3/client.h"

namespace mqtt2s3::converter::testutil {

using namespace std::chrono_literals;

struct PubMessage {
  std::string topic;
  std::string payload;
  std::string user_property;  // MQTT 5 user property name (value "1"); "" = none
};

// Publishes at QoS 1 with Paho (MQTT 5 when any message has a user property) and waits for
// every PUBACK. Fails the test if the publisher does not succeed.
void PahoPublish(const std::vector<PubMessage>& messages);

// Runs scripts/demo/publish_welding.py with `args` against the stack's mosquitto.
void PublishWelding(const std::string& args);

// Publishes one QoS 1 message with mosquitto_pub.
void MosquittoPub(const std::string& topic, const std::string& payload);

route::RouteOptions MakeRoute(std::string filter, std::string pattern, std::string bucket,
                              std::string key);

// Options for the dev stack: broker, S3, instance "it", dead-letter bucket `<name>-dlq`,
// batches of at most 1000 messages / 1 hour (tests set the trigger they exercise).
ConverterOptions BaseOptions(const std::string& name);
// Where BaseOptions(name) puts the write-ahead log (not removed afterwards: a second
// converter with the same name recovers it).
std::string TestWalDir(const std::string& name);

std::unique_ptr<s3::Client> MakeClient(const s3::ClientOptions& o);

// A converter running on its own thread for the duration of a test.
class RunningConverter {
 public:
  explicit RunningConverter(const ConverterOptions& o);
  ~RunningConverter();
  Status Stop();  // graceful: flush, upload, ack, disconnect
  Converter& conv() { return *conv_; }

 private:
  std::unique_ptr<Converter> conv_;
  Status status_;
  std::thread thread_;
};

template <typename P>
bool WaitFor(P pred, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

// Every object of `bucket` (key -> body); empty when the bucket does not exist.
std::map<std::string, std::string> ReadBucket(const s3::Client& client, const std::string& bucket);
size_t CountObjects(const s3::Client& client, const std::string& bucket);

// Splits a body into its lines (the separator is "\n"; the last line ends with it too).
std::vector<std::string> Lines(const std::string& body);

// Connects with `client_id`'s persistent session and counts what the broker redelivers within
// `window`, acking everything.
size_t DrainSession(const std::string& client_id, const std::string& filter,
                    std::chrono::milliseconds window);

}  // namespace mqtt2s3::converter::testutil
