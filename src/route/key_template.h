// Bucket and key templates: parsed once at startup into segments, rendered per message.
//
//   TemplateVocabulary vocab{.level_names = {"root", "plant"}, .target = TemplateTarget::kKey};
//   StatusOr<KeyTemplate> t = KeyTemplate::Parse("{plant}/{receive_time:%Y/%m}/{seq}", vocab);
//   RenderInput in{...};  std::string key, detail;
//   if (t->Render(in, limits, &key, &detail) != DeadLetterReason::kNone) DeadLetter(detail);
//
// Placeholders (docs/CONFIG.md "Templates" is the user-facing spec):
//   {name}                  topic level named by the route's pattern
//   {level:N}               topic level N (0-based)
//   {topic}                 the whole topic, each level encoded, '/' kept
//   {json:/a/b}             payload field by JSON pointer (string, number or bool)
//   {receive_time[:fmt]}    receive time in UTC, see utc_time.h (default %Y%m%dT%H%M%SZ)
//   {seq[:width]}           per-message sequence number, zero-padded (default width 10);
//                           not in batching keys (it would make every message a partition)
//   {instance}  {route}     instance id, route name
// Batch placeholders (keys of batching routes only, TemplateVocabulary::batching):
//   {first[:fmt]} {last[:fmt]}  event time of the batch's first / last message, UTC
//                               (default %Y%m%dT%H%M%S.%LZ). In a directory component (any
//                               '/' after it) it is a *time partition*: Render() writes the
//                               message's own event time there, so messages of another hour
//                               (say) land in another partition and every object under a
//                               time prefix holds only events of that prefix's period.
//   {partition_seq[:width]}     the batch's sequence number in its partition (default 10)
//   {count[:width]}             messages in the batch (default width 1)
//   {object_name}               the canonical name, route/object_name.h
// Render() writes each batch placeholder as a slot marker "{N}" (N = its segment index): the
// result is a "partial key", the same for every message of a partition. FillSlots() later puts
// the batch's values in. A marker can never come from a value or a literal: values
// percent-encode '{' and '}', and template literals cannot contain them.
//
// Every rendered value goes through key_sanitizer.h, so values cannot add path components.
// Thread-safety: immutable after Parse(); Render() is const and safe from many threads (the
// JsonFields it is handed is per thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "route/dead_letter.h"
#include "route/json_fields.h"
#include "route/utc_time.h"

namespace mqtt2s3::route {

enum class SegmentKind : uint8_t {
  kLiteral,      // text
  kNamedLevel,   // text = level name, number = level index
  kLevel,        // number = level index
  kTopic,
  kJson,         // text = JSON pointer
  kReceiveTime,  // time = format
  kSeq,          // number = width
  kInstance,
  kRoute,
  // Batch placeholders: rendered as slot markers, filled by FillSlots().
  kFirst,         // time = format
  kLast,          // time = format
  kPartitionSeq,  // number = width
  kCount,         // number = width
  kObjectName,
};

bool IsBatchSegment(SegmentKind kind);

struct TemplateSegment {
  SegmentKind kind = SegmentKind::kLiteral;
  std::string text;
  uint32_t number = 0;
  std::optional<UtcTimeFormat> time;
  // kFirst/kLast in a directory component: rendered by Render() from RenderInput::event_time
  // (part of the partition), not left as a slot.
  bool time_partition = false;
};

enum class TemplateTarget : uint8_t { kKey, kBucket };

// What a template may refer to; fixed per route at startup.
struct TemplateVocabulary {
  std::vector<std::string> level_names;  // from the route's pattern; index = topic level
  TemplateTarget target = TemplateTarget::kKey;
  bool allow_json = true;                // false for payload: raw routes
  // Key of a batching route: batch placeholders allowed (as slots), {seq} refused.
  bool batching = false;
};

// The values of one batch, for FillSlots().
struct BatchKeyVars {
  int64_t first_ms = 0;  // event time of the first message, 0..kMaxEventTimeMs
  int64_t last_ms = 0;   // event time of the last message, first_ms..kMaxEventTimeMs
  uint64_t partition_seq = 0;
  uint64_t count = 0;
};

// Per-message inputs. Views must stay valid during Render().
struct RenderInput {
  std::string_view topic;
  const std::vector<std::string_view>* levels = nullptr;  // topic split at '/'
  JsonFields* json = nullptr;                              // Reset() to this payload
  const CivilTimeUtc* receive_time = nullptr;
  // The message's event time; needed when partitions_by_event_time().
  const CivilTimeUtc* event_time = nullptr;
  uint64_t seq = 0;
  std::string_view instance;
  std::string_view route;
};

struct RenderLimits {
  size_t max_value_bytes = 256;   // one rendered value, after encoding
  size_t max_total_bytes = 1024;  // the whole key (S3 limit) or bucket (63)
};

// Names that can never be pattern level names.
bool IsReservedTemplateName(std::string_view name);

class KeyTemplate {
 public:
  // Errors quote the template and give the 1-based column of the problem.
  static StatusOr<KeyTemplate> Parse(std::string_view text, const TemplateVocabulary& vocab);

  // Appends the rendering to *out (not cleared). On failure returns the reason, sets *detail
  // (naming the placeholder, field or level) and leaves *out in an unspecified state.
  DeadLetterReason Render(const RenderInput& in, const RenderLimits& limits, std::string* out,
                          std::string* detail) const;

  // Writes *out = `partial_key` (an output of Render()) with every slot marker replaced by
  // the batch's value. InvalidArgument for a marker this template did not write, or for vars
  // out of range (times outside 0..kMaxEventTimeMs, first > last). `instance` and `extension`
  // feed {object_name}.
  Status FillSlots(std::string_view partial_key, const BatchKeyVars& vars,
                   std::string_view instance, std::string_view extension,
                   std::string* out) const;

  // The most FillSlots() can lengthen a partial key: sum over batch placeholders of their
  // longest value minus their marker. `object_name_bytes` is MaxObjectNameBytes(...).
  size_t MaxSlotGrowth(size_t object_name_bytes) const;

  const std::string& text() const { return text_; }
  const std::vector<TemplateSegment>& segments() const { return segments_; }
  bool has_batch_slots() const { return has_batch_slots_; }
  // True when the template has {kind} (for the per-batch uniqueness check).
  bool Has(SegmentKind kind) const;
  bool uses_json() const { return uses_json_; }
  bool uses_receive_time() const { return uses_receive_time_; }
  // True when a {first}/{last} sits in a directory component (a time partition).
  bool partitions_by_event_time() const { return partitions_by_event_time_; }
  TemplateTarget target() const { return target_; }

 private:
  std::string text_;
  std::vector<TemplateSegment> segments_;
  TemplateTarget target_ = TemplateTarget::kKey;
  bool uses_json_ = false;
  bool uses_receive_time_ = false;
  bool partitions_by_event_time_ = false;
  bool has_batch_slots_ = false;
};

}  // namespace mqtt2s3::route
