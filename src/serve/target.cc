// Target names double as Grafana series names, so they round-trip exactly.
#include "serve/target.h"

#include <algorithm>

namespace mqtt2s3::serve {
namespace {

constexpr std::string_view kSyntax = "plant/<PLANT-ID>/device/<DEVICE-ID|*>/<FIELD>";

std::string FieldList() {
  std::string out;
  for (std::string_view f : kWeldFields) {
    if (!out.empty()) out += ", ";
    out += f;
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

bool IsWeldField(std::string_view field) {
  return std::find(kWeldFields.begin(), kWeldFields.end(), field) != kWeldFields.end();
}

StatusOr<SeriesTarget> TargetFromParts(std::string_view plant, std::string_view device,
                                       std::string_view field) {
  if (!ValidLevel(plant) || plant == kAllDevices) {
    return Status::InvalidArgument("plant '" + std::string(plant) +
                                   "': expected a plant id (a topic level, not empty)");
  }
  if (!ValidLevel(device)) {
    return Status::InvalidArgument("device '" + std::string(device) +
                                   "': expected a device id or *");
  }
  if (!IsWeldField(field)) {
    return Status::InvalidArgument("field '" + std::string(field) + "': expected one of " +
                                   FieldList());
  }
  return SeriesTarget{std::string(plant), std::string(device), std::string(field)};
}

StatusOr<SeriesTarget> ParseTarget(std::string_view text) {
  std::array<std::string_view, 5> parts;
  size_t n = 0;
  size_t start = 0;
  while (n < parts.size()) {
    const size_t slash = text.find('/', start);
    parts[n++] = text.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
    if (n == parts.size()) n = parts.size() + 1;  // more than five parts
  }
  if (n != parts.size() || parts[0] != "plant" || parts[2] != "device") {
    return Status::InvalidArgument("target '" + std::string(text) + "': expected " +
                                   std::string(kSyntax));
  }
  auto t = TargetFromParts(parts[1], parts[3], parts[4]);
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
