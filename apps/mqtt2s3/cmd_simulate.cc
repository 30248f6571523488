// mqtt2s3 simulate: publishes the welding use case (or replays a JSON Lines file) with the
// project's own MQTT client, and reports what the broker accepted. A drop-in replacement for
// scripts/demo/publish_welding.py, and the load generator of the benchmarks.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "config/config_loader.h"
#include "config/units.h"
#include "sim/publisher.h"
#include "sim/replay_source.h"
#include "sim/weld_generator.h"

namespace mqtt2s3::app {
namespace {

// The broker section of a config file; the password is resolved here (not by the loader) so
// that simulating does not need the S3 credentials of the same file.
Status BrokerFromConfig(const std::string& file, mqtt::SessionOptions* s) {
  config::LoadOptions load;
  load.resolve_secrets = false;
  auto cfg = config::LoadConfigFile(file, load);
  if (!cfg.ok()) return cfg.status();
  const config::BrokerOptions& b = cfg->broker;
  if (b.tls.enabled) {
    return Status::InvalidArgument(file + ": broker.tls: the simulator speaks plain TCP only");
  }
  s->host = b.host;
  s->port = static_cast<uint16_t>(b.port);
  s->version = b.protocol == config::MqttProtocol::kV5 ? mqtt::ProtocolVersion::kV5
                                                       : mqtt::ProtocolVersion::kV311;
  s->keepalive = std::chrono::duration_cast<std::chrono::seconds>(b.keepalive);
  if (!b.username.empty()) s->username = b.username;
  if (!b.password_env.empty()) {
    const char* v = std::getenv(b.password_env.c_str());
    if (v == nullptr) {
      return Status::NotFound(file + ": broker.password_env: variable " + b.password_env +
                              " is not set");
    }
    s->password = v;
  } else if (!b.password_file.empty()) {
    std::ifstream in(b.password_file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::NotFound(file + ": broker.password_file cannot be read");
    std::string p = text.str();
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    s->password = std::move(p);
  }
  return Status::Ok();
}

// "1s", "500ms", "1h" (config spelling), or plain seconds like publish_welding.py's "0.5".
StatusOr<std::chrono::milliseconds> ParseSpan(const char* flag, const std::string& text) {
  auto d = config::ParseDuration(text);
  if (d.ok()) return d;
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size() && seconds >= 0 && seconds < 1e9) {
    return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0 + 0.5));
  }
  return Status::InvalidArgument(std::string(flag) + ": expected a duration such as 1s, 500ms, "
                                 "1h or seconds, got '" + text + "'");
}

StatusOr<mqtt::ProtocolVersion> ParseProtocol(const std::string& p) {
  if (p == "5" || p == "5.0") return mqtt::ProtocolVersion::kV5;
  if (p == "4" || p == "3.1.1" || p == "311") return mqtt::ProtocolVersion::kV311;
  return Status::InvalidArgument("--protocol: expected 4 (3.1.1) or 5, got '" + p + "'");
}

