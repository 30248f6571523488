#include "metrics/converter_collector.h"

#include <prometheus/text_serializer.h>

#include <iterator>
#include <limits>
#include <sstream>

#include "batch/flush_policy.h"
#include "route/dead_letter.h"

namespace mqtt2s3::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = "mqtt2s3_" + std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

ClientMetric Sample(MetricType type, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return m;
}

void Add(std::vector<MetricFamily>* out, std::string name, std::string help, MetricType type,
         double value) {
  MetricFamily f = Family(std::move(name), std::move(help), type);
  f.metric.push_back(Sample(type, value));
  out->push_back(std::move(f));
}

void Counter(std::vector<MetricFamily>* out, std::string name, std::string help, uint64_t v) {
  Add(out, std::move(name), std::move(help), MetricType::Counter, static_cast<double>(v));
}

void Gauge(std::vector<MetricFamily>* out, std::string name, std::string help, double v) {
  Add(out, std::move(name), std::move(help), MetricType::Gauge, v);
}

MetricFamily LatencyHistogram(const upload::UploadProbe::Snapshot& u) {
  MetricFamily f = Family("upload_duration_seconds",
                          "Seconds from handing a stored object to the uploader to its last "
                          "S3 answer (succeeded uploads, retries and multipart included).",
                          MetricType::Histogram);
  ClientMetric m;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < u.latency_buckets.size(); ++i) {
    cumulative += u.latency_buckets[i];
    ClientMetric::Bucket b;
    b.cumulative_count = cumulative;
    b.upper_bound = i < upload::UploadProbe::kLatencyBounds.size()
                        ? upload::UploadProbe::kLatencyBounds[i]
                        : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(b);
  }
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = u.latency_sum_seconds;
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace

