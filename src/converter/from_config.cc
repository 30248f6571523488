#include "converter/from_config.h"

#include <chrono>

namespace mqtt2s3::converter {

StatusOr<ConverterOptions> OptionsFromConfig(const config::Config& cfg) {
  using std::chrono::duration_cast;
  ConverterOptions o;

  const config::BrokerOptions& b = cfg.broker;
  if (b.tls.enabled && !b.tls.verify) {
    // Deliberately not offered: an unverified broker can inject or read every message.
    return config::KeyError("broker.tls.verify",
                            "false is not supported: the broker's certificate is always "
                            "verified; put the CA that signed it in broker.tls.ca_file (and "
                            "broker.tls.server_name if it names another host)");
  }
  o.session.host = b.host;
  o.session.port = static_cast<uint16_t>(b.port);
  for (const config::FailoverBroker& f : b.failover) {
    o.session.failover.push_back(mqtt::BrokerEndpoint{.host = f.host,
                                                      .port = static_cast<uint16_t>(f.port),
                                                      .tls_server_name = f.tls_server_name});
  }
  o.session.tls.enabled = b.tls.enabled;
  o.session.tls.ca_file = b.tls.ca_file;
  o.session.tls.cert_file = b.tls.cert_file;
  o.session.tls.key_file = b.tls.key_file;
  o.session.tls.server_name = b.tls.server_name;
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
  o.uploader.create_buckets = s.create_buckets;
  const config::UploadOptions& u = cfg.upload;
  o.uploader.max_concurrent_uploads = static_cast<size_t>(u.concurrency);
  o.uploader.max_queued_uploads = static_cast<size_t>(u.max_queued);
  o.uploader.multipart_threshold = static_cast<size_t>(u.multipart_threshold);
  o.uploader.part_size = static_cast<size_t>(u.part_size);
  o.uploader.retry.initial_backoff = u.retry_initial;
  o.uploader.retry.max_backoff = u.retry_max;
  o.uploader.retry.max_attempts = u.retry_max_attempts;
  o.uploader.parked_retry_interval = u.parked_retry_interval;

  o.batcher = cfg.MakeBatcherOptions();
  for (size_t i = 0; i < cfg.routes.size(); ++i) o.route_policies.push_back(cfg.FlushPolicyFor(i));
  o.flush_control_topic = cfg.flush.control_topic;
  o.flush_user_property = cfg.flush.user_property;
  o.shutdown_grace = cfg.service.shutdown_grace;
  o.format.separator = cfg.format.separator;
  o.format.metadata_budget_bytes = static_cast<size_t>(cfg.format.metadata_budget);
  o.format.index_object_prefix = cfg.format.index_prefix;

  auto mode = ParseAckMode(cfg.delivery.ack_mode);
  if (!mode.ok()) return config::KeyError("delivery.ack_mode", mode.status().message());
  o.ack_mode = *mode;
  o.confirm_topic = cfg.delivery.confirm_topic;
  o.wal.dir = cfg.wal.dir;
  o.wal.segment_bytes = cfg.wal.segment_size;
  o.wal.disk_budget_bytes = cfg.wal.disk_budget;
  auto sync = wal::ParseSyncPolicy(cfg.wal.sync);
  if (!sync.ok()) return config::KeyError("wal.sync", sync.status().message());
  o.wal.sync_policy = *sync;
  o.wal.sync_every_messages = cfg.wal.sync_every_messages;
  o.wal.sync_every_ms = cfg.wal.sync_interval.count();

  o.router = cfg.MakeRouterOptions();
  o.dead_letter_bucket = cfg.dead_letter.bucket;
  o.dead_letter_prefix = cfg.dead_letter.prefix;
  return o;
}

}  // namespace mqtt2s3::converter
