// ServiceRuntime: what `mqtt2s3 run` does around the converter for operators (docs/
// OPERATIONS.md): serves /metrics, /healthz and /readyz (metrics.listen), probes the broker and
// S3 for readiness, talks to systemd (READY=1 after the first broker connection, WATCHDOG=1
// while its loop runs, STOPPING=1 on SIGTERM/SIGINT), reopens the log file on SIGHUP, and
// prints a progress line every 10 s when stderr is a terminal.
//
//   converter::Converter conv(...);
//   auto rt = ServiceRuntime::Start(&conv, options, std::move(probe_client));
//   conv.Run();          // the converter handles SIGTERM/SIGINT itself
//   (*rt)->Stop();       // before the converter is destroyed
//
// Lifecycle: Start() binds the metrics port (an error if it cannot) and starts two threads:
// the ops loop (signals, timers, notifications) and the prober (blocking broker/S3 checks
// every 2 s). Stop() (also the destructor) joins both and stops the HTTP server; the converter
// must outlive it. Thread-safety: Stop() from the thread that called Start().
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "converter/converter.h"
#include "metrics/http_server.h"
#include "metrics/log_file_sink.h"
#include "metrics/metrics_source.h"
#include "metrics/service_notifier.h"
#include "s3/client.h"

namespace mqtt2s3::app {

struct ServiceRuntimeOptions {
  std::string metrics_listen = "127.0.0.1:9464";  // "" = no HTTP endpoints
  std::string s3_probe_bucket;  // HEADed for readiness (the dead-letter bucket)
  std::shared_ptr<metrics::ReopenableFileSink> log_file;  // reopened on SIGHUP; may be null
  bool progress = false;  // print the progress line (stderr is a terminal)
};

class ServiceRuntime : public metrics::MetricsSource {
 public:
  static StatusOr<std::unique_ptr<ServiceRuntime>> Start(converter::Converter* conv,
                                                         ServiceRuntimeOptions options,
                                                         std::unique_ptr<s3::Client> probe);
  ~ServiceRuntime() override;
  void Stop();

  // MetricsSource, from the HTTP server's thread.
  converter::ConverterStats Stats() const override;
  upload::UploadProbe::Snapshot Uploads() const override;
  metrics::HealthState Health() const override;

 private:
  ServiceRuntime(converter::Converter* conv, ServiceRuntimeOptions options,
                 std::unique_ptr<s3::Client> probe);
  void ArmReadiness();
  void ArmWatchdog();
  void ArmProgress();
  void WaitSignal();
  void ProbeLoop();
  bool ProbeS3() const;

  converter::Converter* conv_;
  const ServiceRuntimeOptions options_;
  const std::unique_ptr<s3::Client> probe_;
  metrics::ServiceNotifier notifier_;

  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer ready_timer_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer progress_timer_;
  converter::ConverterStats last_progress_;  // ops loop only
  std::chrono::steady_clock::time_point last_progress_at_;
  std::atomic<bool> stopping_sent_{false};
  std::atomic<bool> stop_requested_{false};  // a signal came; passed on to the converter
  bool ready_sent_ = false;                  // ops loop only

  std::atomic<bool> s3_ok_{false};
  std::mutex probe_mu_;
  std::condition_variable probe_cv_;
  bool stop_probe_ = false;  // guarded by probe_mu_

  std::unique_ptr<metrics::HttpServer> http_;
  std::thread ops_thread_;
  std::thread probe_thread_;
  bool stopped_ = false;
};

}  // namespace mqtt2s3::app
