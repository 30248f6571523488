// ClientOptions: everything an S3 Client needs, with documented defaults, and the parsed form
// of the endpoint. Options hold no runtime state.
//
//   ClientOptions o;
//   o.endpoint = "http://127.0.0.1:8000"; o.access_key = ...; o.secret_key = ...;
//   M2S_RETURN_IF_ERROR(o.Validate());
//
// Thread-safety: a value type.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace mqtt2s3::s3 {

enum class AddressingStyle {
  kPath,           // http://host:port/bucket/key   (RGW default; works with IP endpoints)
  kVirtualHosted,  // http://bucket.host:port/key   (AWS default; needs wildcard DNS)
};

struct ClientOptions {
  // "http://host:port" or "https://host[:port]"; no path. IPv6 hosts in brackets.
  std::string endpoint;
  // Signing region. RGW accepts any; AWS needs the bucket's region.
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // temporary credentials only
  // CreateBucket's LocationConstraint. nullopt: the region, except none for us-east-1 (AWS
  // rules). "": never send one. Ceph RGW only accepts its zonegroup's api name ("default" on
  // a fresh cluster) or none, and answers InvalidLocationConstraint to anything else.
  std::optional<std::string> location_constraint;
  AddressingStyle addressing = AddressingStyle::kPath;

  // HTTPS: the peer certificate and host name are verified unless this is set explicitly.
  bool insecure_skip_tls_verify = false;
  // PEM CA bundle for HTTPS; empty uses the system store.
  std::string ca_file;

  // TCP + TLS connect limit per attempt.
  std::chrono::milliseconds connect_timeout{5000};
  // Whole-request limit (0 = none). Sized for a 64 MiB part on a slow link.
  std::chrono::milliseconds request_timeout{300000};
  // Abort a transfer slower than 1 KiB/s for this long (0 = off); catches stalled peers
  // well before request_timeout.
  std::chrono::seconds low_speed_time{30};

  // Idle curl handles (each keeps its keep-alive connections) kept for reuse; more
  // concurrent callers than this still work, their extra handles are closed after use.
  std::size_t max_idle_handles = 16;

  // Hash request bodies into the signature. false sends UNSIGNED-PAYLOAD (saves one SHA-256
  // pass over every body; only sensible over HTTPS).
  bool sign_payload = true;

  std::string user_agent = "mqtt2s3/0.1";

  // Names the wrong field: "s3 option 'endpoint': ...".
  Status Validate() const;
};

// An endpoint split into its parts; `host_port` omits the scheme's default port, as the Host
// header must for the signature to match what the server sees.
struct Endpoint {
  bool https = false;
  std::string host;       // "127.0.0.1", "s3.amazonaws.com", "[::1]"
  uint16_t port = 0;      // explicit or the scheme's default
  std::string host_port;  // "127.0.0.1:8000", "s3.amazonaws.com"
  std::string scheme() const { return https ? "https" : "http"; }
};

StatusOr<Endpoint> ParseEndpoint(const std::string& endpoint);

}  // namespace mqtt2s3::s3
