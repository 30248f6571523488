// Target names double as Grafana series names, so they round-trip exactly.
#include "serve/target.h"

#include <algorithm>
#include <array>

namespace mqtt2s3::serve {
namespace {

constexpr std::string_view kSyntax = "plant/<PLANT-ID>/device/<DEVICE-ID|*>/<FIELD>";
// A pointer longer than this is not a field anyone means (and would bloat series names).
constexpr size_t kMaxPointerBytes = 512;

std::string FieldList(const std::vector<NamedField>& fields) {
  std::string out;
  for (const NamedField& f : fields) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

// A topic level: MQTT forbids '+' and '#' inside published topics' levels used as ids, and
// '/' would change the target's shape; control bytes would end up in bucket names.
bool ValidLevel(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::none_of(s.begin(), s.end(), [](unsigned char c) {
    return c == '/' || c == '+' || c == '#' || c < 0x20 || c == 0x7f;
  });
}

}  // namespace

const std::vector<NamedField>& WeldFields() {
  static const std::vector<NamedField> fields = {{"Voltage", "/weldspot/Voltage"},
                                                 {"Current", "/weldspot/Current"},
                                                 {"MainPowerSwitch", "/weldspot/MainPowerSwitch"}};
  return fields;
}

Status ValidatePointer(std::string_view pointer) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("JSON pointer '" + std::string(pointer.substr(0, 80)) +
                                   "': " + std::string(why));
  };
  if (pointer.empty() || pointer.front() != '/') return bad("must start with '/'");
  if (pointer.size() > kMaxPointerBytes) return bad("too long");
  for (size_t i = 0; i < pointer.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(pointer[i]);
    if (c < 0x20 || c == 0x7f) return bad("holds a control character");
    if (c == '~' && (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return bad("'~' must be followed by 0 or 1");
    }
  }
  return Status::Ok();
}

Status ValidateNamedFields(const std::vector<NamedField>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    const NamedField& f = fields[i];
    if (!ValidLevel(f.name)) {
      return Status::InvalidArgument("field name '" + f.name + "': expected a name without '/'");
    }
    if (!f.pointer.empty()) {
      M2S_RETURN_IF_ERROR(ValidatePointer(f.pointer).WithContext("field '" + f.name + "'"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (fields[j].name == f.name) {
        return Status::InvalidArgument("field '" + f.name + "' is named twice");
      }
    }
  }
  return Status::Ok();
}

std::optional<std::string_view> FieldPointer(std::string_view field,
                                             const std::vector<NamedField>& fields) {
  for (const NamedField& f : fields) {
    if (f.name == field) return f.pointer;
  }
  if (!ValidatePointer(field).ok()) return std::nullopt;
  return field;
}

StatusOr<SeriesTarget> TargetFromParts(std::string_view plant, std::string_view device,
                                       std::string_view field,
                                       const std::vector<NamedField>& fields) {
  if (!ValidLevel(plant) || plant == kAllDevices) {
    return Status::InvalidArgument("plant '" + std::string(plant) +
                                   "': expected a plant id (a topic level, not empty)");
  }
  if (!ValidLevel(device)) {
    return Status::InvalidArgument("device '" + std::string(device) +
                                   "': expected a device id or *");
  }
  if (!FieldPointer(field, fields)) {
    std::string why = "expected one of " + FieldList(fields) +
                      " or a JSON pointer such as /weldspot/Voltage";
    if (!field.empty() && field.front() == '/') why = ValidatePointer(field).message();
    return Status::InvalidArgument("field '" + std::string(field.substr(0, 80)) + "': " + why);
  }
  return SeriesTarget{std::string(plant), std::string(device), std::string(field)};
}

StatusOr<SeriesTarget> ParseTarget(std::string_view text,
                                   const std::vector<NamedField>& fields) {
  // Four '/'-separated parts, then the field: the rest of the text (a pointer holds '/').
  std::array<std::string_view, 5> parts;
  size_t n = 0;
  size_t start = 0;
  while (n < 4) {
    const size_t slash = text.find('/', start);
    if (slash == std::string_view::npos) break;
    parts[n++] = text.substr(start, slash - start);
    start = slash + 1;
  }
  if (n != 4 || parts[0] != "plant" || parts[2] != "device") {
    return Status::InvalidArgument("target '" + std::string(text) + "': expected " +
                                   std::string(kSyntax));
  }
  parts[4] = text.substr(start);
  auto t = TargetFromParts(parts[1], parts[3], parts[4], fields);
  if (!t.ok()) return t.status().WithContext("target '" + std::string(text) + "'");
  return t;
}

bool NaturalLess(std::string_view a, std::string_view b) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      // Compare the runs by value: skip leading zeros, then longer is larger, then bytes.
      size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      if (int c = a.substr(is, ie - is).compare(b.substr(js, je - js)); c != 0) return c < 0;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  if ((i < a.size()) != (j < b.size())) return j < b.size();
  return a < b;  // equal by value ("7" vs "07"): bytes decide, keeping the order strict
}

std::string FormatTarget(const SeriesTarget& target) {
  return "plant/" + target.plant + "/device/" + target.device + "/" + target.field;
}

}  // namespace mqtt2s3::serve
