// XML bodies of the S3 API (pugixml): parsing responses and building request bodies. Pure.
// Element names are matched without namespace prefixes, as S3 and RGW send a default xmlns.
// Thread-safety: free functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "s3/types.h"

namespace mqtt2s3::s3 {

// <Error><Code/><Message/><RequestId/></Error>; nullopt when the body is not such a document.
struct XmlError {
  std::string code;
  std::string message;
  std::string request_id;
};
std::optional<XmlError> ParseXmlError(std::string_view body);

StatusOr<ListObjectsPage> ParseListObjectsV2(std::string_view body);
StatusOr<std::string> ParseInitiateMultipartUpload(std::string_view body);  // the UploadId
// The ETag of <CompleteMultipartUploadResult>. An <Error> body (S3 may send one with 200)
// is not handled here: call ParseXmlError first.
StatusOr<std::string> ParseCompleteMultipartUpload(std::string_view body);

std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts);
std::string BuildCreateBucketConfiguration(std::string_view region);

}  // namespace mqtt2s3::s3
