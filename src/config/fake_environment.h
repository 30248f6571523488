// Test double for Environment: variables and files from maps, a fixed host name.
//
//   FakeEnvironment env(FakeEnvironment::Map{{"S3_ACCESS_KEY", "k"}});
//   LoadConfigFromString(yaml, "t.yaml", {.env = &env});
//
// Thread-safety: immutable after construction.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "config/environment.h"

namespace mqtt2s3::config {

class FakeEnvironment : public Environment {
 public:
  using Map = std::map<std::string, std::string>;

  explicit FakeEnvironment(Map vars = {}, Map files = {},
                           std::string host = "test-host.example")
      : vars_(std::move(vars)), files_(std::move(files)), host_(std::move(host)) {}

  std::optional<std::string> GetEnv(std::string_view name) const override {
    auto it = vars_.find(std::string(name));
    if (it == vars_.end()) return std::nullopt;
    return it->second;
  }
  StatusOr<std::string> ReadFile(const std::string& path) const override {
    auto it = files_.find(path);
    if (it == files_.end()) return Status::IOError("cannot read '" + path + "': no such file");
    return it->second;
  }
  std::string HostName() const override { return host_; }

 private:
  std::map<std::string, std::string> vars_;
  std::map<std::string, std::string> files_;
  std::string host_;
};

}  // namespace mqtt2s3::config
