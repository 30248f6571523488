#include "route/utc_time.h"
#include "route/key_template.h"

#include <algorithm>

#include "route/event_time.h"
#include "route/key_sanitizer.h"
#include "route/object_name.h"

namespace mqtt2s3::route {
namespace {

constexpr std::string_view kDefaultTimeFormat = "%Y%m%dT%H%M%SZ";
constexpr std::string_view kDefaultBatchTimeFormat = "%Y%m%dT%H%M%S.%LZ";
constexpr uint32_t kDefaultSeqWidth = 10;
constexpr uint32_t kMaxUint64Digits = 20;
constexpr uint32_t kMaxLevelIndex = 4095;
constexpr std::string_view kBuiltins =
    "topic, level:N, json:/pointer, receive_time[:format], seq[:width], instance, route, "
    "first[:format], last[:format], partition_seq[:width], count[:width], object_name";

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool ParseUint(std::string_view s, uint32_t max, uint32_t* v) {
  if (s.empty() || s.size() > 9) return false;
  uint32_t r = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    r = r * 10 + static_cast<uint32_t>(c - '0');
  }
  if (r > max) return false;
  *v = r;
  return true;
}

bool IsBucketLiteralChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool IsBadKeyLiteralChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F || c == '\\';
}

// Checks the path structure of a key template. In `shape` every placeholder is one 'X', so a
// literal "." or ".." component, a leading '/', "//" or a trailing '/' are caught before any
// message arrives; values can never produce them (see key_sanitizer.h).
std::string_view KeyShapeProblem(std::string_view shape) {
  if (shape.front() == '/') return "a key must not start with '/'";
  if (shape.back() == '/') return "a key must not end with '/'";
  if (shape.find("//") != std::string_view::npos) return "a key must not contain '//'";
  size_t start = 0;
  while (true) {
    size_t slash = shape.find('/', start);
    std::string_view comp =
        shape.substr(start, slash == std::string_view::npos ? shape.npos : slash - start);
    if (comp == "." || comp == "..") return "a key must not contain a '.' or '..' component";
    if (slash == std::string_view::npos) return {};
    start = slash + 1;
  }
}


// A hostile value quoted for a log or metadata line: encoded, cut at 128 bytes.
void AppendQuotedForDetail(std::string_view v, std::string* out) {
  out->push_back('\'');
  AppendKeyComponent(v.substr(0, 128), out);
  if (v.size() > 128) out->append("...");
  out->push_back('\'');
}

// Appends the shape of a time format: its literal text, 'X' per specifier (never empty).
void AppendTimeShape(const UtcTimeFormat& f, std::string* shape) {
  for (size_t k = 0; k < f.text().size(); ++k) {
    const char fc = f.text()[k];
    shape->push_back(fc == '%' ? 'X' : fc);
    if (fc == '%') ++k;
  }
}

size_t DecimalDigits(size_t v) {
  size_t n = 1;
  while (v >= 10) v /= 10, ++n;
  return n;
}

std::string DescribeSegment(const TemplateSegment& s) {
  switch (s.kind) {
    case SegmentKind::kNamedLevel: return "{" + s.text + "}";
    case SegmentKind::kLevel: return "{level:" + std::to_string(s.number) + "}";
    case SegmentKind::kTopic: return "{topic}";
    case SegmentKind::kJson: return "{json:" + s.text + "}";
    case SegmentKind::kInstance: return "{instance}";
    case SegmentKind::kRoute: return "{route}";
    default: return "value";
  }
}

}  // namespace

bool IsBatchSegment(SegmentKind kind) {
  return kind == SegmentKind::kFirst || kind == SegmentKind::kLast ||
         kind == SegmentKind::kPartitionSeq || kind == SegmentKind::kCount ||
         kind == SegmentKind::kObjectName;
}

bool IsReservedTemplateName(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "topic", "level", "json", "receive_time", "seq", "instance", "route",
      "first", "last",  "partition_seq", "partition", "time", "count", "object_name"};
  return std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved);
}

