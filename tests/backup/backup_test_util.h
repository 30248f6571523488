// Shared harness of the backup consumer's integration tests: options for the dev stack, a
// consumer running in-process, the mqtt2s3 binary as a child process (for kill -9), and
// reading back which sequence numbers the objects under a prefix hold.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backup/backup_consumer.h"
#include "s3/client.h"

namespace mqtt2s3::backup::testutil {

// Options against the dev stack: data on "<name>/dev-<k>" (one route, bucket `name`, content
// dedupe ids), confirmations on "<name>-confirm", WAL in `wal_dir`, timeout `timeout`.
BackupOptions StackOptions(const std::string& name, const std::string& wal_dir,
                           std::chrono::milliseconds timeout);

// Messages per phase of the converter fault test: $MQTT2S3_BACKUP_FAULT_MESSAGES rounded up
// to a multiple of 300 (whole batches of 100 in 3 partitions), default and minimum 300.
uint64_t FaultMessages();

// JSON payload {"seq":N,"pad":"..."} on topic "<name>/dev-<N % 3>".
std::string Topic(const std::string& name, uint64_t seq);
std::string Payload(uint64_t seq);

// The dedupe id the route of StackOptions gives message `seq` (what the converter confirms).
std::string ExpectedId(const BackupOptions& o, uint64_t seq);

// Publishes seqs [first, first + count) with Paho at QoS 1 (waits for every PUBACK).
void PublishSeqs(const std::string& name, uint64_t first, uint64_t count);

// Publishes one confirmation (confirm::ConfirmationEncoder) listing the ids of `seqs`.
void PublishConfirmation(const BackupOptions& o, const std::vector<uint64_t>& seqs);

// What the objects under `prefix` of `bucket` hold: seq -> copies, with every dedupe id
// checked against ExpectedId and every object name parsed (instance recorded). Companion
// index objects are skipped.
struct Found {
  std::map<uint64_t, int> copies;
  size_t objects = 0;
  size_t messages = 0;
  size_t wrong_ids = 0;
  std::map<std::string, size_t> instances;  // object name instance -> objects
  std::map<std::string, size_t> instance_messages;  // object name instance -> messages
};
Found ReadObjects(const s3::Client& client, const BackupOptions& o, const std::string& bucket,
                  const std::string& prefix);

// A consumer running on its own thread for the duration of a test.
class RunningBackup {
 public:
  explicit RunningBackup(const BackupOptions& o);
  ~RunningBackup();
  Status Stop();
  BackupConsumer& consumer() { return *consumer_; }

 private:
  std::unique_ptr<BackupConsumer> consumer_;
  Status status_;
  std::thread thread_;
};

// `mqtt2s3 <args...>` as a child process, output to `log_file`; S3 keys in its environment.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const std::string& log_file);
  ~ChildProcess();  // SIGKILL if still running
  void Kill9();
  int Terminate();  // SIGTERM, wait (bounded), exit code; -1 if it had to be killed
  // Waits (bounded) until the log contains `text`.
  bool WaitForLog(const std::string& text, std::chrono::milliseconds limit) const;
  // The last log line containing `text`, or "".
  std::string LastLogLine(const std::string& text) const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_file_;
};

// A temporary directory removed at destruction, unless the test failed (logs stay).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

template <typename P>
bool WaitFor(P pred, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

}  // namespace mqtt2s3::backup::testutil
