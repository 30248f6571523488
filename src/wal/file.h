// The small file-system surface the WAL needs, behind interfaces so tests can inject faults
// (short writes, fsync failures) with a fake. PosixFileSystem() is the real implementation.
//
//   FileSystem* fs = PosixFileSystem();
//   M2S_ASSIGN_OR_RETURN(std::unique_ptr<File> f, fs->OpenForAppend(dir + "/wal-...log"));
//   M2S_RETURN_IF_ERROR(f->Append(bytes));
//   M2S_RETURN_IF_ERROR(f->Sync());      // fdatasync: data durable once this returns OK
//
// Error contract: every call returns IOError naming the path and errno text. After an
// Append or Sync error the file content past the last successful Sync is unknown; callers
// (wal::Log) stop using the file. Thread-safety: a File is used by one thread at a time;
// PosixFileSystem() is stateless and safe to share.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::wal {

// An append-only file. Lifecycle: created by FileSystem::OpenForAppend, closed by Close()
// or the destructor (which ignores close errors; call Close() to see them).
class File {
 public:
  virtual ~File() = default;
  // Writes all of `data` at the end of the file (loops over partial writes).
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync). Never retried by the WAL.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens `path` for appending, creating it (mode 0644) if missing.
  virtual StatusOr<std::unique_ptr<File>> OpenForAppend(const std::string& path) = 0;
  virtual StatusOr<std::string> ReadFile(const std::string& path) = 0;
  // Plain file names (no "." / ".."), unsorted.
  virtual StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates `dir` (one level) if it does not exist yet.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  // fsync on the directory, so created / removed entries survive a power loss.
  virtual Status SyncDir(const std::string& dir) = 0;
};

// The process-wide POSIX implementation (open/write/fdatasync/close).
FileSystem* PosixFileSystem();

}  // namespace mqtt2s3::wal
