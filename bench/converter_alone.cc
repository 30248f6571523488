// m2s_converter_alone: the converter's own ceiling (docs/BENCHMARKS.md, "Converter alone").
// Runs `mqtt2s3 run` as a child against a fake broker (bench/fake_broker.h) that replays a
// pre-encoded PUBLISH stream as fast as the converter reads and acknowledges it, with S3 behind
// it either a null store (bench/null_s3.h, the default) or a real endpoint (--s3 URL, keys from
// S3_ACCESS_KEY / S3_SECRET_KEY). Prints one result line:
//
//   m2s_converter_alone --bin build/apps/mqtt2s3/mqtt2s3 -n 1000000 --qos 1
//       --ack-mode on-wal --format jsonl --payload weld --cpu 1
//
// Clock: from the first PUBLISH until every message is in S3 (the null store counted the
// `mqtt2s3-count` metadata of the data objects; with a real endpoint: until the converter, stopped
// with SIGTERM after the flush command's PUBACK, has exited: it uploads before it exits).
// CPU: the child's utime + stime, during the stream (/proc/<pid>/stat at the first PUBLISH and
// when the last message is in S3) and for the whole process (wait4, start-up and exit included).
// --cpu N pins the converter to core N (like taskset) for the "one core" figure.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "fake_broker.h"
#include "null_s3.h"

namespace mqtt2s3::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::string bin = "build/apps/mqtt2s3/mqtt2s3";
  uint64_t messages = 300000;
  int qos = 1;
  std::string ack_mode = "on-wal";
  std::string format = "jsonl";
  std::string payload = "weld";
  std::string s3 = "null";
  int cpu = -1;
  int timeout_s = 300;
  std::string work;
  std::string label = "-";
  bool header = false;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--bin") f->bin = next();
    else if (a == "-n") f->messages = std::stoull(next());
    else if (a == "--qos") f->qos = std::stoi(next());
    else if (a == "--ack-mode") f->ack_mode = next();
    else if (a == "--format") f->format = next();
    else if (a == "--payload") f->payload = next();
    else if (a == "--s3") f->s3 = next();
    else if (a == "--cpu") f->cpu = std::stoi(next());
    else if (a == "--timeout") f->timeout_s = std::stoi(next());
    else if (a == "--work") f->work = next();
    else if (a == "--label") f->label = next();
    else if (a == "--header") f->header = true;
    else return false;
  }
  return f->format == "jsonl" || f->format == "parquet";
}

std::string Config(const Flags& f, uint16_t broker_port, const std::string& endpoint,
                   const std::string& root) {
  std::ostringstream c;
  c << "instance_id: bench-1\n"
    << "broker:\n  host: 127.0.0.1\n  port: " << broker_port
    << "\n  protocol: \"5\"\n  clean_start: true\n  receive_maximum: 65535\n"
    << "subscriptions:\n  - filter: \"" << root << "/#\"\n    qos: " << std::max(f.qos, 1) << "\n"
    << "s3:\n  endpoint: " << endpoint
    << "\n  region: us-east-1\n  addressing: path\n  access_key_env: S3_ACCESS_KEY\n"
    << "  secret_key_env: S3_SECRET_KEY\n  create_buckets: true\n"
    << "routes:\n  - name: welding\n    filter: \"" << root << "/+/+/+/+/+/+\"\n"
    << "    pattern: \"{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}\"\n"
    << "    bucket: \"{root}-plant-{plant}" << (f.format == "parquet" ? "-pq" : "") << "\"\n"
    << "    key: \"{first:%Y/%m/%d/%H}/{object_name}\"\n    payload: json\n"
    << "    compressed_level: compressed\n    time_field: /weldspot/Timestamp\n"
    << "    time_format: \"%Y%m%d %H%M%S\"\n"
    << "    index_key: \"{device}/{type}/{version}/{json:/weldspot/Timestamp}\"\n"
    << "    cluster: true\n    cluster_components: 1\n    dedupe_id: \"{json:/seq}\"\n";
  if (f.format == "parquet") {
    c << "    format: parquet\n    columns:\n"
      << "      - {name: voltage, pointer: /weldspot/Voltage, type: double}\n"
      << "      - {name: current, pointer: /weldspot/Current, type: double}\n"
      << "      - {name: main_power, pointer: /weldspot/MainPowerSwitch, type: bool}\n"
      << "      - {name: seq, pointer: /seq, type: int64}\n";
  }
  c << "    batch:\n      max_messages: 10000\n      max_age: 60s\n"
    << "batch:\n  max_bytes: 64MiB\n  max_buffered_bytes: 256MiB\n"
    << "flush:\n  control_topic: " << root << "/flush\n"
    << "upload:\n  concurrency: 4\n"
    << "delivery:\n  ack_mode: " << f.ack_mode << "\n"
    << "wal:\n  dir: " << f.work << "/wal\n"
    << "metrics:\n  listen: \"\"\n";
  return c.str();
}

