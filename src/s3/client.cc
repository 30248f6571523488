#include "s3/client.h"

#include <charconv>

#include "s3/curl_transport.h"
#include "s3/encoding.h"
#include "s3/xml.h"

namespace mqtt2s3::s3 {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

uint64_t ToU64(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

S3Request Req(std::string op, std::string method, std::string_view bucket, std::string_view key) {
  S3Request r;
  r.operation = std::move(op);
  r.method = std::move(method);
  r.bucket = std::string(bucket);
  r.key = std::string(key);
  return r;
}

// Header injection guard: a CR or LF in a metadata value (they come from topics and config)
// would end the header early. Names must be HTTP tokens; S3 stores them lower-cased.
std::string CheckPutOptions(const PutOptions& o) {
  auto bad_text = [](std::string_view v) {
    for (char c : v) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) return true;
    }
    return false;
  };
  if (bad_text(o.content_type)) return "content type has control characters";
  if (!o.body_sha256_hex.empty()) {
    bool hex = o.body_sha256_hex.size() == 64;
    for (char c : o.body_sha256_hex) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex) return "body SHA-256 must be 64 lowercase hex digits";
  }
  for (const auto& [name, value] : o.metadata) {
    if (name.empty()) return "empty metadata name";
    for (char c : name) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!ok) return "metadata name '" + name + "' must be lower-case [a-z0-9-_.]";
    }
    if (bad_text(value)) return "metadata '" + name + "' value has control characters";
  }
  return "";
}

void AddPutHeaders(S3Request& r, const PutOptions& o) {
  if (!o.content_type.empty()) r.headers.emplace_back("content-type", o.content_type);
  for (const auto& [name, value] : o.metadata) {
    r.headers.emplace_back(std::string(kMetaPrefix) + name, value);
  }
}

ObjectInfo InfoFromHeaders(const HttpResponse& resp) {
  ObjectInfo info;
  for (const auto& [name, value] : resp.headers) {
    if (name == "content-length") {
      info.size = ToU64(value);
    } else if (name == "etag") {
      info.etag = value;
    } else if (name == "content-type") {
      info.content_type = value;
    } else if (name == "last-modified") {
      if (auto t = ParseS3Time(value)) info.last_modified = *t;
    } else if (name.starts_with(kMetaPrefix)) {
      info.metadata[name.substr(kMetaPrefix.size())] = value;
    }
  }
  return info;
}

// "bytes 10-19/1000" -> {first 10, total 1000}. "bytes */1000" (416) has no first.
bool ParseContentRange(std::string_view v, uint64_t* first, uint64_t* total) {
  if (!v.starts_with("bytes ")) return false;
  v.remove_prefix(6);
  auto dash = v.find('-');
  auto slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return false;
  *first = ToU64(v.substr(0, dash));
  *total = ToU64(v.substr(slash + 1));
  return true;
}

}  // namespace

std::string ByteRange::HeaderValue() const {
  if (suffix) return "bytes=-" + std::to_string(first);
  std::string v = "bytes=" + std::to_string(first) + "-";
  if (last) v += std::to_string(*last);
  return v;
}

StatusOr<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  M2S_RETURN_IF_ERROR(options.Validate());
  CurlTransportOptions t;
  t.verify_tls = !options.insecure_skip_tls_verify;
  t.ca_file = options.ca_file;
  t.connect_timeout = options.connect_timeout;
  t.request_timeout = options.request_timeout;
  t.low_speed_time = options.low_speed_time;
  t.max_idle_handles = options.max_idle_handles;
  t.user_agent = options.user_agent;
  M2S_ASSIGN_OR_RETURN(std::unique_ptr<CurlTransport> transport, CurlTransport::Create(t));
  return CreateWithTransport(std::move(options), std::move(transport));
}

StatusOr<std::unique_ptr<Client>> Client::CreateWithTransport(
    ClientOptions options, std::unique_ptr<HttpTransport> transport, Clock clock) {
  M2S_RETURN_IF_ERROR(options.Validate());
  if (transport == nullptr) return Status::InvalidArgument("s3 client: null transport");
  M2S_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(options.endpoint));
  if (!clock) clock = [] { return std::chrono::system_clock::now(); };
  return std::unique_ptr<Client>(
      new Client(std::move(options), std::move(ep), std::move(transport), std::move(clock)));
}

