// StackEnv: where the dev stack (scripts/dev-stack.sh) runs, for integration tests.
//
//   const StackEnv& env = StackEnv::Get();   // fails the test (ADD_FAILURE) if the stack is down
//   Connect(env.mqtt_host, env.mqtt_port);
//
// Values come from the process environment first, then from the env file named by
// $MQTT2S3_STACK_ENV (default: .dev-stack/stack.env under the source root). The file is
// shell-style KEY=VALUE lines as written by `scripts/dev-stack.sh up`.
// Thread-safety: Get() is safe from any thread (function-local static).
#pragma once

#include <cstdint>
#include <string>

namespace mqtt2s3::testing {

struct StackEnv {
  std::string mqtt_host = "127.0.0.1";
  uint16_t mqtt_port = 0;       // mosquitto
  uint16_t aedes_port = 0;      // second, independent broker (0 when not started)
  std::string s3_endpoint;      // e.g. http://127.0.0.1:8000
  std::string s3_region = "us-east-1";
  std::string s3_access_key;
  std::string s3_secret_key;
  std::string stack_dir;        // the dev stack's data dir
  std::string env_file;         // where the values were read from ("" if only environment)

  // True when both the broker and S3 are described.
  bool complete() const { return mqtt_port != 0 && !s3_endpoint.empty() && !s3_access_key.empty(); }

  // Loads once. On a missing or incomplete description, records a gtest failure naming
  // the file it looked at and how to start the stack, and returns what it has.
  static const StackEnv& Get();

  // The lookup itself (no gtest): environment first, then `file`.
  static StackEnv Load(const std::string& file);
};

// A test that cannot run here (a tool or service missing) skips with `reason`, except under
// CI=true, where every test must run: there it fails instead, so CI never passes a skip.
//   if (port == 0) { M2S_SKIP_UNLESS_CI("aedes not started by the dev stack"); }
bool InCi();
// It expands to an if/else: call it inside braces.
#define M2S_SKIP_UNLESS_CI(reason)                                   \
  if (::mqtt2s3::testing::InCi()) {                                  \
    FAIL() << "CI=true, so this test must run, but: " << (reason);   \
  } else                                                             \
    GTEST_SKIP() << (reason)

// Returns a name unique to this process and call, usable as a bucket name or topic level
// (lower case, digits and '-', starts with `prefix`).
std::string UniqueName(const std::string& prefix);

}  // namespace mqtt2s3::testing
