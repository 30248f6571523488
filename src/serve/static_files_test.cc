#include "serve/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mqtt2s3::serve {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  StaticFilesTest() {
    root_ = std::filesystem::temp_directory_path() /
            ("serve-static-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "web" / "sub");
    std::filesystem::create_directories(root_ / "lib");
    std::ofstream(root_ / "web" / "index.html") << "index";
    std::ofstream(root_ / "web" / "app.js") << "app";
    std::ofstream(root_ / "web" / ".hidden") << "secret";
    std::ofstream(root_ / "web" / "sub" / "a.css") << "css";
    std::ofstream(root_ / "lib" / "uPlot.iife.min.js") << "uplot";
    std::ofstream(root_ / "outside.txt") << "outside";
    files_.Mount("/ui/", (root_ / "web").string());
    files_.Mount("/ui/lib/", (root_ / "lib").string());
  }
  ~StaticFilesTest() override { std::filesystem::remove_all(root_); }

  std::filesystem::path root_;
  StaticFiles files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentTypeAndIndexForTheMount) {
  HttpResponse index = files_.Get("/ui/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "index");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  HttpResponse app = files_.Get("/ui/app.js?v=1");
  EXPECT_EQ(app.body, "app");
  EXPECT_EQ(app.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(files_.Get("/ui/sub/a.css").content_type, "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, LongestMountWins) {
  HttpResponse lib = files_.Get("/ui/lib/uPlot.iife.min.js");
  EXPECT_EQ(lib.status, 200);
  EXPECT_EQ(lib.body, "uplot");
}

TEST_F(StaticFilesTest, NothingOutsideTheMountsOrHiddenIsServed) {
  for (const char* path :
       {"/ui/../outside.txt", "/ui/..", "/ui/.hidden", "/ui/sub/../app.js",
        "/ui/%2e%2e/outside.txt", "/ui//app.js", "/ui/missing.js", "/ui/sub", "/other/app.js"}) {
    HttpResponse r = files_.Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "application/json") << path;
  }
  EXPECT_TRUE(files_.Handles("/ui/x"));
  EXPECT_FALSE(files_.Handles("/query"));
}

}  // namespace
}  // namespace mqtt2s3::serve