Client::Client(ClientOptions options, Endpoint endpoint, std::unique_ptr<HttpTransport> transport,
               Clock clock)
    : options_(std::move(options)),
      addressing_{std::move(endpoint), options_.addressing},
      signer_(Credentials{options_.access_key, options_.secret_key, options_.session_token},
              options_.region),
      transport_(std::move(transport)),
      clock_(std::move(clock)) {}

Result<HttpResponse> Client::Execute(const S3Request& request) const {
  if (request.bucket.empty()) return InvalidRequest(request, "empty bucket name");
  HttpRequest http =
      BuildHttpRequest(request, addressing_, signer_, options_.sign_payload, clock_());
  HttpResult result = transport_->Send(http);
  if (auto* err = std::get_if<TransportError>(&result)) return ErrorFromTransport(request, *err);
  auto& resp = std::get<HttpResponse>(result);
  if (resp.status < 200 || resp.status > 299) return ErrorFromResponse(request, resp);
  return std::move(resp);
}

Result<Done> Client::CreateBucket(std::string_view bucket) const {
  S3Request r = Req("CreateBucket", "PUT", bucket, "");
  std::string constraint = options_.location_constraint.value_or(
      options_.region == "us-east-1" ? std::string() : options_.region);
  std::string body;
  if (!constraint.empty()) {
    body = BuildCreateBucketConfiguration(constraint);
    r.body = body;
  }
  auto res = Execute(r);
  if (!res && res.error().code == "BucketAlreadyOwnedByYou") return Done{};
  if (!res) return res.error();
  return Done{};
}

Result<Done> Client::HeadBucket(std::string_view bucket) const {
  auto res = Execute(Req("HeadBucket", "HEAD", bucket, ""));
  if (!res) {
    S3Error e = res.error();
    // HEAD has no body: a 404 here can only mean the bucket.
    if (e.http_status == 404) e.code = "NoSuchBucket";
    return e;
  }
  return Done{};
}

Result<Done> Client::DeleteBucket(std::string_view bucket) const {
  auto res = Execute(Req("DeleteBucket", "DELETE", bucket, ""));
  if (!res) return res.error();
  return Done{};
}

Result<PutObjectResult> Client::PutObject(std::string_view bucket, std::string_view key,
                                          std::string_view body, const PutOptions& options) const {
  S3Request r = Req("PutObject", "PUT", bucket, key);
  if (key.empty()) return InvalidRequest(r, "empty object key");
  if (auto bad = CheckPutOptions(options); !bad.empty()) return InvalidRequest(r, bad);
  AddPutHeaders(r, options);
  r.body = body;
  r.body_sha256_hex = options.body_sha256_hex;
  auto res = Execute(r);
  if (!res) return res.error();
  const std::string* etag = res->Header("etag");
  return PutObjectResult{etag ? *etag : std::string()};
}

Result<ObjectInfo> Client::HeadObject(std::string_view bucket, std::string_view key) const {
  S3Request r = Req("HeadObject", "HEAD", bucket, key);
  if (key.empty()) return InvalidRequest(r, "empty object key");
  auto res = Execute(r);
  if (!res) {
    S3Error e = res.error();
    if (e.http_status == 404) e.code = "NoSuchKey";  // or the bucket; HEAD cannot say
    return e;
  }
  return InfoFromHeaders(*res);
}

Result<GetObjectResult> Client::GetObject(std::string_view bucket, std::string_view key,
                                          std::optional<ByteRange> range) const {
  S3Request r = Req("GetObject", "GET", bucket, key);
  if (key.empty()) return InvalidRequest(r, "empty object key");
  if (range) r.headers.emplace_back("range", range->HeaderValue());
  auto res = Execute(r);
  if (!res) return res.error();
  GetObjectResult out;
  out.info = InfoFromHeaders(*res);
  out.body = std::move(res->body);
  out.object_size = out.body.size();
  if (const std::string* cr = res->Header("content-range"); cr && res->status == 206) {
    uint64_t first = 0;
    uint64_t total = 0;
    if (ParseContentRange(*cr, &first, &total)) {
      out.range_first = first;
      out.object_size = total;
    }
  }
  out.info.size = out.object_size;
  return out;
}

Result<Done> Client::DeleteObject(std::string_view bucket, std::string_view key) const {
  S3Request r = Req("DeleteObject", "DELETE", bucket, key);
  if (key.empty()) return InvalidRequest(r, "empty object key");
  auto res = Execute(r);
  if (!res) return res.error();
  return Done{};
}

