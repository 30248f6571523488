#include "metrics/log_file_sink.h"

#include <cerrno>
#include <cstring>

namespace mqtt2s3::metrics {
namespace {

StatusOr<std::FILE*> OpenForAppend(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "ae");  // 'e': O_CLOEXEC, not leaked to children
  if (f == nullptr) {
    return Status::IOError("log file '" + path + "': " + std::strerror(errno));
  }
  return f;
}

}  // namespace

StatusOr<std::shared_ptr<ReopenableFileSink>> ReopenableFileSink::Open(std::string path) {
  M2S_ASSIGN_OR_RETURN(std::FILE * f, OpenForAppend(path));
  return std::shared_ptr<ReopenableFileSink>(new ReopenableFileSink(std::move(path), f));
}

ReopenableFileSink::~ReopenableFileSink() {
  if (file_ != nullptr) std::fclose(file_);
}

Status ReopenableFileSink::Reopen() {
  std::lock_guard lock(mutex_);
  M2S_ASSIGN_OR_RETURN(std::FILE * f, OpenForAppend(path_));
  std::fclose(file_);
  file_ = f;
  return Status::Ok();
}

void ReopenableFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  std::fwrite(formatted.data(), 1, formatted.size(), file_);
  // Log lines are rare and an operator tails the file: flush each so a crash loses none.
  std::fflush(file_);
}

void ReopenableFileSink::flush_() { std::fflush(file_); }

}  // namespace mqtt2s3::metrics
