// parquet_gen: writes Parquet files with src/parquet for the cross-reader check
// (check_readers.py), each with a JSON sidecar listing every value, row group sizes and the
// payload value locations. Random but reproducible: a seed picks everything.
//
//   parquet_gen OUT_DIR [SEED]   ->  OUT_DIR/<case>.parquet + OUT_DIR/<case>.json
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "parquet/file_writer.h"

namespace m2p = mqtt2s3::parquet;

namespace {

struct Cell {
  bool null = true;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string s;
};

std::string Hex(std::string_view s) {
  static const char* k = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(k[c >> 4]);
    out.push_back(k[c & 15]);
  }
  return out;
}

std::string JsonCell(const Cell& c, m2p::ColumnType t) {
  if (c.null) return "null";
  char buf[64];
  switch (t) {
    case m2p::ColumnType::kInt64:
    case m2p::ColumnType::kTimestampMillis:
      return std::to_string(c.i);
    case m2p::ColumnType::kDouble:
      if (std::isnan(c.d)) return "\"nan\"";
      std::snprintf(buf, sizeof buf, "\"%a\"", c.d);
      return buf;
    case m2p::ColumnType::kBool:
      return c.b ? "true" : "false";
    default:
      return "\"" + Hex(c.s) + "\"";
  }
}

