// TlsOptions: MQTT over TLS for a Session (docs/TLS.md). The broker's certificate is always
// verified, against ca_file or the system store, and its name (server_name, or the host) is
// checked; there is deliberately no switch to turn verification off.
//
//   SessionOptions o;  o.host = "broker.plant.example"; o.port = 8883;
//   o.tls.enabled = true;
//   o.tls.ca_file = "/etc/mqtt2s3/broker-ca.pem";           // or empty: system store
//   o.tls.cert_file = "client.pem"; o.tls.key_file = "client.key";  // mutual TLS, optional
//
// The files are read on every connection attempt, so renewed certificates are picked up on
// the next reconnect. The key file's content is secret: it is handed to OpenSSL only, and no
// message ever quotes it (paths are named, never contents).
// Thread-safety: a value; safe to copy between threads.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::mqtt {

struct TlsOptions {
  // Connect with TLS (1.2 or later). Everything below applies only when set.
  bool enabled = false;
  // PEM bundle of the CAs trusted to sign the broker's certificate; empty = the system store
  // (OpenSSL's default paths, /etc/ssl/certs on Debian).
  std::string ca_file;
  // Client certificate chain (PEM) and its private key (PEM, unencrypted) for brokers that
  // require one (mosquitto: require_certificate true). Both or neither.
  std::string cert_file;
  std::string key_file;
  // Name the certificate must carry and, unless it is an IP address, the SNI sent in the
  // ClientHello. Empty = the session's host. An IP address is matched against IP SANs.
  std::string server_name;

  // Checks the combination (no file I/O): "mqtt session: tls.key_file: ...".
  Status Validate() const;

  // The name to verify and send as SNI for a connection to `host`.
  std::string PeerName(std::string_view host) const {
    return server_name.empty() ? std::string(host) : server_name;
  }
};

}  // namespace mqtt2s3::mqtt
