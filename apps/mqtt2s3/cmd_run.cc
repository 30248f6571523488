#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.h"
#include "config/config_loader.h"
#include "config/config_render.h"
#include "converter/converter.h"
#include "converter/from_config.h"
#include "logging.h"
#include "s3/client.h"

namespace mqtt2s3::app {
namespace {

bool ParseLevel(const std::string& s, config::LogLevel* out) {
  static const std::pair<const char*, config::LogLevel> kLevels[] = {
      {"trace", config::LogLevel::kTrace}, {"debug", config::LogLevel::kDebug},
      {"info", config::LogLevel::kInfo},   {"warn", config::LogLevel::kWarn},
      {"error", config::LogLevel::kError}};
  for (const auto& [name, level] : kLevels) {
    if (s == name) {
      *out = level;
      return true;
    }
  }
  return false;
}

}  // namespace

int RunConverter(const RunFlags& flags) {
  auto cfg = config::LoadConfigFile(flags.config_file);
  if (!cfg.ok()) {
    std::cerr << "mqtt2s3: invalid configuration:\n" << cfg.status().message() << "\n";
    return 2;
  }
  config::LogLevel level = cfg->logging.level;
  if (!flags.log_level.empty() && !ParseLevel(flags.log_level, &level)) {
    std::cerr << "mqtt2s3: --log-level: expected trace|debug|info|warn|error, got '"
              << flags.log_level << "'\n";
    return 2;
  }
  SetUpLogging(level, cfg->logging.format);

  auto options = converter::OptionsFromConfig(*cfg);
  if (!options.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << options.status().message() << "\n";
    return 2;
  }
  auto client = s3::Client::Create(options->s3);
  if (!client.ok()) {
    std::cerr << "mqtt2s3: " << flags.config_file << ": " << client.status().message() << "\n";
    return 2;
  }
  converter::Converter conv(std::move(*options), std::move(*client));
  Status st = conv.Run(/*handle_signals=*/true);
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
