#include "s3/xml.h"

#include <pugixml.hpp>

#include <charconv>
#include <sstream>

#include "s3/encoding.h"

namespace mqtt2s3::s3 {
namespace {

bool Load(pugi::xml_document& doc, std::string_view body) {
  if (body.empty()) return false;
  return static_cast<bool>(doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8));
}

std::string Text(const pugi::xml_node& parent, const char* name) {
  return parent.child(name).text().as_string();
}

uint64_t ToU64(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string Save(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

}  // namespace

std::optional<XmlError> ParseXmlError(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return std::nullopt;
  pugi::xml_node err = doc.child("Error");
  if (!err) return std::nullopt;
  return XmlError{Text(err, "Code"), Text(err, "Message"), Text(err, "RequestId")};
}

StatusOr<ListObjectsPage> ParseListObjectsV2(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Status::Internal("ListObjectsV2: response is not XML");
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) return Status::Internal("ListObjectsV2: no <ListBucketResult> in response");
  ListObjectsPage page;
  page.is_truncated = Text(root, "IsTruncated") == "true";
  page.next_continuation_token = Text(root, "NextContinuationToken");
  for (pugi::xml_node c : root.children("Contents")) {
    ListedObject o;
    o.key = Text(c, "Key");
    o.size = ToU64(Text(c, "Size"));
    o.etag = Text(c, "ETag");
    if (auto t = ParseS3Time(Text(c, "LastModified"))) o.last_modified = *t;
    page.objects.push_back(std::move(o));
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) {
    page.common_prefixes.push_back(Text(p, "Prefix"));
  }
  if (page.is_truncated && page.next_continuation_token.empty()) {
    return Status::Internal("ListObjectsV2: truncated page without NextContinuationToken");
  }
  return page;
}

StatusOr<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Status::Internal("CreateMultipartUpload: response is not XML");
  std::string id = Text(doc.child("InitiateMultipartUploadResult"), "UploadId");
  if (id.empty()) return Status::Internal("CreateMultipartUpload: no <UploadId> in response");
  return id;
}

StatusOr<std::string> ParseCompleteMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Status::Internal("CompleteMultipartUpload: response is not XML");
  pugi::xml_node root = doc.child("CompleteMultipartUploadResult");
  if (!root) return Status::Internal("CompleteMultipartUpload: no <CompleteMultipartUploadResult>");
  return Text(root, "ETag");
}

std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (const auto& p : parts) {
    pugi::xml_node part = root.append_child("Part");
    part.append_child("PartNumber").text().set(p.part_number);
    part.append_child("ETag").text().set(p.etag.c_str());
  }
  return Save(doc);
}

std::string BuildCreateBucketConfiguration(std::string_view region) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CreateBucketConfiguration");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  root.append_child("LocationConstraint").text().set(std::string(region).c_str());
  return Save(doc);
}

}  // namespace mqtt2s3::s3