StatusOr<KeyTemplate> KeyTemplate::Parse(std::string_view text,
                                         const TemplateVocabulary& vocab) {
  auto fail = [&](size_t pos, const std::string& why) {
    std::string m = "template '";
    m.append(text).append("' column ").append(std::to_string(pos + 1)).append(": ").append(why);
    return Status::InvalidArgument(std::move(m));
  };
  const bool bucket = vocab.target == TemplateTarget::kBucket;
  if (text.empty()) return fail(0, "empty template");
  if (!IsValidUtf8(text)) return fail(0, "not valid UTF-8");
  KeyTemplate t;
  t.text_ = std::string(text);
  t.target_ = vocab.target;
  std::string shape;
  std::string literal;
  auto flush_literal = [&] {
    if (literal.empty()) return;
    t.segments_.push_back({SegmentKind::kLiteral, std::move(literal), 0, std::nullopt});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') return fail(i, "'}' without '{'");
    if (c != '{') {
      if (bucket && !IsBucketLiteralChar(c)) {
        return fail(i, "bucket templates allow only [a-z0-9.-] outside placeholders");
      }
      if (!bucket && IsBadKeyLiteralChar(c)) return fail(i, "control character or '\\'");
      literal.push_back(c);
      shape.push_back(c);
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) return fail(i, "'{' without '}'");
    const std::string_view inner = text.substr(i + 1, close - i - 1);
    if (inner.find('{') != std::string_view::npos) return fail(i, "nested '{'");
    const size_t colon = inner.find(':');
    const std::string_view name = inner.substr(0, colon);
    const bool has_arg = colon != std::string_view::npos;
    const std::string_view arg = has_arg ? inner.substr(colon + 1) : std::string_view();
    const std::string placeholder = "'{" + std::string(inner) + "}'";
    TemplateSegment seg;
    shape.push_back('X');
    if (name == "topic" || name == "instance" || name == "route") {
      if (has_arg) return fail(i, placeholder + " takes no argument");
      if (name == "topic" && bucket) return fail(i, "{topic} contains '/' and cannot be in a bucket");
      seg.kind = name == "topic"      ? SegmentKind::kTopic
                 : name == "instance" ? SegmentKind::kInstance
                                      : SegmentKind::kRoute;
    } else if (name == "level") {
      seg.kind = SegmentKind::kLevel;
      if (!ParseUint(arg, kMaxLevelIndex, &seg.number)) {
        return fail(i, placeholder + ": expected {level:N} with N in 0.." +
                           std::to_string(kMaxLevelIndex));
      }
    } else if (name == "json") {
      if (!vocab.allow_json) return fail(i, placeholder + " needs the route's payload to be json");
      if (arg.empty() || arg.front() != '/') {
        return fail(i, placeholder + ": expected a JSON pointer such as {json:/a/b}");
      }
      for (size_t k = 0; k < arg.size(); ++k) {
        if (arg[k] == '~' && (k + 1 >= arg.size() || (arg[k + 1] != '0' && arg[k + 1] != '1'))) {
          return fail(i, placeholder + ": '~' in a JSON pointer must be '~0' or '~1'");
        }
      }
      seg.kind = SegmentKind::kJson;
      seg.text = std::string(arg);
      t.uses_json_ = true;
    } else if (name == "receive_time") {
      seg.kind = SegmentKind::kReceiveTime;
      t.uses_receive_time_ = true;
      if (has_arg && arg.empty()) return fail(i, placeholder + ": empty time format");
      auto f = UtcTimeFormat::Parse(has_arg ? arg : kDefaultTimeFormat);
      if (!f.ok()) return fail(i, f.status().message());
      seg.time = std::move(*f);
      shape.pop_back();
      // The format's own '/' take part in the path checks; specifiers are non-empty values.
      AppendTimeShape(*seg.time, &shape);
    } else if (name == "seq") {
      if (vocab.batching) {
        return fail(i, "{seq} numbers single messages, so every message would be its own "
                       "batch; use {partition_seq} or {object_name}");
      }
      seg.kind = SegmentKind::kSeq;
      seg.number = kDefaultSeqWidth;
      if (has_arg && (!ParseUint(arg, 20, &seg.number) || seg.number == 0)) {
        return fail(i, placeholder + ": expected {seq:W} with width W in 1..20");
      }
    } else if (name == "first" || name == "last" || name == "partition_seq" ||
               name == "count" || name == "object_name") {
      if (!vocab.batching || bucket) {
        return fail(i, placeholder + " is a batch placeholder, not available in this template");
      }
      t.has_batch_slots_ = true;
      if (name == "first" || name == "last") {
        seg.kind = name == "first" ? SegmentKind::kFirst : SegmentKind::kLast;
        if (has_arg && arg.empty()) return fail(i, placeholder + ": empty time format");
        auto f = UtcTimeFormat::Parse(has_arg ? arg : kDefaultBatchTimeFormat);
        if (!f.ok()) return fail(i, f.status().message());
        seg.time = std::move(*f);
        shape.pop_back();
        AppendTimeShape(*seg.time, &shape);
      } else if (name == "object_name") {
        if (has_arg) return fail(i, placeholder + " takes no argument");
        seg.kind = SegmentKind::kObjectName;
      } else {
        const bool seq = name == "partition_seq";
        seg.kind = seq ? SegmentKind::kPartitionSeq : SegmentKind::kCount;
        seg.number = seq ? kDefaultSeqWidth : 1;
        if (has_arg && (!ParseUint(arg, kMaxUint64Digits, &seg.number) || seg.number == 0)) {
          return fail(i, placeholder + ": expected a width in 1..20");
        }
      }
    } else {
      auto it = std::find(vocab.level_names.begin(), vocab.level_names.end(), name);
      if (it == vocab.level_names.end() || !IsIdentifier(name)) {
        std::string known(kBuiltins);
        for (const auto& n : vocab.level_names) known.append(", ").append(n);
        return fail(i, "unknown placeholder " + placeholder + " (known: " + known + ")");
      }
      if (has_arg) return fail(i, placeholder + ": a pattern level takes no argument");
      seg.kind = SegmentKind::kNamedLevel;
      seg.text = std::string(name);
      seg.number = static_cast<uint32_t>(it - vocab.level_names.begin());
    }
    flush_literal();
    t.segments_.push_back(std::move(seg));
    i = close;
  }
  flush_literal();
  // A {first} followed by a '/' anywhere later names a directory: it partitions by the
  // message's event time instead of naming the batch. ({last} in a directory stays a batch
  // value: it cannot be known when the message arrives.)
  bool slash_after = false;
  for (auto it = t.segments_.rbegin(); it != t.segments_.rend(); ++it) {
    TemplateSegment& seg = *it;
    if (seg.kind == SegmentKind::kFirst && slash_after) {
      const std::string& f = seg.time->text();
      for (size_t k = 0; k + 1 < f.size(); ++k) {
        if (f[k] != '%') continue;
        const char spec = f[++k];
        if (spec == 'S' || spec == 'L' || spec == 's') {
          return fail(0, "{first:" + f + "} is in a directory, so it partitions objects by "
                         "event time; a partition per second or finer (%" + spec +
                         ") would make every message its own batch: use at most minutes "
                         "there, or move it into the last path component");
        }
      }
      seg.time_partition = true;
      t.partitions_by_event_time_ = true;
    }
    const bool has_slash =
        seg.kind == SegmentKind::kTopic ||
        (seg.kind == SegmentKind::kLiteral && seg.text.find('/') != std::string::npos) ||
        (seg.time.has_value() && seg.time->text().find('/') != std::string::npos);
    slash_after = slash_after || has_slash;
  }
  t.has_batch_slots_ = std::any_of(t.segments_.begin(), t.segments_.end(),
                                   [](const TemplateSegment& s) {
                                     return IsBatchSegment(s.kind) && !s.time_partition;
                                   });
  if (!bucket) {
    std::string_view problem = KeyShapeProblem(shape);
    if (!problem.empty()) return fail(0, std::string(problem));
  }
  return t;
}

