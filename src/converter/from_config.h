// Maps the loaded configuration (config/config.h) onto the components' options: the session,
// the S3 client, the router and the converter itself. The only place that knows both shapes.
// Pure function; thread-safe.
#pragma once

#include "common/status.h"
#include "config/config.h"
#include "converter/converter_options.h"

namespace mqtt2s3::converter {

// Fails, naming the config key, for settings the components do not honour
// (broker.tls.verify: false; verification is always on).
StatusOr<ConverterOptions> OptionsFromConfig(const config::Config& cfg);

}  // namespace mqtt2s3::converter
