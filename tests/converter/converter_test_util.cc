#include "converter_test_util.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mqtt/session.h"
#include "stack_env.h"

namespace mqtt2s3::converter::testutil {

using testing::StackEnv;
using testing::UniqueName;

namespace {

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h += d[c >> 4];
    h += d[c & 15];
  }
  return h;
}

}  // namespace

void PahoPublish(const std::vector<PubMessage>& messages) {
  const StackEnv& env = StackEnv::Get();
  std::string file = "/tmp/" + UniqueName("pub") + ".json";
  bool v5 = false;
  {
    std::ofstream out(file);
    out << "[";
    for (size_t i = 0; i < messages.size(); ++i) {
      v5 = v5 || !messages[i].user_property.empty();
      out << (i ? "," : "") << "[\"" << Hex(messages[i].topic) << "\",\""
          << Hex(messages[i].payload) << "\",\"" << messages[i].user_property << "\"]";
    }
    out << "]";
  }
  std::string cmd =
      std::string(M2S_PYTHON) + " -c '"
      "import json,sys,paho.mqtt.client as m\n"
      "from paho.mqtt.properties import Properties\n"
      "from paho.mqtt.packettypes import PacketTypes\n"
      "msgs=json.load(open(sys.argv[1]))\n"
      "c=m.Client(client_id=\"\",protocol=m.MQTTv5 if sys.argv[2]==\"5\" else m.MQTTv311)\n"
      "c.max_inflight_messages_set(1000)\n"
      "c.connect(\"" + env.mqtt_host + "\"," + std::to_string(env.mqtt_port) + ")\n"
      "c.loop_start()\n"
      "def props(u):\n"
      "  if not u: return None\n"
      "  p=Properties(PacketTypes.PUBLISH); p.UserProperty=(u,\"1\"); return p\n"
      "infos=[c.publish(bytes.fromhex(t).decode(\"utf-8\"),bytes.fromhex(p),qos=1,"
      "properties=props(u)) for t,p,u in msgs]\n"
      "[i.wait_for_publish(30) for i in infos]\n"
      "c.loop_stop()\n"
      "sys.exit(0 if all(i.is_published() for i in infos) else 1)' " +
      file + (v5 ? " 5" : " 3");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "paho publisher failed";
  std::remove(file.c_str());
}

void PublishWelding(const std::string& args) {
  const StackEnv& env = StackEnv::Get();
  std::string cmd = std::string(M2S_PYTHON) + " scripts/demo/publish_welding.py --host " + env.mqtt_host +
                    " --port " + std::to_string(env.mqtt_port) + " " + args + " >/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

void MosquittoPub(const std::string& topic, const std::string& payload) {
  const StackEnv& env = StackEnv::Get();
  std::string cmd = "mosquitto_pub -h " + env.mqtt_host + " -p " + std::to_string(env.mqtt_port) +
                    " -q 1 -t '" + topic + "' -m '" + payload + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
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
  o.session.receive_maximum = 65535;
  o.s3.endpoint = env.s3_endpoint;
  o.s3.region = env.s3_region;
  o.s3.access_key = env.s3_access_key;
  o.s3.secret_key = env.s3_secret_key;
  o.router.instance_id = "it";
  o.dead_letter_bucket = name + "-dlq";
  o.batcher.default_policy.max_messages = 1000;
  o.batcher.default_policy.max_age = std::chrono::hours(1);
  o.uploader.max_concurrent_uploads = 4;
  o.shutdown_grace = 10s;
  // The default ack mode (on-wal) needs a log directory: a fresh one per test name.
  o.wal.dir = TestWalDir(name);
  std::filesystem::remove_all(o.wal.dir);
  return o;
}

std::string TestWalDir(const std::string& name) {
  return (std::filesystem::temp_directory_path() / "mqtt2s3-it-wal" / name).string();
}

std::unique_ptr<s3::Client> MakeClient(const s3::ClientOptions& o) {
  auto c = s3::Client::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

RunningConverter::RunningConverter(const ConverterOptions& o)
    : conv_(std::make_unique<Converter>(o, MakeClient(o.s3))),
      thread_([this] { status_ = conv_->Run(false); }) {
  EXPECT_TRUE(conv_->WaitConnected(10s)) << "converter did not connect";
}

RunningConverter::~RunningConverter() { (void)Stop(); }

Status RunningConverter::Stop() {
  conv_->Shutdown();
  if (thread_.joinable()) thread_.join();
  return status_;
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

size_t CountObjects(const s3::Client& client, const std::string& bucket) {
  auto list = client.ListAllObjects(bucket, {});
  return list ? list.value().objects.size() : 0;
}

std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    out.push_back(body.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

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

}  // namespace mqtt2s3::converter::testutil
