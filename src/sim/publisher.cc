#include "sim/publisher.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mqtt/session.h"

namespace mqtt2s3::sim {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Messages published per turn of the event loop before yielding, so PUBACKs and socket
// writes are serviced while the generator runs ahead.
constexpr uint32_t kPumpBurst = 512;

// The run's state machine. Everything runs on the one thread inside io_.run(): the session's
// strand, the timers and Pump() all live on io_, so no member needs a lock.
class Run {
 public:
  Run(const PublisherOptions& options, MessageSource* source)
      : options_(options),
        source_(source),
        session_(io_, options.session),
        rate_timer_(io_),
        deadline_(io_),
        sync_every_(std::max<uint32_t>(1, options.window / 4)) {}

  StatusOr<PublishReport> Execute() {
    session_.SetStateHandler([this](const mqtt::SessionEvent& e) { OnState(e); });
    deadline_.expires_after(options_.timeout);
    deadline_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) Abort(Status::DeadlineExceeded("publishing did not finish within the timeout"));
    });
    session_.Start();
    io_.run();
    report_.elapsed = end_ - start_;
    if (!error_.ok()) {
      if (issued_ == 0) return error_;
      return error_.WithContext("published " + std::to_string(report_.messages) + " of " +
                                std::to_string(issued_) + " messages (" +
                                std::to_string(report_.failed) + " failed)");
    }
    report_.all_confirmed = report_.failed == 0 && report_.messages == issued_;
    return report_;
  }

 private:
  bool qos0() const { return options_.qos == mqtt::QoS::kAtMostOnce; }
  uint64_t unconfirmed() const { return issued_ - confirmed_; }

  void OnState(const mqtt::SessionEvent& e) {
    using Kind = mqtt::SessionEvent::Kind;
    if (e.kind == Kind::kConnected) {
      connected_ = true;
      if (ever_connected_) ++report_.reconnects;
      if (!ever_connected_) start_ = Clock::now();
      ever_connected_ = true;
      Pump();
    } else if (e.kind == Kind::kDisconnected) {
      connected_ = false;
      if (!ever_connected_) {
        Abort(e.status.WithContext("connecting to " + options_.session.ToString()));
      }
    }
  }

  void Abort(Status why) {
    if (error_.ok()) error_ = std::move(why);
    Shutdown();
  }

  void Shutdown() {
    if (stopping_) return;
    stopping_ = true;
    rate_timer_.cancel();
    deadline_.cancel();
    session_.Stop();
  }

  void Pump() {
    pump_posted_ = false;
    if (stopping_ || !connected_ || finishing_) return;
    for (uint32_t n = 0; n < kPumpBurst; ++n) {
      if (unconfirmed() >= options_.window) return;  // a confirmation calls Pump again
      if (options_.rate > 0 && !RateAllows()) return;
      if (!source_->Next(&msg_)) {
        if (!source_->status().ok()) return Abort(source_->status());
        return Finish();
      }
      PublishMessage();
    }
    pump_posted_ = true;
    asio::post(io_, [this] { Pump(); });
  }

  // Even spacing from the first message: message k may go at start + k / rate.
  bool RateAllows() {
    const auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(issued_) /
                                                                options_.rate));
    if (Clock::now() >= due) return true;
    if (!rate_timer_armed_) {
      rate_timer_armed_ = true;
      rate_timer_.expires_at(due);
      rate_timer_.async_wait([this](const boost::system::error_code& ec) {
        rate_timer_armed_ = false;
        if (!ec) Pump();
      });
    }
    return false;
  }

  void PublishMessage() {
    mqtt::UserProperties props;
    if (msg_.last_of_device && !options_.flush_property.empty()) {
      props.emplace_back(options_.flush_property, "1");
    }
    const uint64_t payload_bytes = msg_.payload.size();
    const uint64_t topic_bytes = msg_.topic.size();
    ++issued_;
    session_.Publish(msg_.topic, msg_.payload, options_.qos, std::move(props),
                     [this, payload_bytes, topic_bytes](Status s) {
                       OnMessageDone(s, payload_bytes, topic_bytes);
                     });
    if (qos0() && issued_ - last_sync_issued_ >= sync_every_) SendSync();
  }

  void OnMessageDone(const Status& s, uint64_t payload_bytes, uint64_t topic_bytes) {
    if (s.ok()) {
      ++report_.messages;
      report_.payload_bytes += payload_bytes;
      report_.topic_bytes += topic_bytes;
      if (!qos0()) ++report_.acked;
    } else {
      ++report_.failed;
    }
    if (qos0()) return;  // QoS 0 is confirmed by syncs
    ++confirmed_;
    AfterConfirmation();
  }

  void SendSync() {
    const uint64_t upto = issued_;
    last_sync_issued_ = upto;
    ++syncs_outstanding_;
    session_.Publish(options_.sync_topic, std::to_string(upto), mqtt::QoS::kAtLeastOnce, {},
                     [this, upto](Status s) {
                       --syncs_outstanding_;
                       if (!s.ok()) return Abort(s.WithContext("sync message"));
                       ++report_.syncs;
                       confirmed_ = std::max(confirmed_, upto);
                       AfterConfirmation();
                     });
  }

  void AfterConfirmation() {
    if (finishing_) {
      MaybeComplete();
    } else if (!pump_posted_) {
      pump_posted_ = true;
      asio::post(io_, [this] { Pump(); });
    }
  }

  // The source is exhausted: confirm the tail, then flush, then stop.
  void Finish() {
    finishing_ = true;
    if (qos0() && last_sync_issued_ != issued_) SendSync();
    MaybeComplete();
  }

  void MaybeComplete() {
    if (stopping_ || flush_outstanding_ || confirmed_ < issued_ || syncs_outstanding_ > 0) return;
    end_ = Clock::now();
    if (options_.flush_topic.empty() || report_.flush_sent) return Shutdown();
    flush_outstanding_ = true;
    session_.Publish(options_.flush_topic, "{}", mqtt::QoS::kAtLeastOnce, {}, [this](Status s) {
      flush_outstanding_ = false;
      if (!s.ok()) return Abort(s.WithContext("flush message to '" + options_.flush_topic + "'"));
      report_.flush_sent = true;
      Shutdown();
    });
  }

  const PublisherOptions& options_;
  MessageSource* source_;
  asio::io_context io_;
  mqtt::Session session_;
  asio::steady_timer rate_timer_;
  asio::steady_timer deadline_;
  const uint32_t sync_every_;

  SimMessage msg_;
  PublishReport report_;
  Status error_;
  uint64_t issued_ = 0;            // messages handed to the session
  uint64_t confirmed_ = 0;         // messages known to have reached the broker (or failed)
  uint64_t last_sync_issued_ = 0;  // issued_ when the last sync went out
  uint32_t syncs_outstanding_ = 0;
  bool connected_ = false;
  bool ever_connected_ = false;
  bool pump_posted_ = false;
  bool rate_timer_armed_ = false;
  bool finishing_ = false;
  bool flush_outstanding_ = false;
  bool stopping_ = false;
  Clock::time_point start_{};
  Clock::time_point end_{};
};

}  // namespace

