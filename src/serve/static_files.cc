// Path checks are an allow-list on the decoded-free raw path: anything unusual is a 404,
// which is what a page's own files never need.
#include "serve/static_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/status.h"
#include "serve/grafana_json.h"

namespace mqtt2s3::serve {
namespace {

bool PlainComponent(std::string_view c) {
  if (c.empty() || c.front() == '.' || c.size() > 128) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
  });
}

HttpResponse NotFound(std::string_view path) {
  return {404,
          "application/json",
          RenderError(Status::NotFound("no file at '" + std::string(path.substr(0, 200)) + "'")),
          {}};
}

}  // namespace

void StaticFiles::Mount(std::string url_prefix, std::string directory) {
  mounts_.push_back({std::move(url_prefix), std::move(directory)});
  std::stable_sort(mounts_.begin(), mounts_.end(), [](const MountPoint& a, const MountPoint& b) {
    return a.prefix.size() > b.prefix.size();
  });
}

bool StaticFiles::Handles(std::string_view path) const {
  path = path.substr(0, path.find('?'));
  return std::any_of(mounts_.begin(), mounts_.end(),
                     [&](const MountPoint& m) { return path.starts_with(m.prefix); });
}

std::string StaticFiles::ContentType(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  };
  for (auto [ext, type] : kTypes) {
    if (name.ends_with(ext)) return std::string(type);
  }
  return "application/octet-stream";
}

HttpResponse StaticFiles::Get(std::string_view path) const {
  path = path.substr(0, path.find('?'));
  for (const MountPoint& m : mounts_) {
    if (!path.starts_with(m.prefix)) continue;
    std::string rel(path.substr(m.prefix.size()));
    if (rel.empty()) rel = "index.html";
    for (size_t start = 0; start <= rel.size();) {
      const size_t slash = std::min(rel.find('/', start), rel.size());
      if (!PlainComponent(std::string_view(rel).substr(start, slash - start))) {
        return NotFound(path);
      }
      start = slash + 1;
    }
    const std::string file = m.directory + "/" + rel;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return NotFound(path);
    std::ifstream in(file, std::ios::binary);
    if (!in) return NotFound(path);
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0 || static_cast<uint64_t>(size) > kMaxFileBytes) {
      return {500,
              "application/json",
              RenderError(Status::ResourceExhausted("file '" + rel + "' is too large to serve")),
              {}};
    }
    in.seekg(0);
    std::string body(static_cast<size_t>(size), '\0');
    if (!in.read(body.data(), size)) return NotFound(path);
    return {200, ContentType(rel), std::move(body), {{"Cache-Control", "no-cache"}}};
  }
  return NotFound(path);
}

}  // namespace mqtt2s3::serve