const char* TypeName(m2p::ColumnType t) {
  switch (t) {
    case m2p::ColumnType::kInt64: return "int64";
    case m2p::ColumnType::kDouble: return "double";
    case m2p::ColumnType::kBool: return "bool";
    case m2p::ColumnType::kTimestampMillis: return "timestamp_ms";
    case m2p::ColumnType::kString: return "string";
    case m2p::ColumnType::kJson: return "json";
    case m2p::ColumnType::kBinary: return "binary";
  }
  return "?";
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint64_t U(uint64_t n) { return rng_() % n; }
  bool P(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  std::string Utf8String() {
    static const std::vector<std::string> pieces = {"a", "Z", "0", " ", "\xc3\xa9", "\xe2\x82\xac",
                                                    "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\x7f"};
    std::string s;
    const size_t n = P(0.1) ? 40 + U(60) : U(8);  // some longer than the 64-byte stat limit
    for (size_t i = 0; i < n; ++i) s += pieces[U(pieces.size())];
    return s;
  }
  std::string Bytes(size_t max) {
    std::string s(U(max + 1), '\0');
    for (char& c : s) c = static_cast<char>(P(0.3) ? 0xff : U(256));
    return s;
  }
  double Double() {
    switch (U(12)) {
      case 0: return std::nan("");
      case 1: return -0.0;
      case 2: return 0.0;
      case 3: return std::numeric_limits<double>::infinity();
      case 4: return -1e300;
      default: return std::uniform_real_distribution<double>(-1000, 1000)(rng_);
    }
  }

 private:
  std::mt19937_64 rng_;
};

struct Case {
  std::string name;
  std::vector<m2p::ColumnSpec> columns;
  m2p::WriterOptions options;
  int groups;
  int max_rows;
  bool huge = false;  // a few 4 MiB payloads
  double null_rate = 0.15;
};

int WriteCase(const std::string& dir, const Case& c, Gen& g) {
  auto w = m2p::ParquetWriter::Create(c.columns, c.options);
  if (!w.ok()) {
    std::cerr << c.name << ": " << w.status().ToString() << "\n";
    return 1;
  }
  const size_t ncol = c.columns.size();
  // Cells own their strings until Finish: the writer keeps views.
  std::vector<std::vector<Cell>> groups(c.groups);
  std::vector<int64_t> group_rows;
  int64_t t = 1700000000000;
  for (int gi = 0; gi < c.groups; ++gi) {
    const int rows = gi == 0 ? 1 : 1 + static_cast<int>(g.U(c.max_rows));
    auto& cells = groups[gi];
    cells.resize(static_cast<size_t>(rows) * ncol);
    const std::string device = "site-" + std::to_string(gi % 3) + "/device-" + std::to_string(gi);
    for (int r = 0; r < rows; ++r) {
      t += static_cast<int64_t>(g.U(1000));
      for (size_t k = 0; k < ncol; ++k) {
        const m2p::ColumnSpec& spec = c.columns[k];
        Cell& cell = cells[r * ncol + k];
        // "sparse" is null in whole row groups: all-null chunks between encoded ones.
        const double null_rate = spec.name == "all_null"                  ? 1.0
                                 : spec.name == "sparse" && gi % 2 == 1 ? 1.0
                                                                        : c.null_rate;
        cell.null = spec.nullable && g.P(null_rate);
        if (cell.null) {
          w->column(k).AppendNull();
          continue;
        }
        switch (spec.type) {
          case m2p::ColumnType::kTimestampMillis:
            cell.i = t;
            w->column(k).AppendInt64(cell.i);
            break;
          case m2p::ColumnType::kInt64:
            cell.i = g.P(0.05) ? std::numeric_limits<int64_t>::min() + static_cast<int64_t>(g.U(3))
                     : g.P(0.5) ? static_cast<int64_t>(g.U(5)) - 2
                                : static_cast<int64_t>(g.U(1ull << 62)) - (1ll << 61);
            w->column(k).AppendInt64(cell.i);
            break;
          case m2p::ColumnType::kDouble:
            cell.d = g.Double();
            w->column(k).AppendDouble(cell.d);
            break;
          case m2p::ColumnType::kBool:
            cell.b = g.P(0.5);
            w->column(k).AppendBool(cell.b);
            break;
          case m2p::ColumnType::kString:
            cell.s = spec.name == "device" ? device : g.Utf8String();
            w->column(k).AppendBytes(cell.s);
            break;
          case m2p::ColumnType::kJson:
            cell.s = "{\"v\":" + std::to_string(g.U(100)) + ",\"s\":\"" +
                     (g.P(0.5) ? "\\u00e9" : "x") + "\"}";
            w->column(k).AppendBytes(cell.s);
            break;
          case m2p::ColumnType::kBinary:
            if (c.huge && spec.name == "payload" && g.P(0.02)) {
              cell.s = g.Bytes(0) + std::string(4 << 20, static_cast<char>(g.U(256)));
              cell.s[g.U(cell.s.size())] = '\x00';
            } else {
              cell.s = spec.name == "raw" && g.P(0.5) ? std::string("\xff\xfe", 2) : g.Bytes(300);
            }
            w->column(k).AppendBytes(cell.s);
            break;
        }
      }
    }
    if (mqtt2s3::Status s = w->EndRowGroup(); !s.ok()) {
      std::cerr << c.name << ": " << s.ToString() << "\n";
      return 1;
    }
    group_rows.push_back(rows);
  }
  std::vector<std::vector<m2p::ValueLocation>> locations(ncol);
  for (size_t k = 0; k < ncol; ++k) {
    locations[k].assign(w->value_locations(k).begin(), w->value_locations(k).end());
  }
  auto file = w->Finish();
  if (!file.ok()) {
    std::cerr << c.name << ": " << file.status().ToString() << "\n";
    return 1;
  }
  std::ofstream(dir + "/" + c.name + ".parquet", std::ios::binary) << *file;

  std::ofstream j(dir + "/" + c.name + ".json");
  j << "{\"columns\": [";
  for (size_t k = 0; k < ncol; ++k) {
    const auto& s = c.columns[k];
    j << (k ? "," : "") << "{\"name\":\"" << s.name << "\",\"type\":\"" << TypeName(s.type)
      << "\",\"nullable\":" << (s.nullable ? "true" : "false")
      << ",\"dictionary\":" << (s.dictionary ? "true" : "false")
      << ",\"statistics\":" << (s.statistics ? "true" : "false")
      << ",\"zstd\":" << (s.compression == m2p::Compression::kZstd ? "true" : "false") << "}";
  }
  j << "],\n\"row_groups\": [";
  for (size_t i = 0; i < group_rows.size(); ++i) j << (i ? "," : "") << group_rows[i];
  j << "],\n\"values\": [";
  for (size_t k = 0; k < ncol; ++k) {
    j << (k ? ",\n" : "") << "[";
    bool first = true;
    for (const auto& cells : groups) {
      for (size_t r = 0; r < cells.size() / ncol; ++r) {
        j << (first ? "" : ",") << JsonCell(cells[r * ncol + k], c.columns[k].type);
        first = false;
      }
    }
    j << "]";
  }
  j << "],\n\"locations\": {";
  bool first_col = true;
  for (size_t k = 0; k < ncol; ++k) {
    if (!c.columns[k].record_value_locations) continue;
    j << (first_col ? "" : ",") << "\"" << c.columns[k].name << "\": [";
    first_col = false;
    for (size_t r = 0; r < locations[k].size(); ++r) {
      const auto& l = locations[k][r];
      j << (r ? "," : "");
      if (l.present) {
        j << "[" << l.offset << "," << l.length << "]";
      } else {
        j << "null";
      }
    }
    j << "]";
  }
  j << "}}\n";
  std::cout << c.name << ": " << file->size() << " bytes, " << group_rows.size()
            << " row groups\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: parquet_gen OUT_DIR [SEED]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t seed = argc > 2 ? std::stoull(argv[2]) : 1;
  Gen g(seed);
  using m2p::ColumnType;

  auto full_schema = [] {
    std::vector<m2p::ColumnSpec> cols = {
        {.name = "device", .type = ColumnType::kString, .bloom_filter = true},
        {.name = "event_time", .type = ColumnType::kTimestampMillis, .nullable = false},
        {.name = "seq", .type = ColumnType::kInt64, .bloom_filter = true},
        {.name = "temp", .type = ColumnType::kDouble},
        {.name = "ok", .type = ColumnType::kBool},
        {.name = "label", .type = ColumnType::kString},
        {.name = "sparse", .type = ColumnType::kString},
        {.name = "doc", .type = ColumnType::kJson},
        {.name = "raw", .type = ColumnType::kBinary},
        {.name = "all_null", .type = ColumnType::kInt64},
        m2p::ColumnSpec::Payload("payload")};
    return cols;
  };

  std::vector<Case> cases;
  {
    Case c{.name = "mixed_small_pages", .columns = full_schema(), .options = {}, .groups = 12,
           .max_rows = 400};
    c.options.data_page_bytes = 2048;
    c.options.data_page_rows = 97;
    c.options.key_value_metadata = {{"mqtt2s3.format", "1"}};
    cases.push_back(std::move(c));
  }
  {
    Case c{.name = "plain_uncompressed", .columns = full_schema(), .options = {}, .groups = 5,
           .max_rows = 300};
    for (auto& s : c.columns) {
      s.dictionary = false;
      s.compression = m2p::Compression::kUncompressed;
    }
    cases.push_back(std::move(c));
  }
  {
    Case c{.name = "huge_payloads", .columns = full_schema(), .options = {}, .groups = 4,
           .max_rows = 150, .huge = true};
    cases.push_back(std::move(c));
  }
  {
    Case c{.name = "required_dense", .columns = full_schema(), .options = {}, .groups = 3,
           .max_rows = 3000, .null_rate = 0.0};
    for (auto& s : c.columns) s.nullable = s.name == "all_null";
    c.options.zstd_level = 1;
    cases.push_back(std::move(c));
  }
  for (const Case& c : cases) {
    if (WriteCase(dir, c, g) != 0) return 1;
  }
  return 0;
}
