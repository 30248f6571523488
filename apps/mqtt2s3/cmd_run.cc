#include <spdlog/spdlog.h>

#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "config/config_loader.h"
#include "config/config_render.h"
#include "converter/converter.h"
#include "converter/from_config.h"
#include "logging.h"
#include "s3/client.h"
#include "service_runtime.h"

namespace mqtt2s3::app {

int RunConverter(const RunFlags& flags) {
  auto loaded = LoadConfigAndLogging(flags.config_file, flags.log_level);
  if (!loaded.ok()) {
    std::cerr << "mqtt2s3: " << loaded.status().message() << "\n";
    return 2;
  }
  const config::Config& cfg = loaded->config;

  auto options = converter::OptionsFromConfig(cfg);
  if (!options.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << options.status().message() << "\n";
    return 2;
  }
  auto client = s3::Client::Create(options->s3);
  if (!client.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << client.status().message() << "\n";
    return 2;
  }
  // The readiness probe's own client: short timeouts, so /readyz turns 503 within seconds of
  // S3 going away instead of after a full request timeout.
  s3::ClientOptions probe_options = options->s3;
  probe_options.connect_timeout = std::chrono::seconds(2);
  probe_options.request_timeout = std::chrono::seconds(5);
  auto probe = s3::Client::Create(probe_options);
  if (!probe.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << probe.status().message() << "\n";
    return 2;
  }
  ServiceRuntimeOptions ops;
  ops.metrics_listen = cfg.metrics.listen;
  ops.s3_probe_bucket = options->dead_letter_bucket;
  ops.log_file = loaded->log_file;
  ops.progress = isatty(STDERR_FILENO) != 0;

  converter::Converter conv(std::move(*options), std::move(*client));
  // Declared after the converter: destroyed (stopped) first, as it reads the converter.
  auto runtime = ServiceRuntime::Start(&conv, std::move(ops), std::move(*probe));
  if (!runtime.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << runtime.status().message() << "\n";
    return 2;
  }
  Status st = conv.Run(/*handle_signals=*/true);
  (*runtime)->Stop();
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return 1;
  }
  return 0;
}

int CheckConfig(const std::string& config_file, bool resolve_secrets) {
  config::LoadOptions load;
  load.resolve_secrets = resolve_secrets;
  auto cfg = config::LoadConfigFile(config_file, load);
  if (!cfg.ok()) {
    std::cerr << cfg.status().message() << "\n";
    return 2;
  }
  if (resolve_secrets) {
    auto options = converter::OptionsFromConfig(*cfg);
    if (!options.ok()) {
      std::cerr << config_file << ": " << options.status().message() << "\n";
      return 2;
    }
  }
  std::cout << "# " << config_file << ": OK (secrets masked)\n" << config::DumpEffective(*cfg);
  return 0;
}

}  // namespace mqtt2s3::app