std::vector<MetricFamily> ConverterCollector::Collect() const {
  const converter::ConverterStats s = source_->Stats();
  const upload::UploadProbe::Snapshot u = source_->Uploads();
  const HealthState h = source_->Health();
  std::vector<MetricFamily> out;
  out.reserve(40);

  Counter(&out, "messages_received_total", "Data messages received from the broker.", s.received);
  Counter(&out, "messages_stored_total", "Messages stored in their route's objects.",
          s.messages_uploaded);
  Counter(&out, "messages_acked_total", "QoS 1/2 acknowledgements released to the broker.",
          s.acks_released);
  Counter(&out, "messages_dead_lettered_total",
          "Messages stored under the dead-letter prefix (no route, missing template field, "
          "or a batch S3 refused for good).",
          s.dead_lettered);
  Counter(&out, "messages_deferred_total",
          "Messages that arrived while stopping, left unacknowledged for redelivery.",
          s.deferred_on_shutdown);
  Counter(&out, "messages_left_unacked_total",
          "Messages not stored (grace over or refused), left for the broker to redeliver.",
          s.left_unacked);
  Counter(&out, "event_time_fallbacks_total",
          "Messages whose event time was missing or unparsable (receive time used).",
          s.event_time_fallbacks);
  Counter(&out, "event_time_out_of_window_total",
          "Messages whose event time was outside the route's window (earliest_event_time, "
          "max_event_ahead) and were kept under their receive time; dead-lettered ones count "
          "in dead_letter_messages_total{reason=\"event_time_out_of_window\"}.",
          s.event_time_out_of_window);
  // Received but neither stored, dead-lettered nor given back to the broker: held in batches,
  // in the upload queue or in flight to S3.
  const uint64_t settled =
      s.messages_uploaded + s.dead_lettered + s.deferred_on_shutdown + s.left_unacked;
  Gauge(&out, "messages_buffered", "Messages received and not yet stored (batches, uploads).",
        s.received > settled ? static_cast<double>(s.received - settled) : 0.0);

  MetricFamily flushes =
      Family("batches_flushed_total", "Batches flushed, by trigger.", MetricType::Counter);
  for (size_t i = 0; i < batch::kFlushReasonCount; ++i) {
    flushes.metric.push_back(Sample(
        MetricType::Counter, static_cast<double>(s.flushes[i]),
        {{"trigger", std::string(batch::FlushReasonName(static_cast<batch::FlushReason>(i)))}}));
  }
  out.push_back(std::move(flushes));
  Counter(&out, "objects_stored_total", "Batch objects stored under their route's keys.",
          s.batches_uploaded);
  Counter(&out, "index_objects_total", "Companion index objects stored.", s.index_objects);
  Counter(&out, "stored_bytes_total", "Object body bytes stored.", s.upload_bytes);
  Counter(&out, "upload_blocked_total", "Times a batch waited because the upload queue was full.",
          s.upload_blocked);

  MetricFamily uploads =
      Family("uploads_total", "Uploads completed, by outcome.", MetricType::Counter);
  for (const auto& [outcome, n] :
       {std::pair{"succeeded", u.succeeded}, std::pair{"failed", u.failed},
        std::pair{"cancelled", u.cancelled}}) {
    uploads.metric.push_back(
        Sample(MetricType::Counter, static_cast<double>(n), {{"outcome", outcome}}));
  }
  out.push_back(std::move(uploads));
  Counter(&out, "upload_bytes_total", "Bytes of succeeded uploads.", u.bytes);
  Counter(&out, "upload_retries_total",
          "S3 requests repeated after a retryable failure (all operations).", u.retries);
  MetricFamily failures = Family("upload_failures_total",
                                 "Uploads failed for good, by status code.", MetricType::Counter);
  for (const auto& [code, n] : u.failures) {
    failures.metric.push_back(
        Sample(MetricType::Counter, static_cast<double>(n), {{"code", code}}));
  }
  if (!failures.metric.empty()) out.push_back(std::move(failures));
  out.push_back(LatencyHistogram(u));

  Counter(&out, "wal_appends_total", "Messages appended to the write-ahead log.", s.wal_appended);
  Counter(&out, "wal_rejected_total",
          "Messages not appended (disk budget full; acknowledged after upload instead).",
          s.wal_rejected);
  Counter(&out, "redeliveries_recognised_total",
          "Redelivered (DUP) QoS 1/2 messages the WAL already held: acknowledged, not stored "
          "again.",
          s.redeliveries_recognised);
  Counter(&out, "wal_commits_total", "Batches recorded as stored in the write-ahead log.",
          s.wal_commits);
  Counter(&out, "wal_recovered_messages_total", "Messages replayed from the log at start-up.",
          s.recovered_messages);
  Counter(&out, "wal_recovered_batches_total", "Batches re-formed from the log at start-up.",
          s.recovered_batches);

  Gauge(&out, "wal_disk_bytes", "Bytes of all live write-ahead log segments.",
        static_cast<double>(s.wal_disk_bytes));
  Gauge(&out, "wal_segments", "Live write-ahead log segments.",
        static_cast<double>(s.wal_segments));
  Gauge(&out, "batch_buffered_bytes", "Message bytes in open batches (ack mode on-wal).",
        static_cast<double>(s.buffered_bytes));
  Gauge(&out, "batch_buffered_messages", "Messages in open batches (ack mode on-wal).",
        static_cast<double>(s.buffered_messages));
  MetricFamily reasons = Family("dead_letter_messages_total",
                                "Messages sent to the dead-letter prefix at routing, by reason.",
                                MetricType::Counter);
  for (size_t i = 1; i < std::size(s.dead_letter_reasons); ++i) {
    const std::string_view name = route::DeadLetterReasonName(static_cast<route::DeadLetterReason>(i));
    if (name == "none" || name == "unknown") continue;
    reasons.metric.push_back(Sample(MetricType::Counter,
                                    static_cast<double>(s.dead_letter_reasons[i]),
                                    {{"reason", std::string(name)}}));
  }
  out.push_back(std::move(reasons));
  MetricFamily nulls = Family("parquet_null_values_total",
                              "Typed Parquet column values stored as null, by route, column and "
                              "reason (absent: no such field or JSON null; type: not "
                              "convertible; payload: not JSON or not inflatable).",
                              MetricType::Counter);
  for (const converter::ColumnNullStats& c : s.parquet_nulls) {
    for (size_t r = 0; r < std::size(c.nulls); ++r) {
      static constexpr const char* kReasons[] = {"absent", "type", "payload"};
      nulls.metric.push_back(Sample(MetricType::Counter, static_cast<double>(c.nulls[r]),
                                    {{"route", c.route}, {"column", c.column},
                                     {"reason", kReasons[r]}}));
    }
  }
  if (!nulls.metric.empty()) out.push_back(std::move(nulls));
  Counter(&out, "broker_connects_total", "Broker connections accepted (CONNACK).",
          s.broker_connects);
  Counter(&out, "broker_disconnects_total",
          "Established broker connections lost (each is followed by a reconnect).",
          s.broker_disconnects);

  Counter(&out, "control_commands_total", "Flush commands executed.", s.control_commands);
  Counter(&out, "control_errors_total", "Malformed flush commands.", s.control_errors);
  Counter(&out, "confirmations_total", "Upload confirmations published.", s.confirmations);

  Gauge(&out, "broker_connected", "1 while a broker connection is established.",
        h.broker_connected ? 1 : 0);
  Gauge(&out, "s3_reachable", "1 while the S3 endpoint answered its last check.",
        h.s3_reachable ? 1 : 0);
  Gauge(&out, "ready", "1 while /readyz answers 200.", h.ready() ? 1 : 0);
  return out;
}

std::string SerializeText(const std::vector<MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace mqtt2s3::metrics
