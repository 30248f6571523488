#include "s3/signer.h"

#include <algorithm>
#include <cctype>

#include "s3/encoding.h"

namespace mqtt2s3::s3 {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trimall from the spec: trim, and collapse internal whitespace runs to one space
// (botocore does ' '.join(value.split()), which this mirrors).
std::string TrimAll(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.push_back(c);
    }
  }
  return out;
}

void SetHeader(std::vector<std::pair<std::string, std::string>>& headers, std::string name,
               std::string value) {
  std::erase_if(headers, [&](const auto& h) { return Lower(h.first) == name; });
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace

std::string CanonicalQueryString(const std::vector<QueryParam>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& q : query) encoded.emplace_back(UriEncode(q.name, false), UriEncode(q.value, false));
  // Sorting the *encoded* pairs by byte value is what the spec and botocore do.
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string UrlQueryString(const std::vector<QueryParam>& query) {
  std::string out;
  for (const auto& q : query) {
    if (!out.empty()) out.push_back('&');
    out += UriEncode(q.name, false);
    if (q.has_value) {
      out.push_back('=');
      out += UriEncode(q.value, false);
    }
  }
  return out;
}

Signer::Signer(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)), region_(std::move(region)), service_(std::move(service)) {}

std::string Signer::SigningKey(const std::string& date) const {
  std::lock_guard lock(mu_);
  if (cached_date_ != date) {
    std::string k = HmacSha256("AWS4" + credentials_.secret_key, date);
    k = HmacSha256(k, region_);
    k = HmacSha256(k, service_);
    cached_key_ = HmacSha256(k, "aws4_request");
    cached_date_ = date;
  }
  return cached_key_;
}

void Signer::Sign(SignableRequest& request, std::chrono::system_clock::time_point now) const {
  (void)SignWithDetails(request, now);
}

SigningDetails Signer::SignWithDetails(SignableRequest& request,
                                       std::chrono::system_clock::time_point now) const {
  const std::string amz_date = AmzDateTime(now);
  const std::string date = amz_date.substr(0, 8);
  if (request.payload_hash.empty()) request.payload_hash = std::string(kEmptyPayloadHash);

  std::erase_if(request.headers, [](const auto& h) { return Lower(h.first) == "authorization"; });
  SetHeader(request.headers, "x-amz-date", amz_date);
  // RGW (and curl's own signer, which omits it) shows why this header is always sent: without
  // it RGW assumes UNSIGNED-PAYLOAD and the signature no longer matches.
  SetHeader(request.headers, "x-amz-content-sha256", request.payload_hash);
  if (!credentials_.session_token.empty()) {
    SetHeader(request.headers, "x-amz-security-token", credentials_.session_token);
  }

  // Sort by the full lower-cased name with std::string's byte order: "x-amz-meta-k1" <
  // "x-amz-meta-k10" < "x-amz-meta-k2", the order the spec and botocore use. Values of
  // repeated names are joined with ',' in the order given.
  std::vector<std::pair<std::string, std::string>> canon;
  for (const auto& [name, value] : request.headers) {
    std::string lname = Lower(TrimAll(name));
    std::string tvalue = TrimAll(value);
    auto it = std::find_if(canon.begin(), canon.end(), [&](const auto& c) { return c.first == lname; });
    if (it != canon.end()) {
      it->second += "," + tvalue;
    } else {
      canon.emplace_back(std::move(lname), std::move(tvalue));
    }
  }
  std::stable_sort(canon.begin(), canon.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  SigningDetails d;
  std::string canonical_headers;
  for (const auto& [name, value] : canon) {
    canonical_headers += name + ":" + value + "\n";
    if (!d.signed_headers.empty()) d.signed_headers.push_back(';');
    d.signed_headers += name;
  }

  d.canonical_request = request.method + "\n" + request.encoded_path + "\n" +
                        CanonicalQueryString(request.query) + "\n" + canonical_headers + "\n" +
                        d.signed_headers + "\n" + request.payload_hash;
  const std::string scope = date + "/" + region_ + "/" + service_ + "/aws4_request";
  d.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" +
                     Sha256Hex(d.canonical_request);
  const std::string signature = HexEncode(HmacSha256(SigningKey(date), d.string_to_sign));
  d.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials_.access_key + "/" + scope +
                    ", SignedHeaders=" + d.signed_headers + ", Signature=" + signature;
  request.headers.emplace_back("authorization", d.authorization);
  return d;
}

}  // namespace mqtt2s3::s3
