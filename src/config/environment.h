// What the loader needs from the process around it: environment variables, files holding
// secrets, and the host name. An interface so tests can load configs without touching the
// real environment.
//
//   ProcessEnvironment env;                  // the real one
//   FakeEnvironment fake({{"S3_ACCESS_KEY", "k"}});   // in tests (see config_test_util.h)
//
// Thread-safety: ProcessEnvironment reads getenv(), which is safe as long as nobody calls
// setenv() concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::config {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value; nullopt when unset.
  virtual std::optional<std::string> GetEnv(std::string_view name) const = 0;
  // The whole file; errors name the path (never the content).
  virtual StatusOr<std::string> ReadFile(const std::string& path) const = 0;
  // The machine's host name as reported by the OS.
  virtual std::string HostName() const = 0;
};

// The real process environment and file system.
class ProcessEnvironment : public Environment {
 public:
  std::optional<std::string> GetEnv(std::string_view name) const override;
  StatusOr<std::string> ReadFile(const std::string& path) const override;
  std::string HostName() const override;
};

// "build-01.example.com" -> "build-01"; characters outside [A-Za-z0-9._-] become '-'; at most
// 64 bytes; "mqtt2s3" when nothing usable remains.
std::string SanitizeHostName(std::string_view host);

}  // namespace mqtt2s3::config
