// FakeS3Transport: an in-memory S3 behind the s3::HttpTransport seam, for uploader unit tests.
// It keeps buckets, objects and multipart uploads, answers like S3, records every request,
// and injects failures:
//
//   fake->Script(FakeS3Transport::Op::kPutObject, {Http(503), Http(503)});  // then default
//   fake->FailAlways(Op::kUploadPart, Http(503));  ...  fake->Recover(Op::kUploadPart);
//   fake->Hold();  ...  fake->Release();          // requests wait inside Send()
//
// A scripted entry of std::nullopt means "answer normally". It also tracks the largest number
// of requests inside Send() at once. Test-only; no production code includes it.
// Thread-safety: Send() and every method are thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "s3/client.h"
#include "s3/http_transport.h"

namespace mqtt2s3::upload::testing {

class FakeS3Transport : public s3::HttpTransport {
 public:
  enum class Op {
    kCreateBucket, kPutObject, kHeadObject, kCreateMultipart, kUploadPart, kComplete, kAbort,
    kOther
  };

  struct Recorded {
    Op op = Op::kOther;
    std::string bucket;
    std::string key;
    int part_number = 0;
    size_t body_size = 0;
    std::string content_type;
  };

  // A bucket the fake knows from the start.
  explicit FakeS3Transport(std::set<std::string> buckets = {"bucket"})
      : buckets_(std::move(buckets)) {}

  void Script(Op op, std::vector<std::optional<s3::HttpResult>> answers) {
    std::lock_guard lock(mu_);
    for (auto& a : answers) script_[op].push_back(std::move(a));
  }
  void FailAlways(Op op, s3::HttpResult answer) {
    std::lock_guard lock(mu_);
    fail_always_[op] = std::move(answer);
  }
  void Recover(Op op) {
    std::lock_guard lock(mu_);
    fail_always_.erase(op);
  }
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  // Time each request spends in Send(), so concurrent requests overlap.
  void SetLatency(std::chrono::milliseconds latency) {
    std::lock_guard lock(mu_);
    latency_ = latency;
  }
  void PutStored(const std::string& bucket, const std::string& key, std::string body) {
    std::lock_guard lock(mu_);
    objects_[bucket + "/" + key] = std::move(body);
  }

