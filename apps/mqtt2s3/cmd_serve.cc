// serve: the dashboard backend. Grafana's JSON data source protocol and the uPlot page over
// the objects the converter wrote (src/serve, docs/DASHBOARD.md). Runs until SIGINT/SIGTERM.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "config/config_loader.h"
#include "logging.h"
#include "s3/client.h"
#include "serve/api_handler.h"
#include "serve/http_server.h"
#include "serve/payload_event_time.h"
#include "serve/reader_weld_store.h"

#ifndef MQTT2S3_WEB_DIR
#define MQTT2S3_WEB_DIR "web"
#endif
#ifndef MQTT2S3_WEB_LIB_DIR
#define MQTT2S3_WEB_LIB_DIR ".cache/web/node_modules/uplot/dist"
#endif

namespace mqtt2s3::app {
namespace {

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;

// "127.0.0.1:8089", "[::1]:8089", ":8089" (loopback) or "8089".
Status ParseListen(const std::string& text, std::string* host, uint16_t* port) {
  std::string h = "127.0.0.1", p = text;
  if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.empty()) h = "127.0.0.1";
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535) {
    return Status::InvalidArgument("--listen '" + text + "': expected HOST:PORT, e.g. " +
                                   "127.0.0.1:8089");
  }
  *host = h;
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

// The s3 section of the config, as the read commands use it (cmd_read.cc).
StatusOr<s3::ClientOptions> ClientOptionsFromConfig(const config::Config& cfg) {
  const config::S3Options& s = cfg.s3;
  s3::ClientOptions o;
  o.endpoint = s.endpoint;
  o.region = s.region;
  o.access_key = s.access_key.value();
  o.secret_key = s.secret_key.value();
  o.addressing = s.addressing == config::S3Addressing::kPath ? s3::AddressingStyle::kPath
                                                             : s3::AddressingStyle::kVirtualHosted;
  o.ca_file = s.ca_file;
  o.insecure_skip_tls_verify = !s.verify_tls;
  o.request_timeout = s.request_timeout;
  M2S_RETURN_IF_ERROR(o.Validate());
  return o;
}

// The named fields of `mqtt2s3 serve --route NAME`: the weld-spot fields, then the route's
// numeric columns (int64, double, bool); a column named like a weld-spot field replaces it.
StatusOr<std::vector<serve::NamedField>> FieldsOfRoute(const config::Config& cfg,
                                                       std::string_view name) {
  std::vector<serve::NamedField> fields = serve::WeldFields();
  if (name.empty()) return fields;
  std::string names;
  for (const route::RouteOptions& r : cfg.routes) {
    names += (names.empty() ? "" : ", ") + r.name;
    if (r.name != name) continue;
    size_t added = 0;
    for (const route::ColumnOptions& c : r.columns) {
      if (c.type != format::ColumnType::kInt64 && c.type != format::ColumnType::kDouble &&
          c.type != format::ColumnType::kBool) {
        continue;  // a series is numbers
      }
      serve::NamedField f{c.name, c.pointer};
      auto same = std::find_if(fields.begin(), fields.end(),
                               [&](const serve::NamedField& x) { return x.name == c.name; });
      if (same != fields.end()) {
        *same = std::move(f);
      } else {
        fields.push_back(std::move(f));
      }
      ++added;
    }
    if (added == 0) {
      return Status::InvalidArgument("--route '" + std::string(name) +
                                     "': the route has no int64, double or bool columns");
    }
    M2S_RETURN_IF_ERROR(serve::ValidateNamedFields(fields).WithContext("--route '" + r.name + "'"));
    return fields;
  }
  return Status::InvalidArgument("--route '" + std::string(name) + "': " + cfg.source_file +
                                 " has no such route (routes: " + names + ")");
}

// Whose time_field gives the event times of directory reads: the --route route, else the
// config's only route with a time_field. Null (always the index) when no route says, with
// the reason in *why.
StatusOr<std::function<QueryOptions::PayloadEventTime()>> PayloadEventTimeOf(
    const config::Config& cfg, std::string_view name, std::string* why) {
  const route::RouteOptions* chosen = nullptr;
  size_t with_time = 0;
  for (const route::RouteOptions& r : cfg.routes) {
    if (!name.empty() && r.name == name) chosen = &r;
    if (name.empty() && !r.time_field.empty() && ++with_time == 1) chosen = &r;
  }
  if (name.empty() && with_time > 1) chosen = nullptr;
  if (chosen == nullptr || chosen->time_field.empty()) {
    *why = chosen != nullptr ? "route '" + chosen->name + "' has no time_field"
           : with_time > 1   ? "several routes have a time_field (name one with --route)"
                             : "no route has a time_field";
    return std::function<QueryOptions::PayloadEventTime()>();
  }
  *why = "route '" + chosen->name + "', time_field " + chosen->time_field;
  return serve::PayloadEventTimeOfRoute(*chosen);
}

}  // namespace

