// The Uploader against the dev stack's Ceph RGW (endpoint and keys from StackEnv): parallel
// puts, multipart, bucket creation on demand, and error classes as a real server produces them.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "s3/client.h"
#include "stack_env.h"
#include "upload/uploader.h"

namespace mqtt2s3::upload {
namespace {

using mqtt2s3::testing::StackEnv;
using mqtt2s3::testing::UniqueName;

std::shared_ptr<const s3::Client> MakeClient(const std::string& endpoint) {
  const StackEnv& env = StackEnv::Get();
  s3::ClientOptions o;
  o.endpoint = endpoint;
  o.region = env.s3_region;
  o.access_key = env.s3_access_key;
  o.secret_key = env.s3_secret_key;
  o.connect_timeout = std::chrono::milliseconds(2000);
  auto c = s3::Client::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  return std::shared_ptr<const s3::Client>(std::move(*c));
}

// Different bytes per object and position, so swapped or shifted data cannot compare equal.
std::string Body(size_t size, uint64_t seed) {
  std::string s(size, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>(x & 0xff);
  }
  return s;
}

class Collector {
 public:
  UploadCallback Callback() {
    return [this](const UploadResult& r) {
      std::lock_guard lock(mu_);
      results_.push_back(r);
      cv_.notify_all();
    };
  }
  std::vector<UploadResult> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(300), [&] { return results_.size() >= n; });
    return results_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<UploadResult> results_;
};

class UploaderIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!StackEnv::Get().complete()) {
      M2S_SKIP_UNLESS_CI("dev stack not described");
    }
    client_ = MakeClient(StackEnv::Get().s3_endpoint);
    ASSERT_NE(client_, nullptr);
  }
  void TearDown() override {
    for (const auto& b : buckets_) {
      if (auto list = client_->ListAllObjects(b, {})) {
        for (const auto& o : list->objects) (void)client_->DeleteObject(b, o.key);
      }
      (void)client_->DeleteBucket(b);
    }
  }
  std::string NewBucket(const std::string& prefix) {
    buckets_.push_back(UniqueName(prefix));
    return buckets_.back();
  }

  std::shared_ptr<const s3::Client> client_;
  std::vector<std::string> buckets_;
};

TEST_F(UploaderIntegrationTest, FortyObjectsSubmittedAtOnceAreAllStoredByteIdentical) {
  const std::string bucket = NewBucket("upit-many");  // does not exist yet: created on demand
  UploaderOptions o;
  o.max_concurrent_uploads = 4;
  auto up = Uploader::Create(client_, o);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  Collector done;
  constexpr int kObjects = 40;
  for (int i = 0; i < kObjects; ++i) {
    UploadRequest r;
    r.bucket = bucket;
    r.key = "batch/" + std::to_string(i) + ".jsonl";
    r.body = Body(kMiB + static_cast<size_t>(i) * 97, i);
    r.content_type = "application/x-ndjson";
    r.id = static_cast<uint64_t>(i);
    ASSERT_TRUE((*up)->Submit(std::move(r), done.Callback()).ok()) << i;
  }
  ASSERT_TRUE((*up)->Drain(std::chrono::seconds(300)));
  const auto results = done.WaitFor(kObjects);
  ASSERT_EQ(results.size(), static_cast<size_t>(kObjects));
  for (const auto& r : results) EXPECT_TRUE(r.status.ok()) << r.id << ": " << r.status.ToString();
  EXPECT_EQ((*up)->stats().buckets_created, 1u);
  EXPECT_TRUE((*up)->Healthy());

  for (int i = 0; i < kObjects; ++i) {
    auto got = client_->GetObject(bucket, "batch/" + std::to_string(i) + ".jsonl");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->body == Body(kMiB + static_cast<size_t>(i) * 97, i)) << "object " << i;
    EXPECT_EQ(got->info.content_type, "application/x-ndjson");
  }
  auto list = client_->ListAllObjects(bucket, {});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->objects.size(), static_cast<size_t>(kObjects));
}

