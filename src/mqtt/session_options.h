// SessionOptions: everything a Session needs to connect, subscribe and acknowledge.
//
//   SessionOptions o;
//   o.host = "127.0.0.1"; o.port = 1883; o.client_id = "mqtt2s3-a";
//   o.subscriptions = {{"sensors/+/temp", QoS::kAtLeastOnce}, {"$share/g/logs/#", QoS::kExactlyOnce}};
//   M2S_RETURN_IF_ERROR(o.Validate());
//
// Options hold no runtime state. ToString() never contains the password.
// Thread-safety: a value; safe to copy between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "mqtt/backoff.h"
#include "mqtt/packet.h"
#include "mqtt/tls_options.h"

namespace mqtt2s3::mqtt {

// One topic filter to subscribe to: plain, wildcard (+, #) or shared ($share/group/filter).
struct Subscription {
  std::string filter;
  // Highest QoS the broker may deliver on this filter.
  QoS qos = QoS::kAtLeastOnce;
};

// One broker of a failover list (SessionOptions::failover).
struct BrokerEndpoint {
  std::string host;
  uint16_t port = 1883;
  // TLS only: the name its certificate must carry (and SNI); empty = this host.
  std::string tls_server_name;

  std::string ToString() const { return host + ":" + std::to_string(port); }  // "host:port"
};

struct SessionOptions {
  // Broker address (a TLS listener when tls.enabled; usually port 8883).
  std::string host = "127.0.0.1";
  uint16_t port = 1883;
  // Further brokers, tried in order after host:port when a connection attempt fails or an
  // established connection drops (round robin, backoff between full rounds; broker_rotation.h).
  // They must serve the same topics (a bridged pair or a cluster); each has its own session
  // state, so messages queued for us on a broker that died stay there (docs/SCALING.md).
  // Same TLS files for all (tls.*); tls.server_name applies to host only, each failover broker
  // names its own (tls_server_name).
  std::vector<BrokerEndpoint> failover;
  // MQTT over TLS: CA, optional client certificate, server name (tls_options.h).
  TlsOptions tls;
  // Must be non-empty for a persistent session (clean_start = false); for MQTT 3.1.1 it must
  // be non-empty always (we never ask the broker to assign one).
  std::string client_id;
  ProtocolVersion version = ProtocolVersion::kV5;
  // MQTT 5: Clean Start on the first connection of this Session; reconnects resume the session
  //         it created (Clean Start = 0) so messages queued while disconnected are not lost.
  // MQTT 3.1.1: the Clean Session flag, on every connection.
  bool clean_start = false;
  // MQTT 5 Session Expiry Interval sent in CONNECT: how long the broker keeps our session and
  // queued messages after a disconnect. 0 = ends with the connection; 0xFFFFFFFF = never.
  uint32_t session_expiry_s = 3600;
  // Keep Alive sent in CONNECT; a PINGREQ goes out every interval and the connection is dropped
  // when nothing at all arrives for a further interval. 0 disables (MQTT 5 Server Keep Alive
  // in CONNACK overrides it).
  std::chrono::seconds keepalive{30};
  std::optional<std::string> username;
  std::optional<std::string> password;  // never logged; 3.1.1 requires a username with it
  // MQTT 5 Receive Maximum sent in CONNECT: most unacknowledged QoS 1/2 messages the broker may
  // have outstanding to us. For MQTT 3.1.1 the broker's own window applies (mosquitto:
  // max_inflight_messages, default 20). 1..65535.
  uint16_t receive_maximum = 1000;
  // Largest packet we accept, including headers; advertised as MQTT 5 Maximum Packet Size.
  // A larger packet drops the connection (MQTT 5 brokers do not send them).
  uint32_t max_packet_size = 64 * 1024 * 1024;
  // Initial receive buffer. Reads are coalesced into it; it grows only for a packet larger
  // than itself (up to max_packet_size) and shrinks back once that packet is consumed.
  size_t read_buffer_bytes = 64 * 1024;
  // TCP connect + CONNACK must complete within this, or the attempt counts as failed.
  std::chrono::milliseconds connect_timeout{10'000};
  // Stop() waits this long for the DISCONNECT to be written before closing the socket.
  std::chrono::milliseconds disconnect_timeout{1'000};
  // Delays between reconnect attempts (exponential, full jitter).
  BackoffOptions backoff;
  // Subscribed after every CONNACK that reports no session (and after the first connect).
  std::vector<Subscription> subscriptions;

  // host:port (with tls.server_name) followed by `failover`: index i is broker i of the
  // rotation and of SessionEvent::broker_index.
  std::vector<BrokerEndpoint> Brokers() const;

  Status Validate() const;

  // "mqtt5://user@host:port client_id=... clean_start=0 ..." — no password.
  std::string ToString() const;
};

std::string_view ProtocolVersionName(ProtocolVersion version);  // "3.1.1", "5.0"

}  // namespace mqtt2s3::mqtt
