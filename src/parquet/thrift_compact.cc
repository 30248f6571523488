#include "parquet/thrift_compact.h"

#include <cstring>

namespace mqtt2s3::parquet {

void AppendVarint(std::string* out, uint64_t value) {
  char buf[10];
  size_t n = 0;
  while (value >= 0x80) {
    buf[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  buf[n++] = static_cast<char>(value);
  out->append(buf, n);
}

uint64_t ZigZag64(int64_t value) {
  // The shift is done unsigned: left-shifting a negative signed value is UB before C++20 and
  // the arithmetic right shift supplies the sign mask.
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

void CompactWriter::FieldHeader(int16_t id, CompactType type) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    AppendVarint(out_, ZigZag64(id));
  }
  last_id_ = id;
}

void CompactWriter::FieldBool(int16_t id, bool value) {
  FieldHeader(id, value ? CompactType::kBoolTrue : CompactType::kBoolFalse);
}

void CompactWriter::FieldI8(int16_t id, int8_t value) {
  FieldHeader(id, CompactType::kI8);
  out_->push_back(static_cast<char>(value));
}

void CompactWriter::FieldI16(int16_t id, int16_t value) {
  FieldHeader(id, CompactType::kI16);
  AppendVarint(out_, ZigZag64(value));
}

void CompactWriter::FieldI32(int16_t id, int32_t value) {
  FieldHeader(id, CompactType::kI32);
  AppendVarint(out_, ZigZag64(value));
}

void CompactWriter::FieldI64(int16_t id, int64_t value) {
  FieldHeader(id, CompactType::kI64);
  AppendVarint(out_, ZigZag64(value));
}

void CompactWriter::FieldDouble(int16_t id, double value) {
  FieldHeader(id, CompactType::kDouble);
  // Little endian, the compact protocol's de-facto standard (see the spec's "Double encoding").
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(bits >> (8 * i));
  out_->append(buf, 8);
}

void CompactWriter::FieldBinary(int16_t id, std::string_view value) {
  FieldHeader(id, CompactType::kBinary);
  ElemBinary(value);
}

void CompactWriter::BeginStructField(int16_t id) {
  FieldHeader(id, CompactType::kStruct);
  BeginStructElem();
}

void CompactWriter::BeginStructElem() {
  last_ids_.push_back(last_id_);
  last_id_ = 0;
}

void CompactWriter::EndStruct() {
  out_->push_back(static_cast<char>(CompactType::kStop));
  if (!last_ids_.empty()) {
    last_id_ = last_ids_.back();
    last_ids_.pop_back();
  } else {
    last_id_ = 0;
  }
}

void CompactWriter::BeginListField(int16_t id, CompactType element_type, uint32_t size) {
  FieldHeader(id, CompactType::kList);
  const int type = static_cast<int>(element_type);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | type));
  } else {
    out_->push_back(static_cast<char>(0xf0 | type));
    AppendVarint(out_, size);
  }
}

void CompactWriter::ElemBool(bool value) { out_->push_back(value ? 1 : 2); }

void CompactWriter::ElemI32(int32_t value) { AppendVarint(out_, ZigZag64(value)); }

void CompactWriter::ElemI64(int64_t value) { AppendVarint(out_, ZigZag64(value)); }

void CompactWriter::ElemBinary(std::string_view value) {
  AppendVarint(out_, value.size());
  out_->append(value);
}

}  // namespace mqtt2s3::parquet