// utime + stime of a live process, in seconds.
double ProcCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int Main(int argc, char** argv) {
  Flags f;
  if (!ParseFlags(argc, argv, &f)) {
    std::fprintf(stderr, "usage: m2s_converter_alone [--bin PATH] [-n N] [--qos 0|1|2] "
                         "[--ack-mode on-receive|on-wal|on-upload] [--format jsonl|parquet] "
                         "[--payload weld|machine] [--s3 null|URL] [--cpu CORE] "
                         "[--timeout S] [--work DIR] [--label TEXT] [--header]\n");
    return 2;
  }
  if (f.header) {
    std::printf("label\tqos\tack_mode\tformat\tpayload\tmessages\tmsgs_per_s\tacked_msgs_per_s\t"
                "cpu_us_per_msg_stream\tcpu_us_per_msg_process\tuser_s\tsys_s\tpeak_rss_mb\t"
                "objects\tin_s3\n");
    std::fflush(stdout);
    if (f.messages == 0) return 0;  // --header -n 0: the header line alone
  }
  bool own_work = f.work.empty();
  if (own_work) {
    char tmpl[] = "/tmp/m2s-alone-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return 1;
    f.work = tmpl;
  }
  std::filesystem::create_directories(f.work);
  f.work = std::filesystem::absolute(f.work).string();
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(f.timeout_s);
  NullS3 null_s3;
  std::string endpoint = f.s3;
  if (f.s3 == "null") {
    const uint16_t port = null_s3.Start();
    if (port == 0) return 1;
    endpoint = "http://127.0.0.1:" + std::to_string(port);
    ::setenv("S3_ACCESS_KEY", "NULLS3", 1);
    ::setenv("S3_SECRET_KEY", "NULLS3SECRET", 1);
  }
  const std::string root = "CA" + std::to_string(::getpid());
  auto stream = MakeStream(f.payload, root, static_cast<uint8_t>(f.qos), f.messages,
                           root + "/flush");
  if (!stream.ok()) {
    std::fprintf(stderr, "%s\n", stream.status().ToString().c_str());
    return 2;
  }
  FakeBroker broker(*stream);
  const uint16_t port = broker.Listen();
  if (port == 0) return 1;
  const std::string config = f.work + "/config.yaml";
  std::ofstream(config) << Config(f, port, endpoint, root);
  const std::string log = f.work + "/run.log";
  const std::string bin = std::filesystem::absolute(f.bin).string();
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (f.cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(f.cpu, &set);
      if (::sched_setaffinity(0, sizeof(set), &set) != 0) _exit(126);
    }
    if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr)) {
      _exit(126);
    }
    ::execl(bin.c_str(), bin.c_str(), "run", "-c", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  double cpu_start = 0;
  FakeBroker::Result r;
  const Status run = broker.Run(deadline, [&] { cpu_start = ProcCpuSeconds(pid); }, &r);
  Clock::time_point durable = r.all_acked;
  double cpu_stream = 0;
  bool in_s3 = false;
  if (run.ok() && f.s3 == "null") {
    while (null_s3.messages() < f.messages && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    durable = Clock::now();
    in_s3 = null_s3.messages() == f.messages;
    cpu_stream = ProcCpuSeconds(pid) - cpu_start;
  }
  ::kill(pid, SIGTERM);
  std::thread drain([&] { broker.DrainUntilClosed(deadline); });
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, WNOHANG, &ru) == 0) {
    if (Clock::now() >= deadline + std::chrono::seconds(30)) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const Clock::time_point exited = Clock::now();
  drain.join();
  if (!run.ok()) {
    std::fprintf(stderr, "m2s_converter_alone: %s (converter log: %s)\n",
                 run.ToString().c_str(), log.c_str());
    return 1;
  }
  const double user = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6;
  const double sys = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6;
  if (f.s3 != "null") {
    durable = exited;
    in_s3 = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    cpu_stream = user + sys - cpu_start;
  }
  const double n = static_cast<double>(f.messages);
  std::printf("%s\t%d\t%s\t%s\t%s\t%llu\t%.0f\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%.1f\t%llu\t%s\n",
              f.label.c_str(), f.qos, f.ack_mode.c_str(), f.format.c_str(), f.payload.c_str(),
              static_cast<unsigned long long>(f.messages), n / Seconds(durable - r.first_publish),
              n / Seconds(r.all_acked - r.first_publish), cpu_stream * 1e6 / n,
              (user + sys) * 1e6 / n, user, sys, static_cast<double>(ru.ru_maxrss) / 1024.0,
              static_cast<unsigned long long>(null_s3.objects()),
              in_s3 ? "yes" : "NO");
  std::fflush(stdout);
  if (r.refused > 0) std::fprintf(stderr, "m2s_converter_alone: %llu refused acks\n",
                                  static_cast<unsigned long long>(r.refused));
  if (own_work) std::filesystem::remove_all(f.work);
  return in_s3 && r.refused == 0 ? 0 : 1;
}

}  // namespace
}  // namespace mqtt2s3::bench

int main(int argc, char** argv) { return mqtt2s3::bench::Main(argc, argv); }