  int Count(Op op) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(requests_.begin(), requests_.end(),
                                          [op](const Recorded& r) { return r.op == op; }));
  }
  std::vector<Recorded> Requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::optional<std::string> Object(const std::string& bucket, const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = objects_.find(bucket + "/" + key);
    if (it == objects_.end()) return std::nullopt;
    return it->second;
  }
  size_t OpenMultipartUploads() const {
    std::lock_guard lock(mu_);
    return uploads_.size();
  }
  int MaxConcurrent() const {
    std::lock_guard lock(mu_);
    return max_concurrent_;
  }
  // Requests inside Send() now (waiting on Hold() included).
  int Inside() const {
    std::lock_guard lock(mu_);
    return concurrent_;
  }

  s3::HttpResult Send(const s3::HttpRequest& request) override {
    std::unique_lock lock(mu_);
    ++concurrent_;
    max_concurrent_ = std::max(max_concurrent_, concurrent_);
    cv_.wait(lock, [this] { return !held_; });
    if (latency_.count() > 0) {
      lock.unlock();
      std::this_thread::sleep_for(latency_);
      lock.lock();
    }
    s3::HttpResult result = Answer(request);
    --concurrent_;
    return result;
  }

  static s3::HttpResponse Http(int status, const std::string& code = "") {
    if (code.empty()) return {status, {}, ""};
    return {status, {}, "<Error><Code>" + code + "</Code><Message>fake " + code +
                            "</Message><RequestId>fake-req</RequestId></Error>"};
  }
  static s3::TransportError Refused() {
    return {"http://127.0.0.1:8000/", "Couldn't connect to server", 7, true};
  }

 private:
  s3::HttpResult Answer(const s3::HttpRequest& request) {
    Recorded rec = Parse(request);
    std::string upload_id;
    if (auto q = request.url.find("uploadId="); q != std::string::npos) {
      upload_id = request.url.substr(q + 9, request.url.find('&', q) - (q + 9));
    }
    requests_.push_back(rec);
    if (auto it = fail_always_.find(rec.op); it != fail_always_.end()) return it->second;
    if (auto& s = script_[rec.op]; !s.empty()) {
      std::optional<s3::HttpResult> next = std::move(s.front());
      s.pop_front();
      if (next) return *next;
    }
    const std::string object = rec.bucket + "/" + rec.key;
    const bool bucket_known = buckets_.count(rec.bucket) != 0;
    switch (rec.op) {
      case Op::kCreateBucket:
        buckets_.insert(rec.bucket);
        return Http(200);
      case Op::kPutObject:
        if (!bucket_known) return Http(404, "NoSuchBucket");
        objects_[object] = std::string(request.body);
        return s3::HttpResponse{200, {{"etag", "\"put\""}}, ""};
      case Op::kHeadObject: {
        auto it = objects_.find(object);
        if (it == objects_.end()) return Http(404);
        return s3::HttpResponse{200, {{"content-length", std::to_string(it->second.size())}}, ""};
      }
      case Op::kCreateMultipart: {
        if (!bucket_known) return Http(404, "NoSuchBucket");
        const std::string id = "upload-" + std::to_string(++next_upload_);
        uploads_[id];
        return s3::HttpResponse{200, {}, "<InitiateMultipartUploadResult><UploadId>" + id +
                                             "</UploadId></InitiateMultipartUploadResult>"};
      }
      case Op::kUploadPart: {
        auto it = uploads_.find(upload_id);
        if (it == uploads_.end()) return Http(404, "NoSuchUpload");
        it->second[rec.part_number] = std::string(request.body);
        return s3::HttpResponse{
            200, {{"etag", "\"part-" + std::to_string(rec.part_number) + "\""}}, ""};
      }
      case Op::kComplete: {
        auto it = uploads_.find(upload_id);
        if (it == uploads_.end()) return Http(404, "NoSuchUpload");
        std::string body;
        for (const auto& [n, part] : it->second) body += part;
        objects_[object] = std::move(body);
        uploads_.erase(it);
        return s3::HttpResponse{200, {}, "<CompleteMultipartUploadResult><ETag>\"mp\"</ETag>"
                                         "</CompleteMultipartUploadResult>"};
      }
      case Op::kAbort:
        if (uploads_.erase(upload_id) == 0) return Http(404, "NoSuchUpload");
        return Http(204);
      case Op::kOther:
        break;
    }
    return Http(400, "NotImplementedInFake");
  }

  static Recorded Parse(const s3::HttpRequest& request) {
    Recorded rec;
    std::string url = request.url;
    const size_t path_start = url.find('/', url.find("://") + 3);
    const size_t query_start = url.find('?');
    std::string path = url.substr(path_start + 1, query_start == std::string::npos
                                                      ? std::string::npos
                                                      : query_start - path_start - 1);
    const std::string query = query_start == std::string::npos ? "" : url.substr(query_start + 1);
    const size_t slash = path.find('/');
    rec.bucket = path.substr(0, slash);
    rec.key = slash == std::string::npos ? "" : path.substr(slash + 1);
    rec.body_size = request.body.size();
    for (const auto& [n, v] : request.headers) {
      if (n == "content-type" || n == "Content-Type") rec.content_type = v;
    }
    const bool has_upload_id = query.find("uploadId=") != std::string::npos;
    if (auto p = query.find("partNumber="); p != std::string::npos) {
      rec.part_number = std::stoi(query.substr(p + 11));
    }
    const std::string& m = request.method;
    if (m == "PUT" && rec.key.empty()) {
      rec.op = Op::kCreateBucket;
    } else if (m == "PUT" && rec.part_number > 0) {
      rec.op = Op::kUploadPart;
    } else if (m == "PUT") {
      rec.op = Op::kPutObject;
    } else if (m == "HEAD" && !rec.key.empty()) {
      rec.op = Op::kHeadObject;
    } else if (m == "POST" && query.starts_with("uploads")) {
      rec.op = Op::kCreateMultipart;
    } else if (m == "POST" && has_upload_id) {
      rec.op = Op::kComplete;
    } else if (m == "DELETE" && has_upload_id) {
      rec.op = Op::kAbort;
    }
    return rec;
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  std::chrono::milliseconds latency_{0};
  int concurrent_ = 0;
  int max_concurrent_ = 0;
  std::map<Op, std::deque<std::optional<s3::HttpResult>>> script_;
  std::map<Op, s3::HttpResult> fail_always_;
  std::vector<Recorded> requests_;
  std::set<std::string> buckets_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, std::map<int, std::string>> uploads_;  // id -> part number -> body
  int next_upload_ = 0;
};

// A client on a fresh fake; the fake stays owned by the client.
struct FakeS3 {
  explicit FakeS3(std::set<std::string> buckets = {"bucket"}) {
    s3::ClientOptions o;
    o.endpoint = "http://127.0.0.1:8000";
    o.access_key = "AKIDFAKE";
    o.secret_key = "fake-secret";
    o.sign_payload = false;  // no SHA-256 over 20 MiB bodies in unit tests
    auto t = std::make_unique<FakeS3Transport>(std::move(buckets));
    fake = t.get();
    client = std::move(*s3::Client::CreateWithTransport(o, std::move(t)));
  }
  FakeS3Transport* fake;
  std::shared_ptr<const s3::Client> client;
};

}  // namespace mqtt2s3::upload::testing