CLI::App* AddServeCommand(CLI::App* app, ServeFlags* f) {
  // Defaults point into the source tree the binary was built from (developer and demo use);
  // an installation passes --web-dir and --lib-dir.
  if (f->web_dir.empty()) f->web_dir = MQTT2S3_WEB_DIR;
  if (f->lib_dir.empty()) f->lib_dir = MQTT2S3_WEB_LIB_DIR;
  CLI::App* cmd = app->add_subcommand(
      "serve",
      "Serve the converter's data over HTTP for dashboards: Grafana's JSON / SimpleJSON data "
      "source protocol (/search, /query, ...) and a browser page at /ui/ (docs/DASHBOARD.md). "
      "Reads a device with HEAD + one ranged GET per object through the group directory "
      "(event times from the route's time_field), else HEAD + index + ranged GETs. Runs until "
      "SIGINT/SIGTERM");
  cmd->add_option("-c,--config", f->config_file,
                  "YAML configuration file; its s3 section says where the objects are "
                  "(secrets via *_env / *_file as for run), and --route names one of its routes")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--route", f->route,
                  "A route of the config whose int64, double and bool columns become fields "
                  "a target can name, beside Voltage, Current and MainPowerSwitch (a target "
                  "can always give a JSON pointer instead)");
  cmd->add_option("--listen", f->listen,
                  "HOST:PORT to listen on; there is no authentication, so keep it on loopback "
                  "unless a proxy guards it")
      ->capture_default_str();
  cmd->add_option("--bucket-template", f->bucket_template,
                  "Bucket of a plant, {plant} replaced by the lower-cased plant id (the "
                  "routes' bucket of examples/welding.yaml)")
      ->capture_default_str();
  cmd->add_option("--plants", f->plants,
                  "Plant ids offered by /search (any plant can be queried by name)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--device-component", f->device_component,
                  "Which '/'-separated index key component is the device id")
      ->capture_default_str();
  cmd->add_option("--key-prefix", f->key_prefix, "List only object keys under this prefix");
  cmd->add_option("--web-dir", f->web_dir, "Directory of the page's files (the repo's web/)")
      ->capture_default_str();
  cmd->add_option("--lib-dir", f->lib_dir,
                  "Directory holding uPlot.iife.min.js and uPlot.min.css, installed by "
                  "scripts/install-web-deps.sh")
      ->capture_default_str();
  cmd->add_option("--threads", f->threads, "Requests served at once")->capture_default_str();
  cmd->add_option("--max-objects", f->max_objects,
                  "Refuse a query whose range covers more objects than this")
      ->capture_default_str();
  cmd->add_option("--cached-objects", f->cached_objects,
                  "Keep the indexes of this many opened objects for later queries (0: none)")
      ->capture_default_str();
  cmd->add_flag("--no-directory", f->no_directory,
                "Always read through each object's index, even when the config's route (--route, "
                "else its only route with a time_field) gives each payload's event time");
  return cmd;
}

