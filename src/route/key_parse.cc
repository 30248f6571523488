#include "route/key_parse.h"

#include <vector>

#include "route/event_time.h"

namespace mqtt2s3::route {
namespace {

// Backtracking matcher over the template's segments. Literals anchor the split; a value ends
// where the next literal starts (or at the end). Memoized on (segment, position), so a key of
// n bytes and a template of m segments costs O(m * n^2) at worst.
class Matcher {
 public:
  Matcher(const KeyTemplate& t, std::string_view key)
      : segs_(t.segments()), key_(key), failed_(segs_.size() * (key.size() + 1), false) {}

  bool Match(size_t seg, size_t pos, ParsedBatchKey* out) {
    if (seg == segs_.size()) return pos == key_.size();
    std::vector<bool>::reference failed = failed_[seg * (key_.size() + 1) + pos];
    if (failed) return false;
    const TemplateSegment& s = segs_[seg];
    if (s.kind == SegmentKind::kLiteral) {
      if (key_.substr(pos, s.text.size()) == s.text && Match(seg + 1, pos + s.text.size(), out)) {
        return true;
      }
      failed = true;
      return false;
    }
    // Candidate ends: before each occurrence of the next literal, or the key's end.
    const bool last = seg + 1 == segs_.size();
    const std::string* next_literal =
        !last && segs_[seg + 1].kind == SegmentKind::kLiteral ? &segs_[seg + 1].text : nullptr;
    for (size_t end = pos + 1; end <= key_.size(); ++end) {
      if (last && end != key_.size()) continue;
      if (next_literal && key_.substr(end, next_literal->size()) != *next_literal) continue;
      ParsedBatchKey trial = *out;
      if (!Accept(s, key_.substr(pos, end - pos), &trial)) continue;
      if (Match(seg + 1, end, &trial)) {
        *out = std::move(trial);
        return true;
      }
    }
    failed = true;
    return false;
  }

 private:
  static bool ReadNumber(std::string_view v, uint32_t width, uint64_t* n) {
    if (v.size() < width || v.size() > 20) return false;
    // Only the spelling AppendDigits writes: no extra leading zeros beyond the width.
    if (v.size() > width && v.front() == '0') return false;
    uint64_t r = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return false;
      const uint64_t d = static_cast<uint64_t>(c - '0');
      if (r > (UINT64_MAX - d) / 10) return false;
      r = r * 10 + d;
    }
    *n = r;
    return true;
  }

  // Whether `v` can be the value of `s`; records batch values in *out.
  static bool Accept(const TemplateSegment& s, std::string_view v, ParsedBatchKey* out) {
    switch (s.kind) {
      case SegmentKind::kTopic:
        return true;
      case SegmentKind::kReceiveTime:
        return true;  // its format's own '/' may appear
      case SegmentKind::kFirst:
      case SegmentKind::kLast: {
        auto parser = EventTimeParser::Create(s.time->text(), "UTC");
        int64_t ms = 0;
        if (!parser.ok() || !parser->Parse(v, &ms)) return false;
        (s.kind == SegmentKind::kFirst ? out->first_ms : out->last_ms) = ms;
        return true;
      }
      case SegmentKind::kPartitionSeq:
      case SegmentKind::kCount: {
        uint64_t n = 0;
        if (!ReadNumber(v, s.number, &n)) return false;
        (s.kind == SegmentKind::kPartitionSeq ? out->partition_seq : out->count) = n;
        return true;
      }
      case SegmentKind::kObjectName: {
        if (v.find('/') != std::string_view::npos) return false;
        auto parts = ParseObjectName(v);
        if (!parts.ok()) return false;
        out->object_name = std::move(*parts);
        return true;
      }
      default:
        // One encoded value: never a '/'.
        return v.find('/') == std::string_view::npos;
    }
  }

  const std::vector<TemplateSegment>& segs_;
  std::string_view key_;
  std::vector<bool> failed_;
};

}  // namespace

StatusOr<ParsedBatchKey> ParseKeyWithTemplate(const KeyTemplate& key_template,
                                              std::string_view key) {
  ParsedBatchKey out;
  if (key.size() > 1024 || !Matcher(key_template, key).Match(0, 0, &out)) {
    std::string m = "key '";
    m.append(key.substr(0, 200)).append("' does not fit template '");
    m.append(key_template.text()).append("'");
    return Status::InvalidArgument(std::move(m));
  }
  if (out.object_name) {
    // The name is exact; a {first:...} elsewhere in the key may be truncated.
    out.first_ms = out.object_name->first_ms;
    out.last_ms = out.object_name->last_ms;
    out.partition_seq = out.object_name->partition_seq;
  }
  return out;
}

}  // namespace mqtt2s3::route
