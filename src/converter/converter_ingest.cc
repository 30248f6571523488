// Session-thread half of the converter: every inbound message is routed and appended to its
// partition's batch; the age timer and flush commands complete batches; completed batches go
// to converter_flush.cc. Nothing here waits on S3.
#include <spdlog/spdlog.h>

#include <iterator>
#include <optional>

#include "converter/converter_impl.h"
#include "converter/flush_command.h"
#include "converter/object_metadata.h"
#include "route/dead_letter.h"
#include "route/dedupe_id.h"

namespace mqtt2s3::converter {
namespace {

using Clock = std::chrono::system_clock;

int64_t ToMs(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void Converter::Impl::OnMessage(const mqtt::InboundMessage& m) {
  if (draining_) {
    // Not acked: the broker redelivers it to the next session.
    Count([](ConverterStats& s) { ++s.deferred_on_shutdown; });
    return;
  }
  if (!options_.flush_control_topic.empty() && m.topic == options_.flush_control_topic) {
    OnControl(m);
    return;
  }
  if (m.dup && m.qos != mqtt::QoS::kAtMostOnce && log_ && AckRedelivery(m)) return;
  const Clock::time_point now = Clock::now();
  const uint64_t seq = NextSeq();
  received_.fetch_add(1, std::memory_order_relaxed);
  if (!router_->Route(m.topic, m.payload, now, seq, &route_result_)) {
    std::string route_name;
    if (route_result_.route_index >= 0) {
      route_name = router_->route(static_cast<size_t>(route_result_.route_index)).options().name;
    }
    DeadLetterMessage(m, route_result_.reason, route_result_.detail, route_name);
    return;
  }
  if (route_result_.event_time_fallback) {
    Count([](ConverterStats& s) { ++s.event_time_fallbacks; });
  }
  if (route_result_.event_time_out_of_window) {
    Count([](ConverterStats& s) { ++s.event_time_out_of_window; });
  }
  // Index key and dedupe id travel with the message as "<index key>\0<dedupe id>".
  const route::CompiledRoute& route = router_->route(static_cast<size_t>(route_result_.route_index));
  extra_scratch_.assign(route_result_.index_key);
  extra_scratch_.push_back('\0');
  std::optional<std::string_view> prop;
  if (!route.dedupe_user_property().empty()) {
    prop = m.properties.FindUserProperty(route.dedupe_user_property());
  }
  route::AppendDedupeId(route, route_result_, prop, m.topic, m.payload, &extra_scratch_);
  batch::MessageIn in;
  in.extra = extra_scratch_;
  in.topic = m.topic;
  in.payload = m.payload;
  in.event_time_ms = route_result_.event_time_ms;
  in.receive_time_ms = ToMs(now);
  in.ack_ref = m.token.id;
  in.qos = static_cast<uint8_t>(m.qos);
  in.flush_after = !options_.flush_user_property.empty() &&
                   m.properties.FindUserProperty(options_.flush_user_property).has_value();
  if (m.qos == mqtt::QoS::kAtMostOnce) {
    in.ack_ref = 0;
  } else if (options_.ack_mode == AckMode::kOnReceive) {
    session_->Release(m.token);
    Count([](ConverterStats& s) { ++s.acks_released; });
    in.ack_ref = 0;
    in.qos = 0;
  }
  if (options_.ack_mode == AckMode::kOnWal) LogMessage(m, &in);
  const size_t route_index = static_cast<size_t>(route_result_.route_index);
  Status st = batcher_->Append(route_result_.partition, route_result_.bucket,
                               route_result_.route_index, options_.PolicyFor(route_index), in,
                               &ready_);
  if (!st.ok()) {
    // The batcher refuses only messages it cannot hold (e.g. a payload over 4 GiB): keep it
    // under the dead-letter prefix instead.
    DeadLetterMessage(m, route::DeadLetterReason::kInvalidKey, st.message(),
                      router_->route(route_index).options().name);
    return;
  }
  DispatchReady();
  RearmTimer();
}

void Converter::Impl::OnControl(const mqtt::InboundMessage& m) {
  auto cmd = ParseFlushCommand(m.payload);
  if (!cmd.ok()) {
    Count([](ConverterStats& s) { ++s.control_errors; });
    spdlog::warn("ignored flush command on '{}': {}", options_.flush_control_topic,
                 cmd.status().message());
  } else {
    size_t n = 0;
    switch (cmd->scope) {
      case FlushCommand::Scope::kAll:
        n = batcher_->FlushAll(batch::FlushReason::kControl, &ready_);
        break;
      case FlushCommand::Scope::kBucket:
        n = batcher_->FlushMatching(
            [&](const batch::Batch& b) { return b.bucket() == cmd->target; },
            batch::FlushReason::kControl, &ready_);
        break;
      case FlushCommand::Scope::kPartition:
        n = batcher_->Flush(cmd->target, batch::FlushReason::kControl, &ready_) ? 1 : 0;
        break;
    }
    Count([](ConverterStats& s) { ++s.control_commands; });
    spdlog::info("flush command '{}': {} batch(es) flushed", EncodeMetadataValue(m.payload, 200),
                 n);
    DispatchReady();
    RearmTimer();
  }
  // A control message carries no data: acknowledge it at once.
  if (m.qos != mqtt::QoS::kAtMostOnce) session_->Release(m.token);
}

void Converter::Impl::DeadLetterMessage(const mqtt::InboundMessage& m,
                                        route::DeadLetterReason reason, const std::string& detail,
                                        const std::string& route_name) {
  const Clock::time_point now = Clock::now();
  upload::UploadRequest req;
  req.bucket = options_.dead_letter_bucket;
  route::AppendDeadLetterKey(options_.dead_letter_prefix, reason, now, NextSeq(),
                             options_.router.instance_id, &req.key);
  req.body.assign(m.payload);
  req.content_type = "application/octet-stream";
  req.metadata["topic"] = EncodeMetadataValue(m.topic);
  req.metadata["qos"] = std::to_string(static_cast<int>(m.qos));
  req.metadata["dead-letter-reason"] = std::string(route::DeadLetterReasonName(reason));
  req.metadata["dead-letter-detail"] = EncodeMetadataValue(detail, 512);
  if (!route_name.empty()) req.metadata["route"] = EncodeMetadataValue(route_name);
  Count([&](ConverterStats& s) {
    const auto i = static_cast<size_t>(reason);
    if (i < std::size(s.dead_letter_reasons)) ++s.dead_letter_reasons[i];
  });
  spdlog::warn("dead-lettering topic '{}' as {}/{}: {}", EncodeMetadataValue(m.topic, 256),
               req.bucket, req.key, detail);
  Blocked item;
  item.request = std::move(req);
  item.token_id = m.qos == mqtt::QoS::kAtMostOnce ? 0 : m.token.id;
  if (!options_.confirm_topic.empty()) route::AppendContentHash(m.topic, m.payload, &item.confirm_id);
  Submit(std::move(item));
}

void Converter::Impl::RearmTimer() {
  std::optional<std::chrono::steady_clock::time_point> next = batcher_->NextDeadline();
  if (next == armed_deadline_) return;
  armed_deadline_ = next;
  if (!next) {
    age_timer_.cancel();
    return;
  }
  age_timer_.expires_at(*next);
  age_timer_.async_wait([this](const boost::system::error_code& ec) { OnTimer(ec); });
}

void Converter::Impl::OnTimer(const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // re-armed or stopping
  armed_deadline_.reset();
  batcher_->FlushExpired(std::chrono::steady_clock::now(), &ready_);
  DispatchReady();
  RearmTimer();
}

void Converter::Impl::FlushAllForShutdown() {
  batcher_->FlushAll(batch::FlushReason::kShutdown, &ready_);
  DispatchReady();
  SyncWalForShutdown();  // what was logged is durable: release those acks before DISCONNECT
  age_timer_.cancel();
  std::lock_guard lock(mu_);
  shutdown_flushed_ = true;
  cv_.notify_all();
}

}  // namespace mqtt2s3::converter
