#include "service_runtime.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <csignal>
#include <cstdio>

#include "metrics/endpoints.h"
#include "metrics/progress_line.h"

namespace mqtt2s3::app {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr milliseconds kReadyPoll(200);
constexpr milliseconds kProbeInterval(2000);
constexpr auto kProgressInterval = std::chrono::seconds(10);

}  // namespace

StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Start(converter::Converter* conv,
                                                                ServiceRuntimeOptions options,
                                                                std::unique_ptr<s3::Client> probe) {
  std::unique_ptr<ServiceRuntime> rt(
      new ServiceRuntime(conv, std::move(options), std::move(probe)));
  if (!rt->options_.metrics_listen.empty()) {
    auto http = metrics::HttpServer::Start(rt->options_.metrics_listen,
                                           metrics::ObservabilityRoutes(rt.get()));
    if (!http.ok()) return http.status().WithContext("metrics.listen");
    rt->http_ = std::move(*http);
    spdlog::info("metrics: http://{}/metrics, /healthz, /readyz", rt->options_.metrics_listen);
  }
  rt->signals_.add(SIGHUP);
  rt->signals_.add(SIGTERM);
  rt->signals_.add(SIGINT);
  rt->WaitSignal();
  rt->ArmReadiness();
  if (auto every = rt->notifier_.WatchdogInterval()) {
    spdlog::info("systemd watchdog: pinging every {} ms", every->count());
    rt->ArmWatchdog();
  }
  if (rt->options_.progress) rt->ArmProgress();
  rt->probe_thread_ = std::thread([r = rt.get()] { r->ProbeLoop(); });
  rt->ops_thread_ = std::thread([r = rt.get()] { r->io_.run(); });
  return rt;
}

ServiceRuntime::ServiceRuntime(converter::Converter* conv, ServiceRuntimeOptions options,
                               std::unique_ptr<s3::Client> probe)
    : conv_(conv),
      options_(std::move(options)),
      probe_(std::move(probe)),
      notifier_(metrics::ServiceNotifier::FromEnvironment()),
      signals_(io_),
      ready_timer_(io_),
      watchdog_timer_(io_),
      progress_timer_(io_),
      last_progress_at_(std::chrono::steady_clock::now()) {}

ServiceRuntime::~ServiceRuntime() { Stop(); }

void ServiceRuntime::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (!stopping_sent_.exchange(true)) (void)notifier_.Notify("STOPPING=1");
  if (http_) http_->Stop();
  {
    std::lock_guard lock(probe_mu_);
    stop_probe_ = true;
  }
  probe_cv_.notify_all();
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    io_.stop();
  });
  if (ops_thread_.joinable()) ops_thread_.join();
  if (probe_thread_.joinable()) probe_thread_.join();
}

void ServiceRuntime::WaitSignal() {
  // The converter has its own SIGTERM/SIGINT set; Asio delivers a signal to every set that
  // waits for it, so both see it.
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      if (options_.log_file) {
        Status s = options_.log_file->Reopen();
        if (s.ok()) {
          spdlog::info("SIGHUP: reopened log file {}", options_.log_file->path());
        } else {
          spdlog::error("SIGHUP: {}", s.ToString());
        }
      } else {
        spdlog::info("SIGHUP: logging to stderr, nothing to reopen");
      }
    } else {
      if (!stopping_sent_.exchange(true)) (void)notifier_.Notify("STOPPING=1");
      stop_requested_ = true;
      conv_->Shutdown();
    }
    WaitSignal();
  });
}

void ServiceRuntime::ArmReadiness() {
  ready_timer_.expires_after(kReadyPoll);
  ready_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    // A signal that came before the converter ran could not stop it yet (Shutdown() is a
    // no-op until Run() has started): repeat it until it takes (idempotent).
    if (stop_requested_) conv_->Shutdown();
    // The converter connects only after its S3 check passed, so the first connection means
    // both.
    if (!ready_sent_ && conv_->WaitConnected(milliseconds(0))) {
      ready_sent_ = true;
      Status s = notifier_.Notify("READY=1\nSTATUS=connected to the broker; S3 checked");
      if (!s.ok()) spdlog::warn("systemd notify: {}", s.ToString());
    }
    if (!ready_sent_ || stop_requested_) ArmReadiness();
  });
}

void ServiceRuntime::ArmWatchdog() {
  // Pinged from this loop: a wedged ops thread (or a dead process) stops the pings and
  // systemd restarts the service.
  (void)notifier_.Notify("WATCHDOG=1");
  watchdog_timer_.expires_after(*notifier_.WatchdogInterval());
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ArmWatchdog();
  });
}

void ServiceRuntime::ArmProgress() {
  progress_timer_.expires_after(kProgressInterval);
  progress_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    const converter::ConverterStats s = conv_->stats();
    const std::string line = metrics::ProgressLine(last_progress_, s, now - last_progress_at_);
    std::fprintf(stderr, "%s\n", line.c_str());
    last_progress_ = s;
    last_progress_at_ = now;
    ArmProgress();
  });
}

void ServiceRuntime::ProbeLoop() {
  std::unique_lock lock(probe_mu_);
  while (!stop_probe_) {
    lock.unlock();
    s3_ok_ = ProbeS3();
    lock.lock();
    probe_cv_.wait_for(lock, kProbeInterval, [&] { return stop_probe_; });
  }
}

bool ServiceRuntime::ProbeS3() const {
  if (!probe_) return false;
  auto res = probe_->HeadBucket(options_.s3_probe_bucket);
  // Any S3 answer that is not a transport failure or a 5xx means the endpoint serves requests
  // (a missing bucket is created by the converter; wrong keys end Run at start-up).
  return res || !res.error().retryable();
}

converter::ConverterStats ServiceRuntime::Stats() const { return conv_->stats(); }

upload::UploadProbe::Snapshot ServiceRuntime::Uploads() const {
  return upload::UploadProbe::Global().snapshot();
}

metrics::HealthState ServiceRuntime::Health() const {
  metrics::HealthState h;
  h.broker_connected = conv_->BrokerConnected();
  h.s3_reachable = s3_ok_;
  return h;
}

}  // namespace mqtt2s3::app