int ServeCommand(const ServeFlags& flags) {
  serve::HttpServerOptions http;
  Status st = ParseListen(flags.listen, &http.address, &http.port);
  http.threads = flags.threads;
  serve::QueryEngineOptions qo;
  qo.bucket_template = flags.bucket_template;
  qo.plants = flags.plants;
  serve::ReaderWeldStoreOptions so;
  so.device_component = flags.device_component;
  so.key_prefix = flags.key_prefix;
  so.max_objects_per_read = flags.max_objects;
  so.cached_objects = flags.cached_objects;
  for (const Status& s : {st, http.Validate(), qo.Validate(), so.Validate()}) {
    if (!s.ok()) {
      std::cerr << "mqtt2s3 serve: " << s.message() << "\n";
      return kUsage;
    }
  }
  auto cfg = config::LoadConfigFile(flags.config_file);
  if (!cfg.ok()) {
    std::cerr << "mqtt2s3 serve: " << cfg.status().ToString() << "\n";
    return kUsage;
  }
  SetUpLogging(cfg->logging.level, cfg->logging.format);
  auto fields = FieldsOfRoute(*cfg, flags.route);
  if (!fields.ok()) {
    std::cerr << "mqtt2s3 serve: " << fields.status().message() << "\n";
    return kUsage;
  }
  qo.fields = std::move(*fields);
  std::string time_source;
  auto event_time = PayloadEventTimeOf(*cfg, flags.route, &time_source);
  if (!event_time.ok()) {
    std::cerr << "mqtt2s3 serve: " << event_time.status().message() << "\n";
    return kUsage;
  }
  if (flags.no_directory) {
    spdlog::info("serve: devices read through each object's index (--no-directory)");
  } else if (*event_time) {
    so.payload_event_time = std::move(*event_time);
    spdlog::info("serve: devices read through the group directories, event times from {}",
                 time_source);
  } else {
    spdlog::info("serve: devices read through each object's index: {}", time_source);
  }
  auto options = ClientOptionsFromConfig(*cfg);
  if (!options.ok()) {
    std::cerr << "mqtt2s3 serve: " << options.status().ToString() << "\n";
    return kUsage;
  }
  auto client = s3::Client::Create(std::move(*options));
  if (!client.ok()) {
    std::cerr << "mqtt2s3 serve: " << client.status().ToString() << "\n";
    return kUsage;
  }
  serve::ReaderWeldStore store(std::shared_ptr<const s3::Client>(std::move(*client)), so);
  serve::QueryEngine engine(&store, qo);
  serve::StaticFiles files;
  files.Mount("/ui/", flags.web_dir);
  files.Mount("/ui/lib/", flags.lib_dir);
  serve::ApiHandler api(&engine, &files);

  // Block the stop signals before the server's threads exist (they inherit the mask), so
  // only sigwait below sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  // One access-log line per request: what was asked, the answer's status and size, and how
  // long the S3 reads behind it took.
  serve::HttpServer server(http, [&api](const serve::HttpRequest& r) {
    const auto start = std::chrono::steady_clock::now();
    serve::HttpResponse res = api.Handle(r);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    const std::string_view path = std::string_view(r.target).substr(0, 200);
    if (res.status >= 400) {
      spdlog::warn("{} {} -> {} in {:.1f} ms: {}", r.method, path, res.status, took.count(),
                   std::string_view(res.body).substr(0, 300));
    } else {
      spdlog::info("{} {} -> {} in {:.1f} ms, {} bytes", r.method, path, res.status, took.count(),
                   res.body.size());
    }
    return res;
  });
  if (Status s = server.Start(); !s.ok()) {
    std::cerr << "mqtt2s3 serve: " << s.message() << "\n";
    return kFailure;
  }
  std::cout << "mqtt2s3 serve: listening on http://" << http.address << ":" << server.port()
            << "/ (Grafana JSON data source URL), page at http://" << http.address << ":"
            << server.port() << "/ui/" << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  std::cout << "mqtt2s3 serve: stopping on signal " << sig << std::endl;
  server.Stop();
  return kOk;
}

}  // namespace mqtt2s3::app
