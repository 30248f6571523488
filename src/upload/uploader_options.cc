#include "upload/uploader_options.h"

#include <string>

namespace mqtt2s3::upload {
namespace {

Status Bad(const char* field, const std::string& what) {
  return Status::InvalidArgument(std::string("upload option '") + field + "': " + what);
}

}  // namespace

Status UploaderOptions::Validate() const {
  if (max_concurrent_uploads < 1 || max_concurrent_uploads > 256) {
    return Bad("max_concurrent_uploads",
               "must be 1..256, got " + std::to_string(max_concurrent_uploads));
  }
  if (max_queued_uploads < 1) return Bad("max_queued_uploads", "must be >= 1");
  if (multipart_threshold < 1 || multipart_threshold > kMaxPartSize) {
    return Bad("multipart_threshold",
               "must be 1 byte..5 GiB (the single PutObject limit), got " +
                   std::to_string(multipart_threshold));
  }
  if (part_size < kMinPartSize || part_size > kMaxPartSize) {
    return Bad("part_size", "must be 5 MiB..5 GiB (S3 part limits), got " +
                                std::to_string(part_size));
  }
  if (max_concurrent_parts_per_upload != 1) {
    return Bad("max_concurrent_parts_per_upload",
               "only 1 is implemented, got " + std::to_string(max_concurrent_parts_per_upload));
  }
  if (Status s = retry.Validate(); !s.ok()) return s;
  if (parked_retry_interval.count() <= 0) {
    return Bad("parked_retry_interval", "must be > 0 ms");
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::upload