DeadLetterReason KeyTemplate::Render(const RenderInput& in, const RenderLimits& limits,
                                     std::string* out, std::string* detail) const {
  const bool bucket = target_ == TemplateTarget::kBucket;
  const DeadLetterReason too_long =
      bucket ? DeadLetterReason::kInvalidBucket : DeadLetterReason::kInvalidKey;
  const size_t start = out->size();
  // Appends one untrusted value; false (with *detail) when it is over the per-value cap.
  auto append_value = [&](std::string_view v, const TemplateSegment& seg) {
    const size_t before = out->size();
    if (bucket) {
      AppendBucketValue(v, out);
    } else {
      AppendKeyComponent(v, out);
    }
    const size_t n = out->size() - before;
    if (n <= limits.max_value_bytes) return true;
    detail->assign("value of ")
        .append(DescribeSegment(seg))
        .append(" is ")
        .append(std::to_string(n))
        .append(" bytes after encoding, limit ")
        .append(std::to_string(limits.max_value_bytes));
    return false;
  };
  auto missing_level = [&](const TemplateSegment& seg) {
    detail->assign("topic ");
    AppendQuotedForDetail(in.topic, detail);
    detail->append(" has no level ")
        .append(std::to_string(seg.number))
        .append(" for ")
        .append(DescribeSegment(seg));
    return DeadLetterReason::kMissingField;
  };
  for (size_t index = 0; index < segments_.size(); ++index) {
    const TemplateSegment& seg = segments_[index];
    switch (seg.kind) {
      case SegmentKind::kLiteral:
        out->append(seg.text);
        break;
      case SegmentKind::kFirst:
      case SegmentKind::kLast:
        if (seg.time_partition) {
          if (in.event_time == nullptr) {
            detail->assign("no event time for ").append(DescribeSegment(seg));
            return DeadLetterReason::kMissingField;
          }
          seg.time->Append(*in.event_time, out);
          break;
        }
        [[fallthrough]];
      case SegmentKind::kPartitionSeq:
      case SegmentKind::kCount:
      case SegmentKind::kObjectName:
        out->push_back('{');
        AppendPaddedDecimal(index, 1, out);
        out->push_back('}');
        break;
      case SegmentKind::kNamedLevel:
      case SegmentKind::kLevel:
        if (seg.number >= in.levels->size()) return missing_level(seg);
        if (!append_value((*in.levels)[seg.number], seg)) return too_long;
        break;
      case SegmentKind::kTopic:
        for (size_t k = 0; k < in.levels->size(); ++k) {
          if (k != 0) out->push_back('/');
          if (!append_value((*in.levels)[k], seg)) return too_long;
        }
        break;
      case SegmentKind::kJson: {
        std::string_view v;
        switch (in.json->Get(seg.text, &v)) {
          case JsonFieldResult::kOk:
            if (!append_value(v, seg)) return too_long;
            break;
          case JsonFieldResult::kMissing:
            detail->assign("payload has no string, number or bool at ").append(DescribeSegment(seg));
            return DeadLetterReason::kMissingField;
          case JsonFieldResult::kInvalidJson:
            detail->assign("payload is not valid JSON (needed for ")
                .append(DescribeSegment(seg))
                .append(")");
            return DeadLetterReason::kInvalidJson;
        }
        break;
      }
      case SegmentKind::kReceiveTime:
        seg.time->Append(*in.receive_time, out);
        break;
      case SegmentKind::kSeq:
        AppendPaddedDecimal(in.seq, seg.number, out);
        break;
      case SegmentKind::kInstance:
        if (!append_value(in.instance, seg)) return too_long;
        break;
      case SegmentKind::kRoute:
        if (!append_value(in.route, seg)) return too_long;
        break;
    }
  }
  const size_t total = out->size() - start;
  if (total > limits.max_total_bytes) {
    detail->assign(bucket ? "bucket" : "key")
        .append(" is ")
        .append(std::to_string(total))
        .append(" bytes, limit ")
        .append(std::to_string(limits.max_total_bytes));
    return too_long;
  }
  return DeadLetterReason::kNone;
}

