// The service configuration: one options struct per component, filled by the loader
// (config_loader.h) from the declarative table in config_table.cc, which also generates
// docs/CONFIG.md. Every field's inline default here is the documented default (a unit test
// checks the table's default text against these values).
//
//   StatusOr<Config> cfg = LoadConfigFile("welding.yaml");
//   if (!cfg.ok()) { std::cerr << cfg.status().message() << "\n"; return 2; }
//   std::cout << DumpEffective(*cfg);
//
// Options hold no runtime state. Secrets are resolved at load time into Secret values, which
// never print their content. Thread-safety: plain values; copy freely.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "batch/batcher.h"
#include "batch/flush_policy.h"
#include "common/status.h"
#include "route/route_options.h"

namespace mqtt2s3::config {

using std::chrono::milliseconds;

// A resolved secret (password, access key). Printing shows "****"; only the component that
// needs the value calls value().
class Secret {
 public:
  Secret() = default;
  // `source` says where it came from, e.g. "env S3_SECRET_KEY" (never the value).
  Secret(std::string value, std::string source)
      : value_(std::move(value)), source_(std::move(source)) {}

  bool empty() const { return value_.empty(); }
  const std::string& value() const { return value_; }
  const std::string& source() const { return source_; }
  // "****" when set, "" when not.
  std::string_view Masked() const { return value_.empty() ? "" : "****"; }

  friend std::ostream& operator<<(std::ostream& os, const Secret& s) { return os << s.Masked(); }

 private:
  std::string value_;
  std::string source_;
};

enum class MqttProtocol : uint8_t { kV5, kV311 };
enum class S3Addressing : uint8_t { kPath, kVirtual };
enum class LogLevel : uint8_t { kTrace, kDebug, kInfo, kWarn, kError };
enum class LogFormat : uint8_t { kText, kJson };

struct TlsOptions {
  bool enabled = false;     // connect with TLS
  std::string ca_file;      // PEM CA bundle; empty = system default
  std::string cert_file;    // client certificate (PEM) for mutual TLS
  std::string key_file;     // its private key (PEM)
  std::string server_name;  // SNI / verification name; empty = broker.host
  bool verify = true;       // verify the server certificate

  Status Validate() const;
};

// A further broker tried when the current one is unreachable or drops (docs/SCALING.md).
struct FailoverBroker {
  std::string host;
  int port = 1883;
  std::string tls_server_name;  // TLS certificate name / SNI; empty = this host
};

struct BrokerOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::vector<FailoverBroker> failover;  // tried in order after host:port, round robin
  MqttProtocol protocol = MqttProtocol::kV5;
  std::string client_id;                 // empty in the file = "mqtt2s3-{instance_id}"
  bool clean_start = false;              // false keeps the session (and queued messages)
  milliseconds session_expiry = std::chrono::hours(1);      // MQTT 5 Session Expiry Interval
  milliseconds keepalive = std::chrono::seconds(30);
  std::string username;
  std::string password_env;              // name of an environment variable holding the password
  std::string password_file;             // or a file holding it
  uint32_t receive_maximum = 1000;       // MQTT 5 Receive Maximum: unacked messages in flight
  uint64_t max_packet_size = 16ull << 20;
  milliseconds reconnect_min = milliseconds(100);    // first reconnect delay (doubles up to reconnect_max)
  milliseconds reconnect_max = std::chrono::seconds(30);
  TlsOptions tls;

  Secret password;  // resolved from password_env / password_file at load time

  Status Validate() const;
};

struct SubscriptionOptions {
  std::string filter;  // MQTT topic filter; "$share/{group}/{filter}" for shared subscriptions
  int qos = 1;

  Status Validate() const;
};

struct S3Options {
  std::string endpoint;                                // e.g. http://127.0.0.1:8000; required
  std::string region = "us-east-1";
  S3Addressing addressing = S3Addressing::kPath;
  std::string access_key_env = "AWS_ACCESS_KEY_ID";
  std::string secret_key_env = "AWS_SECRET_ACCESS_KEY";
  std::string access_key_file;                         // wins over access_key_env when set
  std::string secret_key_file;                         // wins over secret_key_env when set
  std::string ca_file;                                 // PEM CA bundle for https endpoints
  bool verify_tls = true;
  bool create_buckets = true;                          // create missing buckets on first use
  milliseconds request_timeout = std::chrono::seconds(30);

  Secret access_key;  // resolved at load time
  Secret secret_key;  // resolved at load time

  Status Validate() const;
};

// Global batching defaults (every route may override the first three, RouteBatchOverrides).
struct BatchOptions {
  uint64_t max_messages = 10000;                  // a batch is flushed at this many messages
  uint64_t max_bytes = 64ull << 20;               // ... or at this many payload + topic bytes
  milliseconds max_age = std::chrono::seconds(60);  // ... or this long after its first message
  uint64_t max_buffered_bytes = 256ull << 20;     // memory cap over all open batches
  uint64_t max_open_batches = 10000;               // open batches over all partitions

  Status Validate() const;
};

// routes[].batch: unset fields take BatchOptions' value.
struct RouteBatchOverrides {
  std::optional<uint64_t> max_messages;
  std::optional<uint64_t> max_bytes;
  std::optional<milliseconds> max_age;
};

