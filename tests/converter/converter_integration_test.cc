// The first converter against the real dev stack (mosquitto + Ceph RGW): every message becomes
// one object, acks go out only after the upload, hostile topics stay inside the route's
// prefix, and what cannot be routed is dead-lettered. Messages are published by Paho
// (python3-paho-mqtt), an implementation independent of ours.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "converter/converter.h"
#include "mqtt/session.h"
#include "s3/client.h"
#include "stack_env.h"

namespace mqtt2s3::converter {
namespace {

using namespace std::chrono_literals;
using testing::StackEnv;
using testing::UniqueName;

// Publishes (topic, payload) pairs at QoS 1 with Paho and waits for every PUBACK.
void PahoPublish(const std::vector<std::pair<std::string, std::string>>& messages) {
  const StackEnv& env = StackEnv::Get();
  std::string file = "/tmp/" + UniqueName("pub") + ".json";
  {
    std::ofstream out(file);
    out << "[";
    for (size_t i = 0; i < messages.size(); ++i) {
      auto hex = [](const std::string& s) {
        static const char* d = "0123456789abcdef";
        std::string h;
        for (unsigned char c : s) {
          h += d[c >> 4];
          h += d[c & 15];
        }
        return h;
      };
      out << (i ? "," : "") << "[\"" << hex(messages[i].first) << "\",\"" << hex(messages[i].second)
          << "\"]";
    }
    out << "]";
  }
  std::string cmd =
      "/usr/bin/python3 -c '"
      "import json,sys,time,paho.mqtt.client as m\n"
      "msgs=json.load(open(sys.argv[1]))\n"
      "c=m.Client(client_id=\"\",protocol=m.MQTTv311)\n"
      "c.connect(\"" + env.mqtt_host + "\"," + std::to_string(env.mqtt_port) + ")\n"
      "c.loop_start()\n"
      "infos=[c.publish(bytes.fromhex(t).decode(\"utf-8\"),bytes.fromhex(p),qos=1) for t,p in msgs]\n"
      "[i.wait_for_publish(10) for i in infos]\n"
      "c.loop_stop()\n"
      "sys.exit(0 if all(i.is_published() for i in infos) else 1)' " + file;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "paho publisher failed";
  std::remove(file.c_str());
}

route::RouteOptions MakeRoute(std::string filter, std::string pattern, std::string bucket,
                              std::string key) {
  route::RouteOptions r;
  r.name = "r";
  r.filter = std::move(filter);
  r.pattern = std::move(pattern);
  r.bucket = std::move(bucket);
  r.key = std::move(key);
  return r;
}

ConverterOptions BaseOptions(const std::string& name) {
  const StackEnv& env = StackEnv::Get();
  ConverterOptions o;
  o.session.host = env.mqtt_host;
  o.session.port = env.mqtt_port;
  o.session.client_id = name;
  o.session.clean_start = false;
  o.s3.endpoint = env.s3_endpoint;
  o.s3.region = env.s3_region;
  o.s3.access_key = env.s3_access_key;
  o.s3.secret_key = env.s3_secret_key;
  o.router.instance_id = "it";
  o.dead_letter_bucket = name + "-dlq";
  o.upload_concurrency = 4;
  o.shutdown_grace = 5s;
  return o;
}

std::unique_ptr<s3::Client> MakeClient(const s3::ClientOptions& o) {
  auto c = s3::Client::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

// Runs a converter on its own thread for the duration of a test.
class RunningConverter {
 public:
  explicit RunningConverter(ConverterOptions o)
      : conv_(o, MakeClient(o.s3)), thread_([this] { status_ = conv_.Run(false); }) {
    EXPECT_TRUE(conv_.WaitConnected(10s)) << "converter did not connect";
  }
  ~RunningConverter() { (void)Stop(); }
  Status Stop() {
    conv_.Shutdown();
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  Converter& conv() { return conv_; }

 private:
  Converter conv_;
  Status status_;
  std::thread thread_;
};

// Waits until `pred` holds, at most `limit`.
template <typename P>
bool WaitFor(P pred, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

std::map<std::string, std::string> ReadBucket(const s3::Client& client, const std::string& bucket) {
  std::map<std::string, std::string> out;
  auto list = client.ListAllObjects(bucket, {});
  if (!list) return out;
  for (const auto& obj : list.value().objects) {
    auto got = client.GetObject(bucket, obj.key);
    EXPECT_TRUE(got) << got.error().ToString();
    if (got) out[obj.key] = got.value().body;
  }
  return out;
}

// Connects with `client_id`'s persistent session and counts what the broker redelivers within
// `window`, acking everything (so the session is clean afterwards).
size_t DrainSession(const std::string& client_id, const std::string& filter,
                    std::chrono::milliseconds window) {
  const StackEnv& env = StackEnv::Get();
  boost::asio::io_context io;
  mqtt::SessionOptions o;
  o.host = env.mqtt_host;
  o.port = env.mqtt_port;
  o.client_id = client_id;
  o.clean_start = false;
  o.subscriptions = {{filter, mqtt::QoS::kAtLeastOnce}};
  mqtt::Session session(io, o);
  size_t n = 0;
  session.SetMessageHandler([&](const mqtt::InboundMessage& m) {
    ++n;
    session.Release(m.token);
  });
  session.Start();
  io.run_for(window);
  session.Stop();
  io.run_for(1s);
  return n;
}

TEST(ConverterIntegrationTest, EveryMessageBecomesOneObjectAndIsAckedAfterUpload) {
  const std::string name = UniqueName("conv");
  ConverterOptions o = BaseOptions(name);
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(
      MakeRoute(name + "/+/+", "{root}/{plant}/{device}", "{root}-{plant}", "{device}/{json:/seq}.json"));
  std::vector<std::pair<std::string, std::string>> msgs;
  for (int i = 0; i < 30; ++i) {
    msgs.push_back({name + "/p1/dev" + std::to_string(i % 3),
                    "{\"seq\":" + std::to_string(i) + ",\"v\":\"x\"}"});
  }
  auto client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PahoPublish(msgs);
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().uploaded == 30; }, 30s))
        << "uploaded " << rc.conv().stats().uploaded;
    ASSERT_TRUE(rc.Stop().ok());
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.received, 30u);
    EXPECT_EQ(s.acks_released, 30u);
    EXPECT_EQ(s.dead_lettered, 0u);
  }
  auto objects = ReadBucket(*client, name + "-p1");
  ASSERT_EQ(objects.size(), 30u);
  for (int i = 0; i < 30; ++i) {
    std::string key = "dev" + std::to_string(i % 3) + "/" + std::to_string(i) + ".json";
    ASSERT_TRUE(objects.count(key)) << key;
    EXPECT_EQ(objects[key], msgs[static_cast<size_t>(i)].second) << "payload stored byte for byte";
  }
  auto head = client->HeadObject(name + "-p1", "dev0/0.json");
  ASSERT_TRUE(head);
  EXPECT_EQ(head.value().metadata.at("topic"), name + "/p1/dev0");
  EXPECT_EQ(head.value().metadata.at("route"), "r");
  // Every ack went out before the DISCONNECT: the session has nothing left to redeliver.
  EXPECT_EQ(DrainSession(name, name + "/#", 1500ms), 0u);
}

