#include "bench_support.h"

#include "sim/weld_generator.h"

#if M2S_BENCH_COUNT_ALLOCS
#include "alloc_counter.h"
#endif

namespace mqtt2s3::bench {

const std::vector<sim::SimMessage>& WeldStream() {
  static const std::vector<sim::SimMessage> stream = [] {
    sim::WeldOptions o;
    o.plants = 3;
    o.devices = 10;
    o.count = 100;
    sim::WeldGenerator gen(o);
    std::vector<sim::SimMessage> out;
    sim::SimMessage m;
    while (gen.Next(&m)) out.push_back(m);
    return out;
  }();
  return stream;
}

long AllocationsNow() {
#if M2S_BENCH_COUNT_ALLOCS
  return testing::TotalAllocations();
#else
  return -1;
#endif
}

void ReportPerMessage(benchmark::State& state, int64_t messages_per_iteration, long allocations) {
  const int64_t messages = state.iterations() * messages_per_iteration;
  state.SetItemsProcessed(messages);
  // kIsRate divides by the elapsed time, kInvert turns messages/s into s/message.
  state.counters["t/msg"] = benchmark::Counter(
      static_cast<double>(messages), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["allocs/msg"] =
      allocations < 0 || messages == 0 ? -1.0
                                       : static_cast<double>(allocations) /
                                             static_cast<double>(messages);
}

}  // namespace mqtt2s3::bench
