// Makes untrusted values (topic levels, payload fields) safe inside S3 object keys and bucket
// names. A value rendered into a key is always exactly one path component: it can never add
// a '/', never be "." or "..", and never contain control characters or bytes that are not
// valid UTF-8. The rules (see docs/CONFIG.md "Templates"):
//
//   - bytes percent-encoded as %XX (upper-case hex): '/', '%', '\', control characters
//     (0x00-0x1F, 0x7F), the characters S3 documents as "to avoid" ({ } ^ [ ] ` " < > ~ # |),
//     and every byte of an invalid UTF-8 sequence; valid multi-byte UTF-8 is kept as is;
//   - the whole value "." becomes "%2E" and ".." becomes "%2E%2E";
//   - an empty value becomes "_".
//
// Pure functions; thread-safe; they append to a caller-owned string and never allocate beyond
// its growth.
#pragma once

#include <string>
#include <string_view>

namespace mqtt2s3::route {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Appends `value` encoded as one key path component (rules above).
void AppendKeyComponent(std::string_view value, std::string* out);

// Appends `value` lower-cased (ASCII) for a bucket name; other bytes are kept and rejected
// later by BucketNameProblem().
void AppendBucketValue(std::string_view value, std::string* out);

// Appends `value` forced into bucket-name characters: ASCII lower-cased, every byte outside
// [a-z0-9.-] becomes '-'. Used for the default bucket (the topic's first level).
void AppendBucketishValue(std::string_view value, std::string* out);

// Empty when `name` is a valid S3 bucket name (3-63 bytes of [a-z0-9.-], starts and ends with a
// letter or digit, no "..", not shaped like an IPv4 address, no "xn--" prefix, no "-s3alias"
// suffix); otherwise a short reason naming the broken rule.
std::string_view BucketNameProblem(std::string_view name);

}  // namespace mqtt2s3::route