// Flush requests from producers.
struct FlushOptions {
  // Topic the converter subscribes to for flush commands; "" = off. Payload: "" or {} (all
  // partitions), {"bucket": "..."}, {"partition": "<bucket>/<partial key>"}.
  std::string control_topic;
  // MQTT 5 user property name on a data message meaning "flush its partition after this
  // message"; "" = off.
  std::string user_property = "mqtt2s3-flush";

  Status Validate() const;
};

// The uploader (upload/uploader_options.h).
struct UploadOptions {
  int concurrency = 8;                                      // objects in flight at once
  int max_queued = 64;                                      // uploads waiting for a worker
  uint64_t multipart_threshold = 16ull << 20;               // larger bodies go multipart
  uint64_t part_size = 8ull << 20;                          // multipart part size (>= 5 MiB)
  milliseconds retry_initial = milliseconds(200);           // first retry delay (full jitter)
  milliseconds retry_max = std::chrono::seconds(30);        // longest retry delay
  int retry_max_attempts = 10;                              // attempts before parking
  milliseconds parked_retry_interval = std::chrono::seconds(30);  // retry of parked uploads

  Status Validate() const;
};

// The object format (docs/FORMAT.md); clustering is per route (routes[].cluster).
struct FormatSection {
  std::string separator = "\n";        // written after every payload in an object body
  uint64_t metadata_budget = 2048;      // bytes of user metadata (names + values) per object
  std::string index_prefix = "_index/";  // key prefix of companion index objects

  Status Validate() const;
};

struct ServiceOptions {
  // On SIGTERM/SIGINT: how long to flush and upload what was received before disconnecting.
  milliseconds shutdown_grace = std::chrono::seconds(30);
};

// When a message is acknowledged to the broker, and what confirms uploads (docs/WAL.md).
struct DeliveryOptions {
  // on-wal: after the WAL append meets wal.sync; on-upload: after the object upload;
  // on-receive: at once (may lose what is buffered when the process dies).
  std::string ack_mode = "on-wal";
  // Topic on which a confirmation (src/confirm) is published after every stored object, for
  // the backup consumer; "" = none.
  std::string confirm_topic;
};

// The write-ahead log (wal/log.h), used with delivery.ack_mode on-wal.
struct WalOptions {
  std::string dir = "mqtt2s3-wal";                   // segment directory, one per instance
  uint64_t segment_size = 64ull << 20;               // roll to a new segment file at this size
  uint64_t disk_budget = 1ull << 30;                 // all segments; full = backpressure
  std::string sync = "every-ms";                     // always|every-messages|every-ms|never
  uint32_t sync_every_messages = 256;                // with sync every-messages
  milliseconds sync_interval = milliseconds(5);      // with every-ms (and bound for every-messages)
};

// The backup consumer (`mqtt2s3 backup`, src/backup): keeps its own copy of every message and
// uploads what the converter does not confirm on delivery.confirm_topic in time.
struct BackupSection {
  std::string dir = "mqtt2s3-backup";          // its own write-ahead log directory
  std::string client_id;                       // empty in the file = "{broker.client_id}-backup"
  milliseconds confirm_timeout = std::chrono::minutes(5);  // unconfirmed this long: uploaded
  std::string key_prefix = "backup/";          // prefix of the keys of its objects
  std::string sync = "every-ms";               // wal.sync spelling, for its own log
};

struct DeadLetterOptions {
  std::string bucket = "mqtt2s3-dead-letter";
  std::string prefix = "dead-letter/";  // key prefix; keys: {prefix}{reason}/{Y}/{m}/{d}/...

  Status Validate() const;
};

struct LoggingOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
  std::string file;  // append log lines here instead of stderr; reopened on SIGHUP; "" = stderr
};

// The observability endpoints (src/metrics, docs/OPERATIONS.md).
struct MetricsOptions {
  std::string listen = "127.0.0.1:9464";  // /metrics, /healthz, /readyz; "" = off
};

struct Config {
  std::string source_file;  // the file it was loaded from (for messages)
  std::string instance_id;  // empty in the file = the short host name, sanitized
  BrokerOptions broker;
  std::vector<SubscriptionOptions> subscriptions;
  S3Options s3;
  std::vector<route::RouteOptions> routes;
  // routes[i].batch; may be shorter than routes (missing = no overrides).
  std::vector<RouteBatchOverrides> route_batch;
  BatchOptions batch;
  FlushOptions flush;
  UploadOptions upload;
  ServiceOptions service;
  FormatSection format;
  DeadLetterOptions dead_letter;
  DeliveryOptions delivery;
  WalOptions wal;
  BackupSection backup;
  LoggingOptions logging;
  MetricsOptions metrics;

  // The router's options (routes + instance id).
  route::RouterOptions MakeRouterOptions() const;

  // The flush policy of route `route_index`: its routes[].batch overrides, else batch.*.
  batch::FlushPolicy FlushPolicyFor(size_t route_index) const;

  // Batcher options from batch.*: max_buffered_bytes and the default policy. The window
  // (max_unacked_messages) depends on the ack mode and is left to the converter (0 = off).
  batch::BatcherOptions MakeBatcherOptions() const;

  // Cross-field checks; messages start with "key '<path>': " so the loader can add the line.
  Status Validate() const;
};

std::string_view MqttProtocolName(MqttProtocol p);
std::string_view S3AddressingName(S3Addressing a);
std::string_view LogLevelName(LogLevel l);
std::string_view LogFormatName(LogFormat f);

// Status InvalidArgument("key '<path>': <message>") — the form every config error takes.
Status KeyError(std::string_view path, std::string_view message);

}  // namespace mqtt2s3::config