Status BuildOptions(const SimulateFlags& f, sim::PublisherOptions* p, sim::WeldOptions* w,
                    sim::ReplayOptions* r) {
  if (!f.config_file.empty()) {
    M2S_RETURN_IF_ERROR(BrokerFromConfig(f.config_file, &p->session));
  }
  if (!f.host.empty()) p->session.host = f.host;
  if (f.port != 0) p->session.port = f.port;
  if (!f.protocol.empty()) {
    M2S_ASSIGN_OR_RETURN(p->session.version, ParseProtocol(f.protocol));
  }
  p->session.client_id =
      f.client_id.empty() ? "mqtt2s3-sim-" + std::to_string(::getpid()) : f.client_id;
  // A publisher keeps no session: its QoS 1 messages are confirmed before it exits.
  p->session.clean_start = true;
  p->session.session_expiry_s = 0;
  p->session.subscriptions.clear();
  if (f.qos != 0 && f.qos != 1) {
    return Status::InvalidArgument("--qos: expected 0 or 1 (QoS 2 publishing is not supported)");
  }
  p->qos = static_cast<mqtt::QoS>(f.qos);
  p->rate = f.rate;
  p->window = f.window;
  p->sync_topic = f.sync_topic;
  p->flush_property = f.flush_property;
  p->flush_topic = f.flush_topic;
  M2S_ASSIGN_OR_RETURN(p->timeout, ParseSpan("--timeout", f.timeout));
  M2S_RETURN_IF_ERROR(p->Validate());

  w->root = f.root;
  w->plants = f.plants;
  w->devices = f.devices;
  w->seed = f.seed;
  w->compressed = f.compressed;
  M2S_ASSIGN_OR_RETURN(w->start_ms, sim::ParseStartTime(f.start));
  M2S_ASSIGN_OR_RETURN(w->step, ParseSpan("--step", f.step));
  if (w->step.count() <= 0) return Status::InvalidArgument("--step must be positive");
  if (!f.duration.empty()) {
    M2S_ASSIGN_OR_RETURN(auto d, ParseSpan("--duration", f.duration));
    w->count = static_cast<uint64_t>(d.count() / w->step.count());
  } else {
    w->count = f.count;
  }
  M2S_RETURN_IF_ERROR(w->Validate());

  r->compress = f.compressed;
  r->default_topic = f.replay_topic.empty()
                         ? f.root + (f.compressed ? "/JSON/1" : "/JSON/0") +
                               "/1/WELDING-STATION-1/WELD/1"
                         : f.replay_topic;
  return Status::Ok();
}

}  // namespace

CLI::App* AddSimulateCommand(CLI::App* app, SimulateFlags* f) {
  CLI::App* cmd = app->add_subcommand(
      "simulate",
      "Publish the welding use case: plants x devices, topics "
      "ROOT/JSON/COMPRESSED/PLANT/WELDING-STATION-n/WELD/1 with weldspot JSON payloads and a "
      "sequence number (deterministic for --seed), or replay a JSON Lines file. Prints "
      "messages, bytes, elapsed time and rate; exit 1 unless every message was confirmed");
  cmd->add_option("-c,--config", f->config_file,
                                 "Take the broker (host, port, protocol, user, password) from "
                                 "this configuration file's broker section")
                     ->check(CLI::ExistingFile);
  cmd->add_option("--host", f->host, "Broker host (default 127.0.0.1, or --config's)");
  cmd->add_option("--port", f->port, "Broker port (default 1883, or --config's)");
  cmd->add_option("--protocol", f->protocol, "MQTT protocol: 4 (3.1.1) or 5 (default 5)");
  cmd->add_option("--client-id", f->client_id, "Client id (default mqtt2s3-sim-<pid>)");
  cmd->add_option("--qos", f->qos, "QoS of the messages: 0 or 1")->capture_default_str();
  cmd->add_option("--rate", f->rate, "Messages per second over all devices; 0 = as fast as "
                                     "the broker takes them")
      ->capture_default_str();
  cmd->add_option("--root", f->root, "First topic level (ROOT)")->capture_default_str();
  cmd->add_option("--plants", f->plants, "Plants (PLANT-ID 1..n)")->capture_default_str();
  cmd->add_option("--devices", f->devices, "Devices per plant (WELDING-STATION-1..n)")
      ->capture_default_str();
  auto* count = cmd->add_option("--count", f->count, "Messages per device")
                    ->capture_default_str();
  auto* duration = cmd->add_option(
      "--duration", f->duration,
      "Simulated time per device instead of --count, e.g. 1h: duration / step messages each");
  count->excludes(duration);
  cmd->add_option("--start", f->start,
                  "Simulated time of the first message (UTC): '2018-10-01 17:00:00', "
                  "'20181001 170000', RFC 3339 or Unix ms")
      ->capture_default_str();
  cmd->add_option("--step", f->step, "Simulated time between two messages of one device")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Seed of the simulated values")->capture_default_str();
  cmd->add_flag("--compressed", f->compressed,
                "zlib-compress payloads; topics carry COMPRESSED = 1");
  cmd->add_option("--replay", f->replay_file,
                  "Publish the lines of this JSON Lines file instead: {\"topic\": ..., "
                  "\"payload\": ...} or a weldspot object (published on --replay-topic)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--replay-topic", f->replay_topic,
                  "Topic of replayed lines without one (default "
                  "ROOT/JSON/0/1/WELDING-STATION-1/WELD/1)");
  cmd->add_option("--flush-last", f->flush_property,
                  "MQTT 5: put this user property (value 1) on the last message of each device, "
                  "e.g. mqtt2s3-flush (the converter's flush.user_property)");
  cmd->add_option("--flush-topic", f->flush_topic,
                  "After the last message is confirmed, publish {} here at QoS 1 (the "
                  "converter's flush.control_topic, e.g. mqtt2s3/flush)");
  cmd->add_option("--window", f->window,
                  "Most messages unconfirmed at once (QoS 1 PUBACKs; QoS 0 sync messages)")
      ->capture_default_str();
  cmd->add_option("--sync-topic", f->sync_topic,
                  "QoS 0 flow control: topic of the QoS 1 sync messages sent every window/4 "
                  "messages")
      ->capture_default_str();
  cmd->add_option("--timeout", f->timeout, "Give up after this long (connect included)")
      ->capture_default_str();
  return cmd;
}

