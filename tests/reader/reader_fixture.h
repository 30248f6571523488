// Objects for the reader integration tests, built with format::ObjectWriter and uploaded to the
// dev stack's RGW exactly as the converter does: companion index object first (at
// FormatOptions::IndexObjectKey), then the data object with its metadata, under canonical
// names (route::FormatObjectName). Test-only.
//
//   const ReaderFixture& f = ReaderFixture::Get();   // uploads once per process
//   f.client, f.bucket, f.small.key, f.welding.payloads[i] ...
//
// Thread-safety: Get() is safe from any thread; the fixture is immutable afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "s3/client.h"

namespace mqtt2s3::testing {

// One uploaded object and what was put in it, in arrival order.
struct UploadedObject {
  std::string key;
  std::string index_key;  // companion index object, or "" when inline
  std::vector<std::string> payloads;
  std::vector<std::string> index_keys;
  std::vector<int64_t> times;
  uint64_t body_bytes = 0;
};

struct ReaderFixture {
  std::shared_ptr<const s3::Client> client;
  std::string bucket;
  // 5 messages, 2018-10-01T17:00:00Z + i s, index inline in metadata.
  UploadedObject small;
  // 10,000 welding messages from 10 devices ("robot-03/WELD/1/Timestamp"), clustered by device,
  // 2018-10-01T18:00:00Z + i * 100 ms; companion index.
  UploadedObject welding;
  // 2,000 messages on 2018-10-03 whose companion index had one byte flipped before upload.
  UploadedObject corrupt;
  // A key that is not an object name.
  std::string stray_key;

  static const ReaderFixture& Get();
};

// Event time of 2018-10-01T17:00:00Z.
inline constexpr int64_t kT1700 = 1538413200000;

}  // namespace mqtt2s3::testing
