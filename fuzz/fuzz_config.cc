// libFuzzer target for the config loader: the input is a YAML config file's text. The loader
// must never crash or let an exception out (yaml-cpp throws; config_loader.cc must catch), every
// error line must name the file ("fuzz.yaml:line:col: ..." or "fuzz.yaml: ..."), and a config
// that loads must dump (DumpEffective) to YAML that loads again.
// Crashes, sanitizer reports and __builtin_trap() on a broken invariant are the findings.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "config/config_loader.h"
#include "config/config_render.h"
#include "config/fake_environment.h"

namespace {

using mqtt2s3::StatusOr;
using mqtt2s3::config::Config;
using mqtt2s3::config::FakeEnvironment;
using mqtt2s3::config::LoadConfigFromString;
using mqtt2s3::config::LoadOptions;

constexpr std::string_view kFileName = "fuzz.yaml";

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Every variable and file the seed corpus (examples/*.yaml) refers to, so inputs near the
// seeds get past secret resolution and reach the round trip.
const FakeEnvironment& Env() {
  static const FakeEnvironment* env = new FakeEnvironment(
      FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "AKIDFUZZ"},
                           {"AWS_SECRET_ACCESS_KEY", "fuzz-secret"},
                           {"S3_ACCESS_KEY", "AKIDFUZZ"},
                           {"S3_SECRET_KEY", "fuzz-secret"},
                           {"MQTT_PASSWORD", "fuzz-password"}},
      FakeEnvironment::Map{{"secrets/s3_access_key", "AKIDFUZZ"},
                           {"secrets/s3_secret_key", "fuzz-secret"},
                           {"secrets/mqtt_password", "fuzz-password"}},
      "fuzz-host.example");
  return *env;
}

// The documented message shape: one error per line, each starting with the file name.
void CheckErrorMessage(const std::string& message) {
  Check(!message.empty());
  size_t start = 0;
  while (start <= message.size()) {
    size_t nl = message.find('\n', start);
    std::string_view line = std::string_view(message).substr(
        start, nl == std::string::npos ? std::string::npos : nl - start);
    Check(line.substr(0, kFileName.size()) == kFileName);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

StatusOr<Config> Load(std::string_view yaml, bool resolve_secrets) {
  try {
    return LoadConfigFromString(yaml, kFileName,
                                LoadOptions{.env = &Env(), .resolve_secrets = resolve_secrets});
  } catch (...) {
    // An exception crossed the module boundary: a bug in the loader (status.h's rule).
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  // Alternate secret resolution on the input's length, so one run costs one load.
  const bool resolve_secrets = size % 2 == 0;
  StatusOr<Config> cfg = Load(yaml, resolve_secrets);
  // FUZZ_VERBOSE=1 ./fuzz_config file...: shows what each input did (for triage).
  static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "load: %s\n", cfg.ok() ? "ok" : cfg.status().message().c_str());
  }
  if (!cfg.ok()) {
    CheckErrorMessage(cfg.status().message());
    return 0;
  }
  // Successful loads are rare and cheap next to the parse: always check the round trip.
  std::string dumped;
  try {
    dumped = mqtt2s3::config::DumpEffective(*cfg);
  } catch (...) {
    __builtin_trap();
  }
  StatusOr<Config> again = Load(dumped, resolve_secrets);
  if (verbose && !again.ok()) {
    std::fprintf(stderr, "reload of the dump failed: %s\n--- dump:\n%s\n",
                 again.status().message().c_str(), dumped.c_str());
  }
  Check(again.ok());
  return 0;
}