int SimulateCommand(const SimulateFlags& flags) {
  sim::PublisherOptions options;
  sim::WeldOptions weld;
  sim::ReplayOptions replay;
  if (Status s = BuildOptions(flags, &options, &weld, &replay); !s.ok()) {
    std::cerr << "mqtt2s3 simulate: " << s.message() << "\n";
    return 2;
  }
  std::unique_ptr<sim::MessageSource> source;
  std::string what;
  if (!flags.replay_file.empty()) {
    auto r = sim::ReplaySource::Open(flags.replay_file, replay);
    if (!r.ok()) {
      std::cerr << "mqtt2s3 simulate: " << r.status().message() << "\n";
      return 2;
    }
    source = std::move(*r);
    what = "replay of " + flags.replay_file;
  } else {
    what = std::to_string(weld.plants) + " plant(s) x " + std::to_string(weld.devices) +
           " device(s) x " + std::to_string(weld.count);
    source = std::make_unique<sim::WeldGenerator>(weld);
  }
  auto report = sim::RunPublisher(options, source.get());
  if (!report.ok()) {
    std::cerr << "mqtt2s3 simulate: " << report.status().message() << "\n";
    return 1;
  }
  const double secs = std::chrono::duration<double>(report->elapsed).count();
  std::printf("published %" PRIu64 " messages (%s) at QoS %d to %s:%u%s\n", report->messages,
              what.c_str(), flags.qos, options.session.host.c_str(), options.session.port,
              flags.compressed ? ", zlib-compressed" : "");
  std::printf("  payload bytes %" PRIu64 ", topic bytes %" PRIu64 ", elapsed %.3f s, %.0f msgs/s\n",
              report->payload_bytes, report->topic_bytes, secs, report->messages_per_second());
  if (flags.qos == 1) {
    std::printf("  acked %" PRIu64 " of %" PRIu64 "%s\n", report->acked,
                report->messages + report->failed, report->all_confirmed ? " (all acked)" : "");
  } else {
    std::printf("  confirmed by %" PRIu64 " sync message(s) on %s\n", report->syncs,
                options.sync_topic.c_str());
  }
  if (report->failed > 0) std::printf("  FAILED %" PRIu64 " message(s)\n", report->failed);
  if (report->reconnects > 0) std::printf("  reconnects %" PRIu64 "\n", report->reconnects);
  if (report->flush_sent) std::printf("  flush request sent to %s\n", options.flush_topic.c_str());
  return report->all_confirmed ? 0 : 1;
}

}  // namespace mqtt2s3::app
