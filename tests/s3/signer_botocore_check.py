#!/usr/bin/python3
"""Cross-checks our SigV4 signer (s3_sign_tool) against botocore's S3SigV4Auth.

Each case of the table is signed by both with the same fixed time and credentials; the
canonical requests and Authorization headers must be identical. No network: botocore only
signs an AWSRequest in memory. Run by CTest (label unit) as
    /usr/bin/python3 tests/s3/signer_botocore_check.py build/src/s3/s3_sign_tool
Prints "N passed, M failed" and exits non-zero on any mismatch.
"""
import datetime
import subprocess
import sys
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ACCESS = "AKIDEXAMPLE0000001"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"  # a '/' and '+' inside on purpose
WHEN = datetime.datetime(2026, 11, 22, 2, 30, 45)
TOKEN_WITH_SLASH = "1/fFAGRNJru1FTz70BzhT3Zg+=/x"

# (name, method, scheme, host, raw path, query [(name, value|None)], headers [(n, v)],
#  body bytes, region, options)
CASES = [
    ("get object path style", "GET", "http", "127.0.0.1:8000", "/bucket/key.txt", [], [], b"",
     "us-east-1", {}),
    ("create multipart ?uploads", "POST", "http", "127.0.0.1:8000", "/bucket/big.bin",
     [("uploads", None)], [("content-type", "application/octet-stream")], b"", "us-east-1", {}),
    ("upload part", "PUT", "http", "127.0.0.1:8000", "/bucket/big.bin",
     [("partNumber", "2"), ("uploadId", "2~abcDEF-ghi_jkl.mno")], [], b"x" * 1000,
     "us-east-1", {}),
    ("list v2 with awkward token", "GET", "http", "127.0.0.1:8000", "/bucket",
     [("list-type", "2"), ("prefix", "a/b c"), ("continuation-token", TOKEN_WITH_SLASH),
      ("delimiter", "/"), ("max-keys", "2")], [], b"", "us-east-1", {}),
    ("multi delete ?delete", "POST", "http", "127.0.0.1:8000", "/bucket",
     [("delete", None)], [("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
     b"<Delete><Object><Key>a</Key></Object></Delete>", "us-east-1", {}),
    ("metadata k1 k10 k2", "PUT", "http", "127.0.0.1:8000", "/bucket/obj",
     [], [("x-amz-meta-k2", "two"), ("x-amz-meta-k10", "ten"), ("X-Amz-Meta-K1", " one  spaced ")],
     b"payload", "us-east-1", {}),
    ("key with spaces", "PUT", "http", "127.0.0.1:8000", "/bucket/dir one/file two.txt", [], [],
     b"body", "us-east-1", {}),
    ("key with unicode", "GET", "http", "127.0.0.1:8000",
     "/bucket/caf\u00e9/\u65e5\u672c\u8a9e/\U0001F600.json", [], [], b"", "us-east-1", {}),
    ("key with plus tilde equals", "GET", "http", "127.0.0.1:8000", "/bucket/a+b~c=d&e", [],
     [("range", "bytes=10-19")], b"", "us-east-1", {}),
    ("key with percent", "DELETE", "http", "127.0.0.1:8000", "/bucket/100%/x%2Fy", [], [], b"",
     "us-east-1", {}),
    ("empty payload put", "PUT", "http", "127.0.0.1:8000", "/bucket/empty", [], [], b"",
     "us-east-1", {}),
    ("binary payload", "PUT", "http", "127.0.0.1:8000", "/bucket/bin", [], [],
     bytes(range(256)) * 4, "us-east-1", {}),
    ("virtual hosted", "GET", "https", "bucket.s3.amazonaws.com", "/some/key.jsonl", [], [], b"",
     "us-east-1", {}),
    ("virtual hosted list with prefix", "GET", "https", "my-bucket.s3.eu-central-1.amazonaws.com",
     "/", [("list-type", "2"), ("prefix", "t/2026/")], [], b"", "eu-central-1", {}),
    ("non-default region create bucket", "PUT", "http", "rgw.local:7480", "/new-bucket", [], [],
     b"<CreateBucketConfiguration><LocationConstraint>ap-southeast-2</LocationConstraint>"
     b"</CreateBucketConfiguration>", "ap-southeast-2", {}),
    ("session token", "HEAD", "https", "s3.us-west-2.amazonaws.com", "/bucket/k", [], [], b"",
     "us-west-2", {"token": "IQoJb3JpZ2luX2VjE/token+with=chars"}),
    ("unsigned payload over https", "PUT", "https", "s3.amazonaws.com", "/bucket/k", [], [],
     b"big body", "us-east-1", {"unsigned": True}),
    ("complete multipart", "POST", "http", "[::1]:8000", "/bucket/big.bin",
     [("uploadId", "abc/def+ghi=")], [("content-type", "application/xml")],
     b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part>"
     b"</CompleteMultipartUpload>", "us-east-1", {}),
]


def botocore_sign(method, scheme, host, path, query, headers, body, region, opts):
    creds = Credentials(ACCESS, SECRET, opts.get("token"))
    # botocore's S3 serializer quotes keys with safe='/~'; the URL carries the encoded path.
    url = f"{scheme}://{host}{quote(path, safe='/~')}"
    req = AWSRequest(method=method, url=url, data=body,
                     params={n: ("" if v is None else v) for n, v in query})
    req.headers["host"] = host
    for n, v in headers:
        req.headers[n] = v
    if opts.get("unsigned"):
        req.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    auth = S3SigV4Auth(creds, "s3", region)
    seen = []  # the canonical request add_auth signs, captured as it is made
    original = auth.canonical_request

    def capture(r):
        seen.append(original(r))
        return seen[-1]

    auth.canonical_request = capture
    with mock.patch("botocore.auth.datetime") as dt:
        dt.datetime.utcnow.return_value = WHEN
        auth.add_auth(req)
    return seen[0], req.headers["Authorization"]


def ours_sign(tool, method, scheme, host, path, query, headers, body, region, opts):
    lines = [f"time\t{int(WHEN.replace(tzinfo=datetime.timezone.utc).timestamp())}",
             f"region\t{region}", f"method\t{method}", f"access\t{ACCESS}", f"secret\t{SECRET}",
             f"path\t{path}", f"header\thost\t{host}"]
    if opts.get("token"):
        lines.append(f"token\t{opts['token']}")
    for n, v in query:
        lines.append(f"query\t{n}" if v is None else f"query\t{n}\t{v}")
    for n, v in headers:
        lines.append(f"header\t{n}\t{v}")
    if body:
        lines.append(f"body-hex\t{body.hex()}")
    if opts.get("unsigned"):
        lines.append("unsigned-payload")
    out = subprocess.run([tool], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True, timeout=30).stdout
    canonical = out.split("CANONICAL_REQUEST\n", 1)[1].split("\nSTRING_TO_SIGN\n", 1)[0]
    auth = out.split("\nAUTHORIZATION ", 1)[1].strip()
    return canonical, auth


def main():
    tool = sys.argv[1]
    passed = failed = 0
    for name, *args in CASES:
        theirs = botocore_sign(*args)
        ours = ours_sign(tool, *args)
        if theirs == ours:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}\n--- botocore canonical request:\n{theirs[0]}\n"
                  f"--- ours:\n{ours[0]}\n--- botocore: {theirs[1]}\n--- ours:     {ours[1]}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
