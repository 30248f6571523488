// Entry point of m2s_micro_bench: the benchmarks register themselves in micro_*.cc.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
