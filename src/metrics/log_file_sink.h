// ReopenableFileSink: an spdlog sink appending to a log file that can be reopened by name, so
// logrotate (or an operator) can rename the file and send SIGHUP: the next line goes to a new
// file under the configured name (logging.file).
//
//   auto sink = ReopenableFileSink::Open("/var/log/mqtt2s3/mqtt2s3.log");   // StatusOr
//   logger->sinks().push_back(*sink);
//   (*sink)->Reopen();                      // from the SIGHUP handler's thread, not the signal
//
// Lifecycle: the file is opened by Open() (created if missing, appended to) and closed by the
// destructor. Thread-safety: spdlog's base_sink<std::mutex> serializes writes; Reopen() takes
// the same mutex, so no line is split across the two files.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"

namespace mqtt2s3::metrics {

class ReopenableFileSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static StatusOr<std::shared_ptr<ReopenableFileSink>> Open(std::string path);
  ~ReopenableFileSink() override;

  // Closes the file and opens `path` again (a new file when it was renamed or deleted). On
  // failure the sink keeps writing to the old file and returns why.
  Status Reopen();
  const std::string& path() const { return path_; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  ReopenableFileSink(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}

  const std::string path_;
  std::FILE* file_;
};

}  // namespace mqtt2s3::metrics
