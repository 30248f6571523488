// Session-thread half of the backup consumer: keep every data message in the WAL (ack once
// durable; wait for space when the budget is full), recognise the broker's redeliveries of
// kept messages, and apply the converter's confirmations to the pending set.
#include <spdlog/spdlog.h>

#include "backup/backup_consumer_impl.h"
#include "confirm/confirmation.h"
#include "route/dedupe_id.h"

namespace mqtt2s3::backup {
namespace {

using Clock = std::chrono::system_clock;

int64_t ToMs(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void BackupConsumer::Impl::OnMessage(const mqtt::InboundMessage& m) {
  if (stopping_) return;  // not acked: the broker redelivers it to the next session
  const bool needs_ack = m.qos != mqtt::QoS::kAtMostOnce;
  if (m.topic == options_.confirm_topic) {
    OnConfirmation(m);
    if (needs_ack) session_->Release(m.token);
    return;
  }
  if (!options_.flush_control_topic.empty() && m.topic == options_.flush_control_topic) {
    // A flush command is no data: the converter never stores nor confirms it.
    if (needs_ack) session_->Release(m.token);
    return;
  }
  const Clock::time_point now = Clock::now();
  const int64_t now_ms = ToMs(now);
  Count([](BackupStats& s) { ++s.received; });

  // The id the converter gives this message (route/dedupe_id.h); a message no route takes is
  // confirmed by the converter with its content hash (it stores it as a dead letter).
  id_scratch_.clear();
  if (router_->Route(m.topic, m.payload, now, log_->last_sequence() + 1, &route_result_)) {
    const route::CompiledRoute& route =
        router_->route(static_cast<size_t>(route_result_.route_index));
    std::optional<std::string_view> prop;
    if (!route.dedupe_user_property().empty()) {
      prop = m.properties.FindUserProperty(route.dedupe_user_property());
    }
    route::AppendDedupeId(route, route_result_, prop, m.topic, m.payload, &id_scratch_);
  } else {
    route::AppendContentHash(m.topic, m.payload, &id_scratch_);
  }

  if (TakeRedelivery(m)) return;
  if (pending_.ConsumeEarly(id_scratch_, now_ms)) {
    // The converter stored it already.
    Count([](BackupStats& s) { ++s.early_matched; });
    if (needs_ack) session_->Release(m.token);
    return;
  }
  Keep(Kept{std::string(m.topic), std::string(m.payload), id_scratch_, now_ms},
       static_cast<uint8_t>(m.qos), needs_ack ? m.token : mqtt::AckToken{});
}

bool BackupConsumer::Impl::TakeRedelivery(const mqtt::InboundMessage& m) {
  // Only a message the broker marks as a redelivery: an identical new message must be kept.
  if (!m.dup || redelivery_.empty()) return false;
  auto it = redelivery_.find(id_scratch_);
  if (it == redelivery_.end()) return false;
  const uint64_t seq = it->second.front();
  it->second.pop_front();
  if (it->second.empty()) redelivery_.erase(it);
  Count([](BackupStats& s) { ++s.redeliveries; });
  if (m.qos != mqtt::QoS::kAtMostOnce) {
    acks_.push_back({seq, m.token, id_scratch_});
    ReleaseDurable();
    ArmSync();
  }
  return true;
}

void BackupConsumer::Impl::Keep(Kept message, uint8_t qos, mqtt::AckToken token) {
  // Behind anything already waiting for space: acks go out in receive order anyway.
  if (overflow_.empty() && TryAppend(&message, qos, token)) return;
  overflow_.push_back({std::move(message), qos, token});
}

bool BackupConsumer::Impl::TryAppend(Kept* message, uint8_t qos, mqtt::AckToken token) {
  if (!failure_.ok()) return true;  // stopping; not acked, so redelivered to the next session
  wal::MessageIn in;
  in.partition = kBackupPartition;
  in.topic = message->topic;
  in.payload = message->payload;
  in.extra = message->id;
  in.receive_time_ms = message->receive_ms;
  in.qos = qos;
  StatusOr<uint64_t> seq = log_->Append(in);
  if (!seq.ok()) {
    if (seq.status().code() != StatusCode::kResourceExhausted) {
      Fail(seq.status().WithContext("WAL append"));
      return true;
    }
    // Not acked until it is in the WAL: the broker's window holds back what follows, and
    // uploads of expired messages free the budget.
    Count([](BackupStats& s) { ++s.wal_full; });
    if (!wal_full_logged_) {
      spdlog::warn("backup: WAL budget full ({} bytes); acks wait until uploads free space",
                   log_->disk_usage());
      wal_full_logged_ = true;
    }
    return false;
  }
  wal_full_logged_ = false;
  pending_.Add(message->id, *seq, message->receive_ms);
  if (token.valid()) acks_.push_back({*seq, token, message->id});
  kept_.emplace(*seq, std::move(*message));
  Count([](BackupStats& s) { ++s.kept; });
  if (token.valid()) {
    ReleaseDurable();
    ArmSync();
  }
  return true;
}

void BackupConsumer::Impl::DrainOverflow() {
  while (!overflow_.empty()) {
    Overflow& o = overflow_.front();
    if (!TryAppend(&o.message, o.qos, o.token)) return;
    overflow_.pop_front();
  }
}

void BackupConsumer::Impl::OnConnectionLost() {
  // The lost connection's tokens are stale and the broker redelivers what they named. Kept
  // ones are recognised then (TakeRedelivery); waiting ones are simply received again.
  for (Unacked& a : acks_) redelivery_[std::move(a.id)].push_back(a.sequence);
  acks_.clear();
  overflow_.clear();
}

void BackupConsumer::Impl::OnConfirmation(const mqtt::InboundMessage& m) {
  auto c = confirm::ParseConfirmation(m.payload);
  if (!c.ok()) {
    Count([](BackupStats& s) { ++s.confirmation_errors; });
    spdlog::warn("backup: ignored confirmation on '{}': {}", options_.confirm_topic,
                 c.status().message());
    return;
  }
  const int64_t now_ms = ToMs(Clock::now());
  uint64_t confirmed = 0, early = 0;
  for (const std::string& id : c->ids) {
    if (auto seq = pending_.Confirm(id, now_ms)) {
      kept_.erase(*seq);
      ++confirmed;
    } else {
      ++early;
    }
  }
  Count([&](BackupStats& s) {
    ++s.confirmations;
    s.confirmed += confirmed;
    s.early_confirmations += early;
  });
  spdlog::debug("backup: confirmation {}/{} ({}): {} confirmed, {} early", c->bucket, c->key,
                c->instance, confirmed, early);
}

void BackupConsumer::Impl::ReleaseDurable() {
  const uint64_t durable = log_->durable_sequence();
  uint64_t released = 0;
  while (!acks_.empty() && acks_.front().sequence <= durable) {
    session_->Release(acks_.front().token);
    acks_.pop_front();
    ++released;
  }
  if (released) Count([&](BackupStats& s) { s.acks_released += released; });
}

}  // namespace mqtt2s3::backup
