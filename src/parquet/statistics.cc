#include "parquet/statistics.h"

#include <cmath>
#include <cstring>

namespace mqtt2s3::parquet {
namespace {

std::string Fixed8(const void* p) { return std::string(static_cast<const char*>(p), 8); }

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned c = p[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Cut point <= max_bytes that does not split a UTF-8 character of v.
size_t Utf8Cut(std::string_view v, size_t max_bytes) {
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xc0) == 0x80) --cut;
  return cut;
}

}  // namespace

void ValueStats::AddDouble(double v) {
  if (std::isnan(v)) return;
  if (!has_ || v < d_min_) d_min_ = v;
  if (!has_ || v > d_max_) d_max_ = v;
  has_ = true;
}

void ValueStats::Merge(const ValueStats& o) {
  if (!o.has_) return;
  if (!has_) {
    *this = o;
    return;
  }
  // Only one family of fields is ever in use for a column, so merging all three is harmless.
  if (o.i_min_ < i_min_) i_min_ = o.i_min_;
  if (o.i_max_ > i_max_) i_max_ = o.i_max_;
  if (o.d_min_ < d_min_) d_min_ = o.d_min_;
  if (o.d_max_ > d_max_) d_max_ = o.d_max_;
  if (o.b_min_ < b_min_) b_min_ = o.b_min_;
  if (o.b_max_ > b_max_) b_max_ = o.b_max_;
}

EncodedBounds ValueStats::Encode(PhysicalKind kind, size_t max_bytes, bool utf8) const {
  EncodedBounds b;
  if (!has_) return b;
  switch (kind) {
    case PhysicalKind::kInt64:
      b.min = Fixed8(&i_min_);
      b.max = Fixed8(&i_max_);
      break;
    case PhysicalKind::kBool:
      b.min = std::string(1, static_cast<char>(i_min_));
      b.max = std::string(1, static_cast<char>(i_max_));
      break;
    case PhysicalKind::kDouble: {
      // parquet.thrift ColumnOrder: a zero min is written -0.0 and a zero max +0.0, because
      // the comparison above cannot tell which zero the page holds.
      const double lo = d_min_ == 0.0 ? -0.0 : d_min_;
      const double hi = d_max_ == 0.0 ? +0.0 : d_max_;
      b.min = Fixed8(&lo);
      b.max = Fixed8(&hi);
      break;
    }
    case PhysicalKind::kBytes:
      if (b_min_.size() <= max_bytes) {
        b.min = std::string(b_min_);
      } else {
        b.min = TruncateMin(b_min_, max_bytes, utf8);
        b.min_exact = false;
      }
      if (b_max_.size() <= max_bytes) {
        b.max = std::string(b_max_);
      } else {
        b.max = TruncateMax(b_max_, max_bytes, utf8);
        b.max_exact = false;
      }
      break;
  }
  return b;
}

std::string TruncateMin(std::string_view v, size_t max_bytes, bool utf8) {
  if (v.size() <= max_bytes) return std::string(v);
  if (utf8 && IsUtf8(v.substr(0, Utf8Cut(v, max_bytes)))) {
    return std::string(v.substr(0, Utf8Cut(v, max_bytes)));
  }
  return std::string(v.substr(0, max_bytes));
}

std::optional<std::string> TruncateMax(std::string_view v, size_t max_bytes, bool utf8) {
  if (v.size() <= max_bytes) return std::string(v);
  if (utf8) {
    std::string_view prefix = v.substr(0, Utf8Cut(v, max_bytes));
    if (IsUtf8(prefix)) {
      // Increment the last character that can be incremented; characters after it are
      // dropped, so the result is greater than every string starting with the prefix.
      while (!prefix.empty()) {
        size_t start = prefix.size() - 1;
        while (start > 0 && (static_cast<unsigned char>(prefix[start]) & 0xc0) == 0x80) --start;
        const auto* p = reinterpret_cast<const unsigned char*>(prefix.data() + start);
        const size_t len = prefix.size() - start;
        uint32_t cp = len == 1 ? p[0] : len == 2 ? p[0] & 0x1f : len == 3 ? p[0] & 0x0f : p[0] & 0x07;
        for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[k] & 0x3f);
        uint32_t next = cp + 1;
        if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
        if (next <= 0x10ffff) {
          std::string out(prefix.substr(0, start));
          AppendUtf8(&out, next);
          return out;
        }
        prefix = prefix.substr(0, start);
      }
      return std::nullopt;
    }
  }
  std::string out(v.substr(0, max_bytes));
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xff) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
  return out;
}

}  // namespace mqtt2s3::parquet
