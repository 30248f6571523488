#include "stack_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>

namespace mqtt2s3::testing {
namespace {

std::map<std::string, std::string> ReadEnvFile(const std::string& file) {
  std::map<std::string, std::string> kv;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    if (key.rfind("export ", 0) == 0) key = key.substr(7);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    kv[key] = value;
  }
  return kv;
}

}  // namespace

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

StackEnv StackEnv::Load(const std::string& file) {
  auto kv = ReadEnvFile(file);
  auto get = [&](const char* key) -> std::string {
    if (const char* v = std::getenv(key); v != nullptr && *v != '\0') return v;
    auto it = kv.find(key);
    return it == kv.end() ? std::string() : it->second;
  };
  StackEnv env;
  env.env_file = kv.empty() ? "" : file;
  if (auto v = get("MQTT_HOST"); !v.empty()) env.mqtt_host = v;
  if (auto v = get("MQTT_PORT"); !v.empty()) env.mqtt_port = static_cast<uint16_t>(std::stoi(v));
  if (auto v = get("AEDES_PORT"); !v.empty()) env.aedes_port = static_cast<uint16_t>(std::stoi(v));
  env.s3_endpoint = get("S3_ENDPOINT");
  if (auto v = get("S3_REGION"); !v.empty()) env.s3_region = v;
  env.s3_access_key = get("S3_ACCESS_KEY");
  env.s3_secret_key = get("S3_SECRET_KEY");
  env.stack_dir = get("MQTT2S3_STACK_DIR");
  return env;
}

const StackEnv& StackEnv::Get() {
  static const StackEnv env = [] {
    std::string file;
    if (const char* f = std::getenv("MQTT2S3_STACK_ENV"); f != nullptr && *f != '\0') {
      file = f;
    } else {
      file = ".dev-stack/stack.env";  // tests run with the source root as working directory
    }
    return Load(file);
  }();
  if (!env.complete()) {
    ADD_FAILURE() << "dev stack not described: read environment and '"
                  << (std::getenv("MQTT2S3_STACK_ENV") ? std::getenv("MQTT2S3_STACK_ENV")
                                                       : ".dev-stack/stack.env")
                  << "'; start it with `scripts/dev-stack.sh up` (make test does this)";
  }
  return env;
}

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 100000000;
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(ms) + "-" +
         std::to_string(counter++);
}

}  // namespace mqtt2s3::testing
