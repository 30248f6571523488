// Ingest-side hot paths, per message: MQTT decode of a coalesced socket read, routing (topic
// match, bucket / partition / index key / dedupe id / event time), object key rendering at
// flush, and JSON field extraction with simdjson.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.h"
#include "mqtt/codec.h"
#include "route/json_fields.h"
#include "route/router.h"

namespace mqtt2s3::bench {
namespace {

// kBurst QoS 1 MQTT 5 PUBLISH packets back to back, as one socket read delivers them.
std::vector<uint8_t> CoalescedPublishes() {
  std::vector<uint8_t> buf;
  const auto& stream = WeldStream();
  for (int i = 0; i < kBurst; ++i) {
    mqtt::Publish p;
    p.topic = stream[i].topic;
    p.payload = stream[i].payload;
    p.qos = mqtt::QoS::kAtLeastOnce;
    p.packet_id = static_cast<uint16_t>(i + 1);
    if (!mqtt::EncodePublish(p, mqtt::ProtocolVersion::kV5, buf).ok()) return {};
  }
  return buf;
}

// Split + decode every PUBLISH and encode its PUBACK, as the session does per read.
void BM_MqttDecodeCoalesced(benchmark::State& state) {
  const std::vector<uint8_t> buf = CoalescedPublishes();
  const mqtt::DecodeLimits limits;
  std::vector<uint8_t> acks;
  acks.reserve(kBurst * 8);
  size_t payload_bytes = 0;
  const long before = AllocationsNow();
  for (auto _ : state) {
    acks.clear();
    std::span<const uint8_t> rest(buf);
    while (!rest.empty()) {
      StatusOr<mqtt::SplitResult> r = mqtt::SplitFrame(rest, limits);
      if (!r.ok() || !r->frame) {
        state.SkipWithError("split failed");
        return;
      }
      StatusOr<mqtt::Publish> p =
          mqtt::DecodePublish(*r->frame, mqtt::ProtocolVersion::kV5, limits);
      if (!p.ok()) {
        state.SkipWithError("decode failed");
        return;
      }
      payload_bytes += p->payload.size();
      mqtt::Ack ack;
      ack.type = mqtt::PacketType::kPubAck;
      ack.packet_id = p->packet_id;
      if (!mqtt::EncodeAck(ack, mqtt::ProtocolVersion::kV5, acks).ok()) return;
      rest = rest.subspan(r->frame->bytes.size());
    }
  }
  ReportPerMessage(state, kBurst, AllocationsNow() - before);
  benchmark::DoNotOptimize(payload_bytes);
}
BENCHMARK(BM_MqttDecodeCoalesced);

// The route of examples/welding.yaml (uncompressed topics).
route::RouterOptions WeldingRouterOptions() {
  route::RouteOptions r;
  r.name = "welding";
  r.filter = "COMPANY-X/+/+/+/+/+/+";
  r.pattern = "{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}";
  r.bucket = "{root}-plant-{plant}";
  r.key = "{first:%Y/%m/%d/%H}/{object_name}";
  r.compressed_level = "compressed";
  r.time_field = "/weldspot/Timestamp";
  r.time_format = "%Y%m%d %H%M%S";
  r.index_key = "{device}/{type}/{version}/{json:/weldspot/Timestamp}";
  r.dedupe_id = "{json:/seq}";
  route::RouterOptions o;
  o.routes.push_back(r);
  o.instance_id = "welding-1";
  return o;
}

void BM_RouteWeldingMessage(benchmark::State& state) {
  StatusOr<route::Router> router = route::Router::Create(WeldingRouterOptions());
  if (!router.ok()) {
    state.SkipWithError(router.status().ToString().c_str());
    return;
  }
  // Arg: 1 = the per-topic memo on (the default), 0 = off.
  if (state.range(0) == 0) router->set_memo_capacity(0);
  const auto& stream = WeldStream();
  const auto now = std::chrono::system_clock::now();
  route::RouteResult result;
  router->Route(stream[0].topic, stream[0].payload, now, 0, &result);  // warm the scratch
  uint64_t seq = 0;
  const long before = AllocationsNow();
  for (auto _ : state) {
    for (int i = 0; i < kBurst; ++i) {
      if (!router->Route(stream[i].topic, stream[i].payload, now, ++seq, &result)) {
        state.SkipWithError(result.detail.c_str());
        return;
      }
    }
  }
  ReportPerMessage(state, kBurst, AllocationsNow() - before);
}
BENCHMARK(BM_RouteWeldingMessage)->Arg(0)->Arg(1);

// Once per batch: the object key from the partition's partial key.
void BM_RenderObjectKey(benchmark::State& state) {
  StatusOr<route::Router> router = route::Router::Create(WeldingRouterOptions());
  if (!router.ok()) return;
  const auto& m = WeldStream()[0];
  route::RouteResult result;
  router->Route(m.topic, m.payload, std::chrono::system_clock::now(), 1, &result);
  const std::string partial(result.partial_key());
  std::string key;
  route::BatchKeyVars vars{.first_ms = 1538413200000, .last_ms = 1538414859000,
                           .partition_seq = 7, .count = 10000};
  const long before = AllocationsNow();
  for (auto _ : state) {
    if (!router->RenderObjectKey(0, partial, vars, &key).ok()) {
      state.SkipWithError("render failed");
      return;
    }
    ++vars.partition_seq;
  }
  ReportPerMessage(state, 1, AllocationsNow() - before);
  state.SetLabel("per object key");
}
BENCHMARK(BM_RenderObjectKey);

// The two index fields the welding route reads from each payload.
void BM_JsonFieldsExtract(benchmark::State& state) {
  route::JsonFields fields;
  const auto& stream = WeldStream();
  size_t bytes = 0;
  const long before = AllocationsNow();
  for (auto _ : state) {
    for (int i = 0; i < kBurst; ++i) {
      fields.Reset(stream[i].payload);
      std::string_view ts;
      std::string_view seq;
      if (fields.Get("/weldspot/Timestamp", &ts) != route::JsonFieldResult::kOk ||
          fields.Get("/seq", &seq) != route::JsonFieldResult::kOk) {
        state.SkipWithError("field missing");
        return;
      }
      bytes += ts.size() + seq.size();
    }
  }
  ReportPerMessage(state, kBurst, AllocationsNow() - before);
  benchmark::DoNotOptimize(bytes);
}
BENCHMARK(BM_JsonFieldsExtract);

}  // namespace
}  // namespace mqtt2s3::bench
