// Process-wide log set-up: spdlog's default logger on stderr, text or JSON lines.
// Call once from main before any other thread starts.
#pragma once

#include "config/config.h"

namespace mqtt2s3::app {

void SetUpLogging(config::LogLevel level, config::LogFormat format);

}  // namespace mqtt2s3::app
