#include "tls_test_env.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "stack_env.h"

extern char** environ;

namespace mqtt2s3::tls_testing {

namespace {

constexpr uint16_t kPortMin = 62100;
constexpr uint16_t kPortCount = 100;

std::string Quote(const std::string& s) { return "'" + s + "'"; }

bool CanBind(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

bool Accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string TlsTestSourceDir() { return std::string(M2S_SOURCE_DIR) + "/tests/tls"; }

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

TempDir::~TempDir() {
  if (path_.empty() || path_.rfind("/tmp/", 0) != 0) return;
  const std::string cmd = "rm -rf " + Quote(path_);
  (void)std::system(cmd.c_str());
}

bool MakeCerts(const std::string& dir, Certs* certs, std::string* error) {
  if (dir.empty()) {
    *error = "no temporary directory";
    return false;
  }
  const std::string cmd = Quote(TlsTestSourceDir() + "/make-certs.sh") + " " + Quote(dir) +
                          " >" + Quote(dir + "/make-certs.log") + " 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    *error = "make-certs.sh failed: " + ReadFile(dir + "/make-certs.log");
    return false;
  }
  certs->ca = dir + "/ca.pem";
  certs->server_cert = dir + "/server.pem";
  certs->server_key = dir + "/server.key";
  certs->client_cert = dir + "/client.pem";
  certs->client_key = dir + "/client.key";
  certs->other_ca = dir + "/other-ca.pem";
  return true;
}

bool ChildProcess::Start(const std::vector<std::string>& argv, const std::string& log_file,
                         std::string* error, bool stdin_pipe) {
  Stop();
  log_file_ = log_file;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int fds[2] = {-1, -1};
  if (stdin_pipe) {
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      *error = std::string("pipe: ") + std::strerror(errno);
      posix_spawn_file_actions_destroy(&actions);
      return false;
    }
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (stdin_pipe) {
    ::close(fds[0]);
    stdin_fd_ = fds[1];
  }
  if (rc != 0) {
    pid_ = -1;
    *error = "cannot start " + argv[0] + ": " + std::strerror(rc);
    Stop();
    return false;
  }
  return true;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::Stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    bool exited = false;
    for (int i = 0; i < 100 && !exited; ++i) {  // up to 10 s
      int status = 0;
      exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!exited) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      (void)::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
}

uint16_t PickFreePort() {
  static std::set<uint16_t> handed_out;
  const uint16_t start = static_cast<uint16_t>(::getpid() % kPortCount);
  for (uint16_t i = 0; i < kPortCount; ++i) {
    const uint16_t port = static_cast<uint16_t>(kPortMin + (start + i) % kPortCount);
    if (handed_out.count(port) != 0 || !CanBind(port)) continue;
    handed_out.insert(port);
    return port;
  }
  return 0;
}

bool WaitForListener(uint16_t port, ChildProcess& child, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!child.Running()) return false;
    if (Accepts(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MosquittoLogFile(const std::string& dir, uint16_t port) {
  return dir + "/mosquitto-" + std::to_string(port) + ".log";
}

bool StartTlsMosquitto(const Certs& certs, const std::string& dir, uint16_t port,
                       bool require_certificate, ChildProcess* child, std::string* error) {
  const std::string conf = dir + "/mosquitto-" + std::to_string(port) + ".conf";
  const std::string log = MosquittoLogFile(dir, port);
  {
    std::ofstream out(conf);
    // `user root` keeps root from dropping to the mosquitto user, who could not read the
    // 0600 key; mosquitto ignores it when not started as root.
    out << "user root\n"
        << "listener " << port << " 127.0.0.1\n"
        << "allow_anonymous true\n"
        << "cafile " << certs.ca << "\n"
        << "certfile " << certs.server_cert << "\n"
        << "keyfile " << certs.server_key << "\n"
        << "require_certificate " << (require_certificate ? "true" : "false") << "\n"
        << "persistence false\n"
        << "log_dest file " << log << "\n"
        << "log_type all\n"
        << "connection_messages true\n";
    if (!out) {
      *error = "cannot write " + conf;
      return false;
    }
  }
  if (!child->Start({"mosquitto", "-c", conf}, log + ".out", error)) return false;
  if (!WaitForListener(port, *child, std::chrono::seconds(10))) {
    *error = "mosquitto did not listen on 127.0.0.1:" + std::to_string(port) + ": " +
             ReadFile(log + ".out") + ReadFile(log);
    child->Stop();
    return false;
  }
  return true;
}

namespace {

// The dev stack's ceph.conf: CEPH_CONF from the environment or the stack's env file.
std::string CephConf(const testing::StackEnv& env) {
  if (const char* c = std::getenv("CEPH_CONF"); c != nullptr && *c != '\0') return c;
  std::ifstream in(env.env_file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("CEPH_CONF=", 0) == 0) return line.substr(10);
  }
  return env.stack_dir.empty() ? "" : env.stack_dir + "/ceph/ceph.conf";
}

// The first [client.rgw.*] section: the identity (and keyring entry) of the stack's gateway.
std::string RgwClientName(const std::string& conf) {
  std::ifstream in(conf);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("[client.rgw.", 0) == 0 && line.back() == ']') {
      return line.substr(1, line.size() - 2);
    }
  }
  return "";
}

}  // namespace

bool StartSslRadosgw(const Certs& certs, const std::string& dir, uint16_t port,
                     ChildProcess* child, std::string* error) {
  const testing::StackEnv& env = testing::StackEnv::Get();
  if (!env.complete()) {
    *error = "dev stack not described (scripts/dev-stack.sh up; MQTT2S3_STACK_ENV)";
    return false;
  }
  const std::string conf = CephConf(env);
  const std::string name = RgwClientName(conf);
  if (name.empty()) {
    *error = "no [client.rgw.*] section in ceph.conf '" + conf + "'";
    return false;
  }
  // The command-line frontend replaces the section's plain one; the admin socket, logs and pid
  // file must not collide with the stack's gateway running under the same name.
  const std::vector<std::string> argv = {
      "radosgw", "-f", "-c", conf, "-n", name,
      "--rgw-frontends=beast ssl_endpoint=127.0.0.1:" + std::to_string(port) +
          " ssl_certificate=" + certs.server_cert + " ssl_private_key=" + certs.server_key,
      "--admin-socket=" + dir + "/rgw-ssl.asok", "--log-file=" + dir + "/rgw-ssl.log",
      "--pid-file=" + dir + "/rgw-ssl.pid"};
  if (!child->Start(argv, dir + "/rgw-ssl.out", error)) return false;
  if (!WaitForListener(port, *child, std::chrono::seconds(30))) {
    *error = "radosgw did not listen on 127.0.0.1:" + std::to_string(port) + ": " +
             ReadFile(dir + "/rgw-ssl.out");
    child->Stop();
    return false;
  }
  return true;
}

}  // namespace mqtt2s3::tls_testing
