// FakeFileSystem: an in-memory wal::FileSystem for tests, with fault injection.
//
//   FakeFileSystem fs;
//   fs.fail_sync = true;              // the next File::Sync returns IOError
//   fs.short_write_budget = 10;       // later appends write 10 more bytes, then fail
//   fs.files["/w/wal-...log"]         // inspect or damage the bytes directly
//
// Test-only (header-only, not in the library). Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wal/file.h"

namespace mqtt2s3::wal::testing {

class FakeFileSystem final : public FileSystem {
 public:
  std::map<std::string, std::string> files;  // path -> contents
  bool fail_sync = false;
  std::optional<uint64_t> short_write_budget;  // bytes appends may still write
  int syncs = 0;
  int dir_syncs = 0;

  StatusOr<std::unique_ptr<File>> OpenForAppend(const std::string& path) override {
    files[path];  // create if missing
    return std::unique_ptr<File>(std::make_unique<FakeFile>(this, path));
  }
  StatusOr<std::string> ReadFile(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound(path);
    return it->second;
  }
  StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    std::vector<std::string> names;
    const std::string prefix = dir + "/";
    for (const auto& [path, contents] : files) {
      if (path.compare(0, prefix.size(), prefix) == 0) names.push_back(path.substr(prefix.size()));
    }
    return names;
  }
  Status CreateDir(const std::string&) override { return Status::Ok(); }
  Status Remove(const std::string& path) override {
    return files.erase(path) == 1 ? Status::Ok() : Status::NotFound(path);
  }
  Status Truncate(const std::string& path, uint64_t size) override {
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound(path);
    it->second.resize(size);
    return Status::Ok();
  }
  Status SyncDir(const std::string&) override {
    ++dir_syncs;
    return Status::Ok();
  }

 private:
  class FakeFile final : public File {
   public:
    FakeFile(FakeFileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
    Status Append(std::string_view data) override {
      std::string& f = fs_->files[path_];
      if (fs_->short_write_budget && *fs_->short_write_budget < data.size()) {
        f.append(data.substr(0, *fs_->short_write_budget));
        *fs_->short_write_budget = 0;
        return Status::IOError("write " + path_ + ": No space left on device (fake)");
      }
      if (fs_->short_write_budget) *fs_->short_write_budget -= data.size();
      f.append(data);
      return Status::Ok();
    }
    Status Sync() override {
      ++fs_->syncs;
      if (fs_->fail_sync) return Status::IOError("fdatasync " + path_ + ": Input/output error (fake)");
      return Status::Ok();
    }
    Status Close() override { return Status::Ok(); }

   private:
    FakeFileSystem* fs_;
    std::string path_;
  };
};

}  // namespace mqtt2s3::wal::testing