Result<ListObjectsPage> Client::ListObjectsV2(std::string_view bucket,
                                              const ListObjectsRequest& request) const {
  S3Request r = Req("ListObjectsV2", "GET", bucket, "");
  r.query.push_back({"list-type", "2"});
  if (!request.prefix.empty()) r.query.push_back({"prefix", request.prefix});
  if (!request.delimiter.empty()) r.query.push_back({"delimiter", request.delimiter});
  if (request.max_keys > 0) r.query.push_back({"max-keys", std::to_string(request.max_keys)});
  if (!request.continuation_token.empty()) {
    r.query.push_back({"continuation-token", request.continuation_token});
  }
  if (!request.start_after.empty()) r.query.push_back({"start-after", request.start_after});
  auto res = Execute(r);
  if (!res) return res.error();
  auto page = ParseListObjectsV2(res->body);
  if (!page.ok()) return InvalidRequest(r, page.status().message());
  return std::move(*page);
}

Result<ListObjectsPage> Client::ListAllObjects(std::string_view bucket, ListObjectsRequest request,
                                               int max_pages) const {
  ListObjectsPage all;
  for (int i = 0; i < max_pages; ++i) {
    auto page = ListObjectsV2(bucket, request);
    if (!page) return page.error();
    for (auto& o : page->objects) all.objects.push_back(std::move(o));
    for (auto& p : page->common_prefixes) all.common_prefixes.push_back(std::move(p));
    if (!page->is_truncated) return all;
    if (page->next_continuation_token == request.continuation_token) {
      return InvalidRequest(Req("ListObjectsV2", "GET", bucket, ""),
                            "server repeated continuation token; stopping");
    }
    request.continuation_token = page->next_continuation_token;
  }
  return InvalidRequest(Req("ListObjectsV2", "GET", bucket, ""),
                        "more than " + std::to_string(max_pages) + " pages");
}

Result<std::string> Client::CreateMultipartUpload(std::string_view bucket, std::string_view key,
                                                  const PutOptions& options) const {
  S3Request r = Req("CreateMultipartUpload", "POST", bucket, key);
  if (key.empty()) return InvalidRequest(r, "empty object key");
  if (auto bad = CheckPutOptions(options); !bad.empty()) return InvalidRequest(r, bad);
  r.query.push_back({"uploads", "", false});
  AddPutHeaders(r, options);
  auto res = Execute(r);
  if (!res) return res.error();
  auto id = ParseInitiateMultipartUpload(res->body);
  if (!id.ok()) return InvalidRequest(r, id.status().message());
  return std::move(*id);
}

Result<std::string> Client::UploadPart(std::string_view bucket, std::string_view key,
                                       std::string_view upload_id, int part_number,
                                       std::string_view body) const {
  S3Request r = Req("UploadPart", "PUT", bucket, key);
  if (part_number < 1 || part_number > 10000) {
    return InvalidRequest(r, "part number " + std::to_string(part_number) + " outside 1..10000");
  }
  r.query.push_back({"partNumber", std::to_string(part_number)});
  r.query.push_back({"uploadId", std::string(upload_id)});
  r.body = body;
  auto res = Execute(r);
  if (!res) return res.error();
  const std::string* etag = res->Header("etag");
  if (etag == nullptr) return InvalidRequest(r, "UploadPart response without ETag");
  return *etag;
}

Result<PutObjectResult> Client::CompleteMultipartUpload(
    std::string_view bucket, std::string_view key, std::string_view upload_id,
    const std::vector<CompletedPart>& parts) const {
  S3Request r = Req("CompleteMultipartUpload", "POST", bucket, key);
  if (parts.empty()) return InvalidRequest(r, "no parts");
  r.query.push_back({"uploadId", std::string(upload_id)});
  const std::string body = BuildCompleteMultipartUpload(parts);
  r.body = body;
  r.headers.emplace_back("content-type", "application/xml");
  auto res = Execute(r);
  if (!res) return res.error();
  // S3 may answer 200 and then, after a long assembly, report failure in the body.
  if (ParseXmlError(res->body)) return ErrorFromResponse(r, *res);
  auto etag = ParseCompleteMultipartUpload(res->body);
  if (!etag.ok()) return InvalidRequest(r, etag.status().message());
  return PutObjectResult{std::move(*etag)};
}

Result<Done> Client::AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                          std::string_view upload_id) const {
  S3Request r = Req("AbortMultipartUpload", "DELETE", bucket, key);
  r.query.push_back({"uploadId", std::string(upload_id)});
  auto res = Execute(r);
  if (!res) return res.error();
  return Done{};
}

}  // namespace mqtt2s3::s3
