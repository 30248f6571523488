// Helpers for the TLS integration tests: throw-away certificates (tests/tls/make-certs.sh),
// child processes started and stopped by PID (mosquitto with a TLS listener, openssl
// s_server, a second radosgw with an SSL beast endpoint), and free ports.
//
//   TempDir dir("m2s-tls");                          // removed with everything in it
//   Certs certs;  ASSERT_TRUE(MakeCerts(dir.path(), &certs, &error)) << error;
//   ChildProcess broker;
//   ASSERT_TRUE(StartTlsMosquitto(certs, dir.path(), port, /*require_cert=*/true, &broker, &error))
//       << error;
//   ... broker.Stop();                               // SIGTERM, then SIGKILL after 10 s
//
// Ports come from 62100..62199 (away from the dev stack's 1883/1884/8000/40000-40060),
// probed free by binding. Every wait is bounded.
// Thread-safety: none; use from the test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mqtt2s3::tls_testing {

// A fresh directory under /tmp, removed (recursively) on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The files make-certs.sh writes (see the script for what each one is).
struct Certs {
  std::string ca, server_cert, server_key, client_cert, client_key, other_ca;
};

// Runs tests/tls/make-certs.sh into `dir`.
bool MakeCerts(const std::string& dir, Certs* certs, std::string* error);

// A process started with posix_spawn; stdout and stderr go to `log_file`. With
// `stdin_pipe`, its stdin is a pipe held open until Stop() (openssl s_server quits on EOF).
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool Start(const std::vector<std::string>& argv, const std::string& log_file,
             std::string* error, bool stdin_pipe = false);
  // SIGTERM, up to 10 s for it to exit, then SIGKILL. Idempotent.
  void Stop();
  // False once it has exited (reaps it).
  bool Running();
  pid_t pid() const { return pid_; }
  // Where its stdout and stderr go.
  const std::string& log_file() const { return log_file_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string log_file_;
};

// A port in 62100..62199 that nothing listens on now and that this process has not handed out.
uint16_t PickFreePort();

// Waits until 127.0.0.1:port accepts a TCP connection; false when `child` exits first or
// `timeout` passes.
bool WaitForListener(uint16_t port, ChildProcess& child, std::chrono::milliseconds timeout);

std::string ReadFile(const std::string& path);

// mosquitto 2.0 in the foreground with one TLS listener on 127.0.0.1:port (server.pem, trusting
// ca.pem for client certificates); `require_certificate` makes a client certificate mandatory.
// Config and log (mosquitto-<port>.log, every log type) are written to `dir`.
std::string MosquittoLogFile(const std::string& dir, uint16_t port);
bool StartTlsMosquitto(const Certs& certs, const std::string& dir, uint16_t port,
                       bool require_certificate, ChildProcess* child, std::string* error);

// A second radosgw on the running dev stack's Ceph cluster (ceph.conf from $CEPH_CONF or the
// stack's env file; the stack's [client.rgw.*] identity) serving HTTPS with server.pem on
// 127.0.0.1:port (beast ssl_endpoint). Its admin socket and logs live in `dir`. Returns once
// the port accepts connections; S3 may need a moment more.
bool StartSslRadosgw(const Certs& certs, const std::string& dir, uint16_t port,
                     ChildProcess* child, std::string* error);

// Directory of this source tree's scripts (tests/tls).
std::string TlsTestSourceDir();

}  // namespace mqtt2s3::tls_testing
