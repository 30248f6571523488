// ProgressLine: the one-line console summary `mqtt2s3 run` prints every 10 s when stderr is a
// terminal (apps/mqtt2s3/service_runtime.cc), e.g.
//   progress: received 12000 (1200.0/s), stored 11000, acked 12000, buffered 1000,
//   dead-lettered 0, wal appended 12000 commits 11
// Pure function of two stats readings; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "converter/converter.h"

namespace mqtt2s3::metrics {

std::string ProgressLine(const converter::ConverterStats& before,
                         const converter::ConverterStats& now,
                         std::chrono::duration<double> elapsed);

}  // namespace mqtt2s3::metrics