bool KeyTemplate::Has(SegmentKind kind) const {
  return std::any_of(segments_.begin(), segments_.end(),
                     [kind](const TemplateSegment& s) { return s.kind == kind; });
}

size_t KeyTemplate::MaxSlotGrowth(size_t object_name_bytes) const {
  size_t growth = 0;
  std::string scratch;
  for (size_t index = 0; index < segments_.size(); ++index) {
    const TemplateSegment& seg = segments_[index];
    if (!IsBatchSegment(seg.kind) || seg.time_partition) continue;
    size_t longest = 0;
    switch (seg.kind) {
      case SegmentKind::kFirst:
      case SegmentKind::kLast:
        // Every specifier has a fixed width for years 1970..9999 except %s, which is longest
        // at the latest time: so the latest time renders longest.
        scratch.clear();
        seg.time->Append(CivilFromEpochMs(kMaxEventTimeMs), &scratch);
        longest = scratch.size();
        break;
      case SegmentKind::kObjectName:
        longest = object_name_bytes;
        break;
      default:
        longest = std::max<size_t>(seg.number, kMaxUint64Digits);
        break;
    }
    const size_t marker = 2 + DecimalDigits(index);
    growth += longest > marker ? longest - marker : 0;
  }
  return growth;
}

Status KeyTemplate::FillSlots(std::string_view partial_key, const BatchKeyVars& vars,
                              std::string_view instance, std::string_view extension,
                              std::string* out) const {
  if (vars.first_ms < 0 || vars.last_ms > kMaxEventTimeMs || vars.first_ms > vars.last_ms) {
    return Status::InvalidArgument(
        "batch key: first/last event time out of range or first after last (" +
        std::to_string(vars.first_ms) + ", " + std::to_string(vars.last_ms) + ")");
  }
  out->clear();
  size_t pos = 0;
  while (pos < partial_key.size()) {
    const size_t open = partial_key.find('{', pos);
    if (open == std::string_view::npos) {
      out->append(partial_key.substr(pos));
      break;
    }
    out->append(partial_key.substr(pos, open - pos));
    const size_t close = partial_key.find('}', open);
    uint32_t index = 0;
    if (close == std::string_view::npos ||
        !ParseUint(partial_key.substr(open + 1, close - open - 1), 4095, &index) ||
        index >= segments_.size() || !IsBatchSegment(segments_[index].kind) ||
        segments_[index].time_partition) {
      std::string m = "partial key '";
      AppendKeyComponent(partial_key.substr(0, 200), &m);
      m.append("' has a slot template '").append(text_).append("' did not write");
      return Status::InvalidArgument(std::move(m));
    }
    const TemplateSegment& seg = segments_[index];
    switch (seg.kind) {
      case SegmentKind::kFirst:
      case SegmentKind::kLast: {
        const int64_t ms = seg.kind == SegmentKind::kFirst ? vars.first_ms : vars.last_ms;
        seg.time->Append(CivilFromEpochMs(ms), out);
        break;
      }
      case SegmentKind::kPartitionSeq:
        AppendPaddedDecimal(vars.partition_seq, seg.number, out);
        break;
      case SegmentKind::kCount:
        AppendPaddedDecimal(vars.count, seg.number, out);
        break;
      default:
        AppendObjectName(vars.first_ms, vars.last_ms, instance, vars.partition_seq, extension,
                         out);
        break;
    }
    pos = close + 1;
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::route