TEST(ConverterIntegrationTest, NothingIsAckedWhileS3IsUnreachable) {
  const std::string name = UniqueName("down");
  ConverterOptions o = BaseOptions(name);
  o.s3.endpoint = "http://127.0.0.1:1";  // nothing listens there
  o.s3.connect_timeout = 200ms;
  o.upload_retry = {50ms, 200ms};
  o.shutdown_grace = 1s;
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/#", "", "b-" + name, "{seq}"));
  {
    RunningConverter rc(o);
    PahoPublish({{name + "/a", "1"}, {name + "/b", "2"}, {name + "/c", "3"}});
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().received == 3; }, 10s));
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().upload_retries >= 3; }, 10s));
    ASSERT_TRUE(rc.Stop().ok());
    ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.uploaded, 0u);
    EXPECT_EQ(s.acks_released, 0u);
    EXPECT_EQ(s.abandoned_on_shutdown, 3u);
  }
  // The broker still holds all three for the session: nothing was lost.
  EXPECT_EQ(DrainSession(name, name + "/#", 2s), 3u);
}

TEST(ConverterIntegrationTest, HostileTopicLevelsStayInsideTheRoutePrefix) {
  const std::string name = UniqueName("hostile");
  ConverterOptions o = BaseOptions(name);
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/+/+", "{root}/{plant}/{device}", "{root}",
                                     "data/{plant}/{device}/{seq}.json"));
  const std::vector<std::string> devices = {"..", ".", "", "%2F%2E%2E", "a\\b",
                                            "Schwei\xC3\x9F" "ger\xC3\xA4t-\xE2\x9C\x93",
                                            std::string(600, 'x')};
  std::vector<std::pair<std::string, std::string>> msgs;
  for (const auto& d : devices) msgs.push_back({name + "/p/" + d, "{}"});
  msgs.push_back({name + "/p/ok/extra-level", "{}"});  // matches no route
  auto client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PahoPublish(msgs);
    ASSERT_TRUE(WaitFor([&] {
      auto s = rc.conv().stats();
      return s.uploaded + s.dead_lettered == msgs.size();
    }, 30s));
    ASSERT_TRUE(rc.Stop().ok());
    EXPECT_EQ(rc.conv().stats().acks_released, msgs.size());
  }
  auto stored = ReadBucket(*client, name);
  auto dead = ReadBucket(*client, name + "-dlq");
  EXPECT_EQ(stored.size() + dead.size(), msgs.size()) << "nothing dropped";
  EXPECT_GE(stored.size(), 5u);
  for (const auto& [key, body] : stored) {
    EXPECT_EQ(key.rfind("data/p/", 0), 0u) << key;
    EXPECT_EQ(key.find("/../"), std::string::npos) << key;
    EXPECT_EQ(key.find("/./"), std::string::npos) << key;
    EXPECT_EQ(key.find("//"), std::string::npos) << key;
    EXPECT_LE(key.size(), 1024u);
  }
  std::set<std::string> reasons;
  for (const auto& [key, body] : dead) reasons.insert(key.substr(0, key.find('/', 12)));
  EXPECT_TRUE(reasons.count("dead-letter/no_route")) << "the extra-level topic";
}

TEST(ConverterIntegrationTest, WrongSecretKeyFailsAtStartWithoutLeakingIt) {
  const std::string name = UniqueName("badkey");
  ConverterOptions o = BaseOptions(name);
  o.s3.secret_key = "wrong-secret-key-0123456789";
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(MakeRoute(name + "/#", "", "", "{seq}"));
  Converter conv(o, MakeClient(o.s3));
  Status st = conv.Run(false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied) << st.ToString();
  EXPECT_NE(st.message().find("SignatureDoesNotMatch"), std::string::npos) << st.ToString();
  EXPECT_EQ(st.message().find(o.s3.secret_key), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::converter
