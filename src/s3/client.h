// S3 Client: the S3 calls mqtt2s3 needs (objects, ranges, listing, multipart), signed with
// our own SigV4 signer and sent through an HttpTransport (libcurl in production).
//
//   s3::ClientOptions o;
//   o.endpoint = "http://127.0.0.1:8000";
//   o.access_key = ...; o.secret_key = ...;
//   M2S_ASSIGN_OR_RETURN(std::unique_ptr<s3::Client> client, s3::Client::Create(o));
//   s3::PutOptions put;
//   put.metadata["k1"] = "v";
//   if (auto r = client->PutObject("bucket", "a/b.jsonl", body, put); !r) {
//     if (r.error().retryable()) { /* back off, try again */ }
//     return r.status();   // "PutObject bucket 'bucket' key 'a/b.jsonl': HTTP 403 ..."
//   }
//   auto got = client->GetObject("bucket", "a/b.jsonl", s3::ByteRange::Bytes(0, 99));
//
// Every call returns Result<T>: a value, or an S3Error that keeps transport failures
// (http_status 0, URL, curl message) apart from HTTP errors (status, S3 code, request id), and
// is classified retryable / not-found / permanent (s3/error.h). Calls never retry by
// themselves: retry policy belongs to the uploader.
//
// Lifecycle: Create() validates the options; the client owns its transport.
// Thread-safety: all methods are const and safe to call concurrently from any number of threads:
// the signer caches its derived key under a mutex and CurlTransport hands each call its own
// pooled curl handle (s3/curl_transport.h).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "s3/http_transport.h"
#include "s3/options.h"
#include "s3/request.h"
#include "s3/signer.h"
#include "s3/types.h"

namespace mqtt2s3::s3 {

class Client {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // A client on a CurlTransport configured from `options`.
  static StatusOr<std::unique_ptr<Client>> Create(ClientOptions options);
  // A client on any transport (tests: a fake). `clock` defaults to system_clock::now.
  static StatusOr<std::unique_ptr<Client>> CreateWithTransport(
      ClientOptions options, std::unique_ptr<HttpTransport> transport, Clock clock = nullptr);

  // Buckets. CreateBucket succeeds when the bucket exists and is ours already
  // (BucketAlreadyOwnedByYou). LocationConstraint: see ClientOptions::location_constraint.
  Result<Done> CreateBucket(std::string_view bucket) const;
  Result<Done> HeadBucket(std::string_view bucket) const;
  // The bucket must be empty (else HTTP 409 BucketNotEmpty).
  Result<Done> DeleteBucket(std::string_view bucket) const;

  // Objects. Bodies are borrowed for the duration of the call.
  Result<PutObjectResult> PutObject(std::string_view bucket, std::string_view key,
                                    std::string_view body, const PutOptions& options = {}) const;
  Result<ObjectInfo> HeadObject(std::string_view bucket, std::string_view key) const;
  Result<GetObjectResult> GetObject(std::string_view bucket, std::string_view key,
                                    std::optional<ByteRange> range = std::nullopt) const;
  // Succeeds also when the key does not exist (S3 semantics).
  Result<Done> DeleteObject(std::string_view bucket, std::string_view key) const;

  // One ListObjectsV2 page, and all pages (following continuation tokens, at most
  // `max_pages` requests; more is a permanent error, not a silent truncation).
  Result<ListObjectsPage> ListObjectsV2(std::string_view bucket,
                                        const ListObjectsRequest& request) const;
  Result<ListObjectsPage> ListAllObjects(std::string_view bucket, ListObjectsRequest request,
                                         int max_pages = 10000) const;

  // Multipart upload. Parts are numbered 1..10000; all but the last must be >= 5 MiB.
  Result<std::string> CreateMultipartUpload(std::string_view bucket, std::string_view key,
                                            const PutOptions& options = {}) const;
  Result<std::string> UploadPart(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id, int part_number,
                                 std::string_view body) const;  // returns the part's ETag
  // Also fails (retryable for InternalError) when S3 answers 200 with an <Error> body.
  Result<PutObjectResult> CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                                  std::string_view upload_id,
                                                  const std::vector<CompletedPart>& parts) const;
  Result<Done> AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                    std::string_view upload_id) const;

  const ClientOptions& options() const { return options_; }

 private:
  Client(ClientOptions options, Endpoint endpoint, std::unique_ptr<HttpTransport> transport,
         Clock clock);
  // Signs, sends, and maps non-2xx answers and transport failures to S3Error.
  Result<HttpResponse> Execute(const S3Request& request) const;

  const ClientOptions options_;
  const Addressing addressing_;
  const Signer signer_;
  const std::unique_ptr<HttpTransport> transport_;
  const Clock clock_;
};

}  // namespace mqtt2s3::s3
