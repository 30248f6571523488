// Shared helpers of the micro benchmarks: the welding stream as test data and the per-message
// counters every benchmark reports (time and heap allocations per message).
//
//   const std::vector<sim::SimMessage>& msgs = WeldStream();   // 3 plants x 10 devices
//   const long allocs_before = AllocationsNow();
//   for (auto _ : state) { ... process kBatch messages ... }
//   ReportPerMessage(state, kBatch, AllocationsNow() - allocs_before);
//
// Allocation counts come from tests/support/alloc_counter.h when the binary links
// m2s_alloc_counter (M2S_BENCH_COUNT_ALLOCS); otherwise they read -1.
// Thread-safety: WeldStream() is initialised once (function-local static); the rest is pure.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/message_source.h"

namespace mqtt2s3::bench {

// Messages per benchmark iteration: one burst of the stream, like one coalesced socket read
// or a slice of a batch.
inline constexpr int kBurst = 1000;

// The first 3,000 messages of `mqtt2s3 simulate --plants 3 --devices 10` (uncompressed).
const std::vector<sim::SimMessage>& WeldStream();

// Heap allocations so far on all threads; -1 when the binary does not count them.
long AllocationsNow();

// Sets items_per_second, "t/msg" (seconds per message, printed with an SI prefix, e.g.
// "150n") and "allocs/msg" for `messages_per_iteration` messages per iteration.
void ReportPerMessage(benchmark::State& state, int64_t messages_per_iteration, long allocations);

}  // namespace mqtt2s3::bench
