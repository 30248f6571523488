// Storage-side hot paths: WAL append (sync never / every 5 ms, on a temporary directory),
// encoding a 10,000-message object with its index, and SigV4-signing one S3 request.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "format/object_writer.h"
#include "s3/signer.h"
#include "wal/log.h"

namespace mqtt2s3::bench {
namespace {

// A fresh directory under $TMPDIR (default /tmp), removed when the benchmark ends.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/m2s-bench-wal-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Appends the welding stream the way the converter does: partition, topic, payload and the
// dedupe id + index key as extra. The WAL is committed and trimmed outside the timed region
// so the benchmark never hits the disk budget.
void BM_WalAppend(benchmark::State& state, wal::SyncPolicy policy) {
  TempDir dir;
  wal::LogOptions o;
  o.dir = dir.path() + "/wal";
  o.segment_bytes = 16ull << 20;
  o.sync_policy = policy;
  o.sync_every_ms = 5;
  wal::Recovered rec;
  StatusOr<std::unique_ptr<wal::Log>> log = wal::Log::Open(o, wal::PosixFileSystem(), &rec);
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  const auto& stream = WeldStream();
  const std::string partition = "company-x-plant-1/2018/10/01/17/";
  const std::string extra = "1234\nWELDING-STATION-1/WELD/1/20181001 170000";
  uint64_t partition_seq = 0;
  const long before = AllocationsNow();
  for (auto _ : state) {
    for (int i = 0; i < kBurst; ++i) {
      StatusOr<uint64_t> seq = (*log)->Append({.partition = partition,
                                               .topic = stream[i].topic,
                                               .payload = stream[i].payload,
                                               .extra = extra,
                                               .receive_time_ms = 1538413200000,
                                               .qos = 1});
      if (!seq.ok()) {
        state.SkipWithError(seq.status().ToString().c_str());
        return;
      }
      if (policy == wal::SyncPolicy::kEveryMillis && !(*log)->MaybeSync(NowMs()).ok()) return;
    }
    if ((*log)->disk_usage() > (64ull << 20)) {
      state.PauseTiming();
      const wal::CommitMarker m{.partition = partition,
                                .partition_seq = ++partition_seq,
                                .last_sequence = (*log)->last_sequence()};
      if (!(*log)->Commit(m).ok() || !(*log)->DeleteObsoleteSegments().ok()) return;
      state.ResumeTiming();
    }
  }
  ReportPerMessage(state, kBurst, AllocationsNow() - before);
  state.counters["fsyncs"] = static_cast<double>((*log)->stats().syncs);
}
BENCHMARK_CAPTURE(BM_WalAppend, sync_never, wal::SyncPolicy::kNever);
BENCHMARK_CAPTURE(BM_WalAppend, sync_every_5ms, wal::SyncPolicy::kEveryMillis);

// One full welding batch: 10,000 messages of one plant, clustered by device, with the
// offset index (companion object: it is far over the metadata budget).
void BM_ObjectEncode10k(benchmark::State& state) {
  constexpr int kMessages = 10'000;
  format::FormatOptions fo;
  fo.cluster_key_components = 1;
  StatusOr<format::ObjectWriter> writer = format::ObjectWriter::Create(fo);
  if (!writer.ok()) {
    state.SkipWithError(writer.status().ToString().c_str());
    return;
  }
  const auto& stream = WeldStream();
  std::vector<std::string> index_keys;
  std::vector<std::string> ids;
  for (int i = 0; i < kMessages; ++i) {
    const auto& m = stream[i % stream.size()];
    index_keys.push_back(m.topic.substr(m.topic.find("WELDING")) + "/20181001 170000");
    ids.push_back(std::to_string(i));
  }
  std::vector<format::MessageRecord> records;
  for (int i = 0; i < kMessages; ++i) {
    const auto& m = stream[i % stream.size()];
    records.push_back({m.payload, m.topic, index_keys[i], ids[i], 1538413200000 + i * 100});
  }
  size_t body_bytes = 0;
  const long before = AllocationsNow();
  for (auto _ : state) {
    StatusOr<format::EncodedObject> obj = writer->Encode(records);
    if (!obj.ok()) {
      state.SkipWithError(obj.status().ToString().c_str());
      return;
    }
    body_bytes = obj->body.size();
  }
  ReportPerMessage(state, kMessages, AllocationsNow() - before);
  state.counters["body_bytes"] = static_cast<double>(body_bytes);
}
BENCHMARK(BM_ObjectEncode10k)->Unit(benchmark::kMillisecond);

// One PUT of a batch object (the body hash is computed elsewhere): once per object, so per
// message it is this divided by the batch size.
void BM_SigV4SignPut(benchmark::State& state) {
  const s3::Signer signer(s3::Credentials{"AKIDEXAMPLE", "not-a-real-secret", ""}, "us-east-1");
  const auto now = std::chrono::system_clock::now();
  const long before = AllocationsNow();
  for (auto _ : state) {
    s3::SignableRequest req{
        .method = "PUT",
        .encoded_path = "/company-x-plant-1/2018/10/01/17/"
                        "20181001T170000.000Z_20181001T172739.000Z_welding-1_0000000000.jsonl",
        .query = {},
        .headers = {{"host", "127.0.0.1:8000"},
                    {"content-type", "application/json"},
                    {"x-amz-meta-mqtt2s3-format", "1"}},
        .payload_hash = std::string(s3::kEmptyPayloadHash)};
    signer.Sign(req, now);
    benchmark::DoNotOptimize(req.headers.back().second.data());
  }
  ReportPerMessage(state, 1, AllocationsNow() - before);
  state.SetLabel("per request");
}
BENCHMARK(BM_SigV4SignPut);

}  // namespace
}  // namespace mqtt2s3::bench
