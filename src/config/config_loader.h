// Loads and validates the YAML config file (the only code that reads it).
//
//   StatusOr<Config> cfg = LoadConfigFile("/etc/mqtt2s3/welding.yaml");
//   if (!cfg.ok()) {                         // every line: "file:line:col: key 'x': why"
//     std::cerr << cfg.status().message() << "\n";
//     return 2;
//   }
//
// What it checks, all against the table in config_table.cc: YAML syntax (with line), unknown
// keys (with a did-you-mean), duplicate keys, types, ranges, enum choices, required keys,
// inline secrets (rejected: use *_env / *_file), then Config::Validate() (filters, templates,
// cross-field rules). Several errors are reported at once, one per line. After the checks it
// fills dynamic defaults (instance_id, broker.client_id, routes[].content_type), makes
// relative file paths relative to the config file's directory, and resolves secrets from the
// environment or files.
//
// Thread-safety: stateless functions; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "config/config.h"
#include "config/environment.h"

namespace mqtt2s3::config {

struct LoadOptions {
  // Where env vars, secret files and the host name come from; nullptr = the real process.
  const Environment* env = nullptr;
  // false: leave Secret fields empty and do not require the variables/files to exist (for
  // checking a config on a machine that does not hold the secrets).
  bool resolve_secrets = true;
};

// Reads `path` from the real file system (options.env serves only what the file refers to).
StatusOr<Config> LoadConfigFile(const std::string& path, const LoadOptions& options = {});

// `file_name` is used in messages and as the base of relative paths ("" = none).
StatusOr<Config> LoadConfigFromString(std::string_view yaml, std::string_view file_name,
                                      const LoadOptions& options = {});

}  // namespace mqtt2s3::config
