#include "s3/options.h"

#include <charconv>

namespace mqtt2s3::s3 {
namespace {

Status Bad(std::string_view field, std::string_view what) {
  return Status::InvalidArgument("s3 option '" + std::string(field) + "': " + std::string(what));
}

}  // namespace

StatusOr<Endpoint> ParseEndpoint(const std::string& endpoint) {
  Endpoint ep;
  std::string_view rest = endpoint;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    ep.https = true;
    rest.remove_prefix(8);
  } else {
    return Bad("endpoint", "'" + endpoint + "' must start with http:// or https://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return Bad("endpoint", "'" + endpoint + "' must be scheme://host[:port] without path or user");
  }
  std::string_view port_text;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return Bad("endpoint", "unclosed '[' in '" + endpoint + "'");
    ep.host = std::string(rest.substr(0, close + 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Bad("endpoint", "junk after ']' in '" + endpoint + "'");
      port_text = rest.substr(1);
    }
  } else {
    auto colon = rest.find(':');
    ep.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (ep.host.empty() || ep.host == "[]") return Bad("endpoint", "no host in '" + endpoint + "'");
  const uint16_t default_port = ep.https ? 443 : 80;
  ep.port = default_port;
  if (!port_text.empty() || (rest.ends_with(':'))) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return Bad("endpoint", "bad port in '" + endpoint + "'");
    }
    ep.port = static_cast<uint16_t>(value);
  }
  ep.host_port = ep.host;
  if (ep.port != default_port) ep.host_port += ":" + std::to_string(ep.port);
  return ep;
}

Status ClientOptions::Validate() const {
  if (endpoint.empty()) return Bad("endpoint", "empty; e.g. http://127.0.0.1:8000");
  if (auto ep = ParseEndpoint(endpoint); !ep.ok()) return ep.status();
  if (region.empty()) return Bad("region", "empty; e.g. us-east-1");
  if (access_key.empty()) return Bad("access_key", "empty");
  if (secret_key.empty()) return Bad("secret_key", "empty");
  if (connect_timeout.count() <= 0) return Bad("connect_timeout", "must be > 0");
  if (request_timeout.count() < 0) return Bad("request_timeout", "must be >= 0 (0 = none)");
  if (low_speed_time.count() < 0) return Bad("low_speed_time", "must be >= 0 (0 = off)");
  if (addressing == AddressingStyle::kVirtualHosted && !endpoint.empty()) {
    auto ep = ParseEndpoint(endpoint);
    if (ep.ok() && ep->host.find_first_not_of("0123456789.") == std::string::npos) {
      return Bad("addressing", "virtual-hosted style needs a DNS name, not the IP '" + ep->host + "'");
    }
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::s3
