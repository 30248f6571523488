#include "config/environment.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mqtt2s3::config {

std::optional<std::string> ProcessEnvironment::GetEnv(std::string_view name) const {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

StatusOr<std::string> ProcessEnvironment::ReadFile(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IOError("cannot read '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("error reading '" + path + "'");
  return ss.str();
}

std::string ProcessEnvironment::HostName() const {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return {};
  return buf;
}

std::string SanitizeHostName(std::string_view host) {
  host = host.substr(0, host.find('.'));
  std::string out;
  for (char c : host.substr(0, 64)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    out.push_back(ok ? c : '-');
  }
  if (out.empty()) out = "mqtt2s3";
  return out;
}

}  // namespace mqtt2s3::config
