// A dashboard series name: which plant, device and weld-spot field to plot.
//
//   auto t = ParseTarget("plant/1/device/WELDING-STATION-12/Voltage");
//   t->plant == "1"; t->device == "WELDING-STATION-12"; t->field == "Voltage";
//   FormatTarget(*t)   // the same string again
//   ParseTarget("plant/1/device/*/Current")   // every device of plant 1, one series each
//
// Spelling (docs/DASHBOARD.md): plant/<PLANT-ID>/device/<DEVICE-ID|*>/<FIELD>, where
// PLANT-ID and DEVICE-ID are topic levels (no '/', not empty) and FIELD is one of
// kWeldFields. The structured form of Grafana's JSON data source sends the same three values
// as a target payload {"plant": "1", "device": "...", "field": "Voltage"}; see
// TargetFromParts.
//
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::serve {

// The numeric fields of a weldspot payload a series can plot.
inline constexpr std::array<std::string_view, 3> kWeldFields = {"Voltage", "Current",
                                                                "MainPowerSwitch"};
// Device value meaning "every device of the plant".
inline constexpr std::string_view kAllDevices = "*";

struct SeriesTarget {
  std::string plant;
  std::string device;  // a device id, or kAllDevices
  std::string field;   // one of kWeldFields

  bool all_devices() const { return device == kAllDevices; }
  friend bool operator==(const SeriesTarget&, const SeriesTarget&) = default;
};

// InvalidArgument naming the target text and the broken part.
StatusOr<SeriesTarget> ParseTarget(std::string_view text);
// Validates the three parts (as in ParseTarget) and builds a target from them.
StatusOr<SeriesTarget> TargetFromParts(std::string_view plant, std::string_view device,
                                       std::string_view field);
std::string FormatTarget(const SeriesTarget& target);

// True when `field` is one of kWeldFields.
bool IsWeldField(std::string_view field);

// Order for device and series names that compares digit runs by value, so WELDING-STATION-2
// sorts before WELDING-STATION-10 (legends and search lists read in device order). A strict
// weak order; names equal by value but not by spelling ("7" and "07") fall back to bytes.
bool NaturalLess(std::string_view a, std::string_view b);

}  // namespace mqtt2s3::serve
