// A dashboard series name: which plant, device and payload field to plot.
//
//   auto t = ParseTarget("plant/1/device/WELDING-STATION-12/Voltage");
//   t->plant == "1"; t->device == "WELDING-STATION-12"; t->field == "Voltage";
//   FormatTarget(*t)   // the same string again
//   ParseTarget("plant/1/device/*/Current")   // every device of plant 1, one series each
//   ParseTarget("plant/1/device/S-7//sensors/0/t")   // field: the JSON pointer /sensors/0/t
//
// Spelling (docs/DASHBOARD.md): plant/<PLANT-ID>/device/<DEVICE-ID|*>/<FIELD>, where
// PLANT-ID and DEVICE-ID are topic levels (no '/', not empty) and FIELD is the name of a
// named field (WeldFields() unless the caller passes its own, e.g. a route's columns) or an
// RFC 6901 JSON pointer into the payload (everything after the fourth '/', so it starts with
// '/'). The structured form of Grafana's JSON data source sends the same three values as a
// target payload {"plant": "1", "device": "...", "field": "Voltage"}; see TargetFromParts.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::serve {

// A field a series can plot by name: the number at `pointer` in each payload.
struct NamedField {
  std::string name;     // a topic-level-like name: no '/', not empty
  std::string pointer;  // RFC 6901 JSON pointer, e.g. "/weldspot/Voltage"
  friend bool operator==(const NamedField&, const NamedField&) = default;
};

// The welding payload's numeric fields, the default named fields: Voltage, Current and
// MainPowerSwitch under /weldspot.
const std::vector<NamedField>& WeldFields();

// Device value meaning "every device of the plant".
inline constexpr std::string_view kAllDevices = "*";

struct SeriesTarget {
  std::string plant;
  std::string device;  // a device id, or kAllDevices
  std::string field;   // a named field's name, or a JSON pointer (starts with '/')

  bool all_devices() const { return device == kAllDevices; }
  friend bool operator==(const SeriesTarget&, const SeriesTarget&) = default;
};

// InvalidArgument naming the target text and the broken part. `fields`: the named fields a
// FIELD may name (a JSON pointer is always accepted).
StatusOr<SeriesTarget> ParseTarget(std::string_view text,
                                   const std::vector<NamedField>& fields = WeldFields());
// Validates the three parts (as in ParseTarget) and builds a target from them.
StatusOr<SeriesTarget> TargetFromParts(std::string_view plant, std::string_view device,
                                       std::string_view field,
                                       const std::vector<NamedField>& fields = WeldFields());
std::string FormatTarget(const SeriesTarget& target);

// OK when `pointer` is an RFC 6901 JSON pointer that names a member or element: it starts
// with '/' and every '~' is followed by '0' or '1'. InvalidArgument naming it otherwise.
Status ValidatePointer(std::string_view pointer);
// OK when `fields` have valid, unique names (no '/') and valid pointers; a named field's
// pointer may also be "" (the whole payload, e.g. a payload that is one number).
Status ValidateNamedFields(const std::vector<NamedField>& fields);
// The JSON pointer `field` reads: a named field's pointer, or `field` itself when it is a
// pointer. nullopt when it is neither (TargetFromParts refuses such fields).
std::optional<std::string_view> FieldPointer(std::string_view field,
                                             const std::vector<NamedField>& fields);

// Order for device and series names that compares digit runs by value, so WELDING-STATION-2
// sorts before WELDING-STATION-10 (legends and search lists read in device order). A strict
// weak order; names equal by value but not by spelling ("7" and "07") fall back to bytes.
bool NaturalLess(std::string_view a, std::string_view b);

}  // namespace mqtt2s3::serve