Status PublisherOptions::Validate() const {
  M2S_RETURN_IF_ERROR(session.Validate());
  if (!session.subscriptions.empty()) {
    return Status::InvalidArgument("publisher: session must have no subscriptions");
  }
  if (qos != mqtt::QoS::kAtMostOnce && qos != mqtt::QoS::kAtLeastOnce) {
    return Status::InvalidArgument("publisher: qos must be 0 or 1");
  }
  if (!(rate >= 0) || !std::isfinite(rate)) {
    return Status::InvalidArgument("publisher: rate must be >= 0 messages per second");
  }
  // The session assigns QoS 1 packet ids by scanning what is queued and in flight, and ids
  // are 16-bit: a larger window would only slow it down.
  if (window < 1 || window > 65535) {
    return Status::InvalidArgument("publisher: window must be in 1..65535");
  }
  if (qos == mqtt::QoS::kAtMostOnce && sync_topic.empty()) {
    return Status::InvalidArgument("publisher: QoS 0 needs a sync_topic");
  }
  if (!flush_property.empty() && session.version != mqtt::ProtocolVersion::kV5) {
    return Status::InvalidArgument("publisher: flush_property (a user property) needs MQTT 5");
  }
  if (timeout.count() <= 0) return Status::InvalidArgument("publisher: timeout must be positive");
  return Status::Ok();
}

double PublishReport::messages_per_second() const {
  const double s = std::chrono::duration<double>(elapsed).count();
  return s > 0 ? static_cast<double>(messages) / s : 0.0;
}

StatusOr<PublishReport> RunPublisher(const PublisherOptions& options, MessageSource* source) {
  M2S_RETURN_IF_ERROR(options.Validate());
  Run run(options, source);
  return run.Execute();
}

}  // namespace mqtt2s3::sim
