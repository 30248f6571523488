// Text renderings of the config: the effective config for `mqtt2s3 check-config`, and the
// reference documentation docs/CONFIG.md. Both walk the table in config_table.cc.
//
//   std::cout << DumpEffective(cfg);       // YAML, defaults filled in, secrets masked
//   WriteFile("docs/CONFIG.md", RenderConfigMarkdown());
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "config/config.h"

namespace mqtt2s3::config {

// The whole effective config as YAML that LoadConfigFromString() accepts again. Secret values
// are never printed: resolved secrets appear as comments ("# password: **** (env X)").
std::string DumpEffective(const Config& config);

// docs/CONFIG.md, generated. config_docs_test fails when the checked-in file differs;
// regenerate with: MQTT2S3_UPDATE_DOCS=1 build/src/config/config_docs_test
std::string RenderConfigMarkdown();

}  // namespace mqtt2s3::config