TEST_F(UploaderIntegrationTest, TwentyFiveMiBObjectGoesUpAsMultipartAndReadsBackIdentical) {
  const std::string bucket = NewBucket("upit-mp");
  auto up = Uploader::Create(client_, UploaderOptions{});  // 16 MiB threshold, 8 MiB parts
  ASSERT_TRUE(up.ok());
  const std::string body = Body(25 * kMiB, 25);
  UploadRequest r;
  r.bucket = bucket;
  r.key = "big/object.jsonl";
  r.body = body;
  r.metadata["index-location"] = "inline";
  Collector done;
  ASSERT_TRUE((*up)->Submit(std::move(r), done.Callback()).ok());
  const auto results = done.WaitFor(1);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_TRUE(results[0].multipart);
  EXPECT_EQ(results[0].parts, 4);  // 8 + 8 + 8 + 1 MiB

  auto head = client_->HeadObject(bucket, "big/object.jsonl");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size, body.size());
  EXPECT_EQ(head->metadata["index-location"], "inline");
  auto got = client_->GetObject(bucket, "big/object.jsonl");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->body == body);
  // A ranged read across the first part boundary sees the right bytes.
  auto range = client_->GetObject(bucket, "big/object.jsonl",
                                  s3::ByteRange::Bytes(8 * kMiB - 10, 8 * kMiB + 9));
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->body, body.substr(8 * kMiB - 10, 20));
}

TEST_F(UploaderIntegrationTest, MissingBucketIsCreatedOnDemand) {
  const std::string bucket = NewBucket("upit-create");
  auto before = client_->HeadBucket(bucket);
  ASSERT_FALSE(before.ok());
  EXPECT_TRUE(before.error().not_found()) << before.error().ToString();
  auto up = Uploader::Create(client_, UploaderOptions{});
  ASSERT_TRUE(up.ok());
  Collector done;
  UploadRequest r;
  r.bucket = bucket;
  r.key = "k";
  r.body = "hello";
  ASSERT_TRUE((*up)->Submit(std::move(r), done.Callback()).ok());
  const auto results = done.WaitFor(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_TRUE(client_->HeadBucket(bucket).ok());
  auto got = client_->GetObject(bucket, "k");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, "hello");
}

TEST_F(UploaderIntegrationTest, InvalidBucketNameFailsAtOnceInsteadOfParking) {
  auto up = Uploader::Create(client_, UploaderOptions{});
  ASSERT_TRUE(up.ok());
  Collector done;
  UploadRequest r;
  r.bucket = "Not_A_Valid_Bucket";
  r.key = "k";
  r.body = "x";
  ASSERT_TRUE((*up)->Submit(std::move(r), done.Callback()).ok());
  const auto results = done.WaitFor(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].status.ok());
  EXPECT_FALSE(results[0].status.IsRetryable()) << results[0].status.ToString();
  EXPECT_FALSE(results[0].was_parked);
  EXPECT_TRUE((*up)->Healthy());
}

TEST_F(UploaderIntegrationTest, UnreachableEndpointParksAndStopCancels) {
  auto down = MakeClient("http://127.0.0.1:1");
  ASSERT_NE(down, nullptr);
  UploaderOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(1);
  o.retry.max_backoff = std::chrono::milliseconds(5);
  o.retry.max_attempts = 2;
  auto up = Uploader::Create(down, o);
  ASSERT_TRUE(up.ok());
  Collector done;
  UploadRequest r;
  r.bucket = "any-bucket";
  r.key = "k";
  r.body = "x";
  ASSERT_TRUE((*up)->Submit(std::move(r), done.Callback()).ok());
  for (int i = 0; i < 3000 && (*up)->Healthy(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE((*up)->Healthy()) << "connection refused is retryable: the upload parks";
  (*up)->Stop();
  const auto results = done.WaitFor(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status.code(), StatusCode::kCancelled);
  EXPECT_NE(results[0].status.message().find("transport error"), std::string::npos)
      << results[0].status.message();
}

}  // namespace
}  // namespace mqtt2s3::upload
