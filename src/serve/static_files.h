// StaticFiles: serves the dashboard page's files from local directories under URL prefixes,
// e.g. "/ui/" -> <source>/web and "/ui/lib/" -> .cache/web/node_modules/uplot/dist.
//
//   StaticFiles files;
//   files.Mount("/ui/lib/", "/repo/.cache/web/node_modules/uplot/dist");
//   files.Mount("/ui/", "/repo/web");
//   HttpResponse r = files.Get("/ui/app.js");   // 200 with text/javascript, or 404 JSON
//
// Only plain file names are served: [A-Za-z0-9._-] path components, none starting with '.',
// so no request can climb out of a mount (no "..", no hidden files, no encoded bytes).
// "<prefix>" itself serves index.html. The longest matching prefix wins.
//
// Lifecycle: mount everything before serving. Thread-safety: Get is thread-safe after the
// mounts (files are read per request; nothing is cached).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "serve/http_types.h"

namespace mqtt2s3::serve {

class StaticFiles {
 public:
  // Files larger than this are refused (500): the page's files are small.
  static constexpr size_t kMaxFileBytes = 8 << 20;

  void Mount(std::string url_prefix, std::string directory);

  // True when `path` (without query) lies under a mount.
  bool Handles(std::string_view path) const;

  // The file for `path` (query string ignored): 200, 404 (JSON error) when missing or not a
  // plain name.
  HttpResponse Get(std::string_view path) const;

  // "text/html; charset=utf-8" for "x.html", etc.; application/octet-stream when unknown.
  static std::string ContentType(std::string_view file_name);

 private:
  struct MountPoint {
    std::string prefix;
    std::string directory;
  };
  std::vector<MountPoint> mounts_;  // longest prefix first
};

}  // namespace mqtt2s3::serve
