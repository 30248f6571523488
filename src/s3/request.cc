#include "s3/request.h"

#include "s3/encoding.h"
#include "s3/xml.h"

namespace mqtt2s3::s3 {
namespace {

S3Error Base(const S3Request& req) {
  S3Error e;
  e.operation = req.operation;
  e.bucket = req.bucket;
  e.key = req.key;
  return e;
}

}  // namespace

HttpRequest BuildHttpRequest(const S3Request& req, const Addressing& addressing,
                             const Signer& signer, bool sign_payload,
                             std::chrono::system_clock::time_point now) {
  const Endpoint& ep = addressing.endpoint;
  std::string host = ep.host_port;
  std::string path = "/";
  if (addressing.style == AddressingStyle::kVirtualHosted && !req.bucket.empty()) {
    host = req.bucket + "." + ep.host_port;
    path += UriEncodeKey(req.key);
  } else if (!req.bucket.empty()) {
    path += UriEncode(req.bucket, false);
    if (!req.key.empty()) path += "/" + UriEncodeKey(req.key);
  }

  SignableRequest s;
  s.method = req.method;
  s.encoded_path = path;
  s.query = req.query;
  s.headers = req.headers;
  s.headers.emplace_back("host", host);
  if (req.body.empty()) {
    s.payload_hash = std::string(kEmptyPayloadHash);
  } else {
    if (!sign_payload) {
      s.payload_hash = std::string(kUnsignedPayload);
    } else if (!req.body_sha256_hex.empty()) {
      s.payload_hash = std::string(req.body_sha256_hex);
    } else {
      s.payload_hash = Sha256Hex(req.body);
    }
  }
  signer.Sign(s, now);

  HttpRequest http;
  http.method = req.method;
  http.url = ep.scheme() + "://" + host + path;
  if (!req.query.empty()) http.url += "?" + UrlQueryString(req.query);
  http.headers = std::move(s.headers);
  http.body = req.body;
  return http;
}

S3Error ErrorFromResponse(const S3Request& req, const HttpResponse& resp) {
  S3Error e = Base(req);
  e.http_status = resp.status;
  if (auto x = ParseXmlError(resp.body)) {
    e.code = x->code;
    e.message = x->message;
    e.request_id = x->request_id;
  }
  if (e.code.empty()) e.code = CodeFromStatus(resp.status);
  if (e.request_id.empty()) {
    if (const std::string* id = resp.Header("x-amz-request-id")) e.request_id = *id;
  }
  // Only the parsed fields are kept, never the raw body: an error body may echo what was
  // signed (AWS sends <StringToSign> and <SignatureProvided> with SignatureDoesNotMatch).
  e.error_class = ClassifyHttp(resp.status, e.code);
  return e;
}

S3Error ErrorFromTransport(const S3Request& req, const TransportError& err) {
  S3Error e = Base(req);
  e.http_status = 0;
  e.code = "TransportError";
  e.url = err.url;
  e.transport_message = err.message;
  e.error_class = err.retryable ? ErrorClass::kRetryable : ErrorClass::kPermanent;
  return e;
}

S3Error InvalidRequest(const S3Request& req, std::string message) {
  S3Error e = Base(req);
  e.code = "InvalidRequest";
  e.message = std::move(message);
  e.error_class = ErrorClass::kPermanent;
  return e;
}

}  // namespace mqtt2s3::s3
