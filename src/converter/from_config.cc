#include "converter/from_config.h"

#include <algorithm>
#include <chrono>

namespace mqtt2s3::converter {

StatusOr<ConverterOptions> OptionsFromConfig(const config::Config& cfg) {
  using std::chrono::duration_cast;
  ConverterOptions o;

  const config::BrokerOptions& b = cfg.broker;
  if (b.tls.enabled) {
    return config::KeyError("broker.tls.enabled",
                            "TLS to the broker is not implemented yet; use a plain TCP listener "
                            "bound to 127.0.0.1 or a TLS-terminating proxy");
  }
  o.session.host = b.host;
  o.session.port = static_cast<uint16_t>(b.port);
  o.session.client_id = b.client_id;
  o.session.version =
      b.protocol == config::MqttProtocol::kV5 ? mqtt::ProtocolVersion::kV5 : mqtt::ProtocolVersion::kV311;
  o.session.clean_start = b.clean_start;
  o.session.session_expiry_s =
      static_cast<uint32_t>(duration_cast<std::chrono::seconds>(b.session_expiry).count());
  o.session.keepalive = duration_cast<std::chrono::seconds>(b.keepalive);
  if (!b.username.empty()) o.session.username = b.username;
  if (!b.password.empty()) o.session.password = b.password.value();
  o.session.receive_maximum = static_cast<uint16_t>(b.receive_maximum);
  o.session.max_packet_size = static_cast<uint32_t>(b.max_packet_size);
  o.session.backoff.min_delay = b.reconnect_min;
  o.session.backoff.max_delay = b.reconnect_max;
  for (const config::SubscriptionOptions& s : cfg.subscriptions) {
    o.session.subscriptions.push_back({s.filter, static_cast<mqtt::QoS>(s.qos)});
  }

  const config::S3Options& s = cfg.s3;
  o.s3.endpoint = s.endpoint;
  o.s3.region = s.region;
  o.s3.access_key = s.access_key.value();
  o.s3.secret_key = s.secret_key.value();
  o.s3.addressing = s.addressing == config::S3Addressing::kPath ? s3::AddressingStyle::kPath
                                                                : s3::AddressingStyle::kVirtualHosted;
  o.s3.ca_file = s.ca_file;
  o.s3.insecure_skip_tls_verify = !s.verify_tls;
  o.s3.request_timeout = s.request_timeout;
  o.create_buckets = s.create_buckets;
  o.upload_concurrency = static_cast<size_t>(s.upload_concurrency);
  // One upload worker keeps at most one message; the window bounds the rest.
  o.max_pending_uploads = std::max<size_t>(o.upload_concurrency * 4, b.receive_maximum);

  o.router = cfg.MakeRouterOptions();
  o.dead_letter_bucket = cfg.dead_letter.bucket;
  o.dead_letter_prefix = cfg.dead_letter.prefix;
  return o;
}

}  // namespace mqtt2s3::converter
