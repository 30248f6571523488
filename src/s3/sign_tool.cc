// s3_sign_tool: signs one request description read from stdin with s3::Signer and prints
// the canonical request, the string to sign and the Authorization value. It exists only for
// the botocore cross-check (tests/s3/signer_botocore_check.py) and uses test credentials.
//
// Input: one directive per line, fields separated by TAB:
//   time <unix seconds>        region <name>            method <GET|PUT|...>
//   access <key>               secret <key>             token <session token>
//   path <raw object path, e.g. /bucket/a b.txt; encoded here per segment>
//   query <name>[TAB<value>]   (no value field: a valueless parameter like "uploads")
//   header <name>TAB<value>    body-hex <hex bytes>     unsigned-payload
// Output: "CANONICAL_REQUEST", its lines, "STRING_TO_SIGN", its lines, "AUTHORIZATION <v>".
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "s3/encoding.h"
#include "s3/signer.h"

namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == '\t') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

int main() {
  using namespace mqtt2s3::s3;
  Credentials creds;
  std::string region = "us-east-1";
  SignableRequest req;
  std::string body;
  bool unsigned_payload = false;
  long long unix_seconds = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    auto f = SplitTabs(line);
    const std::string& d = f[0];
    auto arg = [&](size_t i) { return i < f.size() ? f[i] : std::string(); };
    if (d == "time") unix_seconds = std::stoll(arg(1));
    else if (d == "region") region = arg(1);
    else if (d == "method") req.method = arg(1);
    else if (d == "access") creds.access_key = arg(1);
    else if (d == "secret") creds.secret_key = arg(1);
    else if (d == "token") creds.session_token = arg(1);
    else if (d == "path") req.encoded_path = UriEncodeKey(arg(1));
    else if (d == "query") req.query.push_back({arg(1), arg(2), f.size() > 2});
    else if (d == "header") req.headers.emplace_back(arg(1), arg(2));
    else if (d == "body-hex") body = Unhex(arg(1));
    else if (d == "unsigned-payload") unsigned_payload = true;
    else {
      std::cerr << "unknown directive: " << d << "\n";
      return 2;
    }
  }
  req.payload_hash = unsigned_payload ? std::string(kUnsignedPayload) : Sha256Hex(body);
  Signer signer(creds, region);
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
  SigningDetails d = signer.SignWithDetails(req, t);
  std::cout << "CANONICAL_REQUEST\n" << d.canonical_request << "\nSTRING_TO_SIGN\n"
            << d.string_to_sign << "\nAUTHORIZATION " << d.authorization << "\n";
  return 0;
}
