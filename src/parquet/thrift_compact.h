// CompactWriter: an encoder for the Thrift compact protocol, the wire form of every Parquet
// footer, page header and page index structure (docs/PARQUET_ENCODER.md). Write-only: the
// service never reads Parquet. Spec: apache/thrift doc/specs/thrift-compact-protocol.md.
//
//   std::string out;
//   CompactWriter w(&out);
//   w.FieldI32(1, 42);              // struct fields in ascending id order
//   w.BeginStructField(3);          // nested struct: fields, then EndStruct()
//   w.FieldBinary(1, "x");
//   w.EndStruct();
//   w.BeginListField(4, CompactType::kI64, 2);
//   w.ElemI64(7); w.ElemI64(8);     // list elements carry no headers
//   w.EndStruct();                  // stop byte of the outermost struct
//
// Field ids must ascend inside one struct (the short header encodes the delta; the long form
// is used for a backwards or >15 jump). Lifecycle: one writer per serialised message; the
// caller owns the output string. Thread-safety: none (plain value).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqtt2s3::parquet {

// Compact-protocol type nibbles. Field headers encode bool values as kBoolTrue/kBoolFalse.
enum class CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// Appends unsigned LEB128 (the compact protocol's var int).
void AppendVarint(std::string* out, uint64_t value);
uint64_t ZigZag64(int64_t value);

class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) { last_ids_.reserve(8); }

  void FieldBool(int16_t id, bool value);
  void FieldI8(int16_t id, int8_t value);
  void FieldI16(int16_t id, int16_t value);
  void FieldI32(int16_t id, int32_t value);
  void FieldI64(int16_t id, int64_t value);
  void FieldDouble(int16_t id, double value);
  void FieldBinary(int16_t id, std::string_view value);

  // Opens a struct (or union) valued field; close with EndStruct().
  void BeginStructField(int16_t id);
  // Writes the stop byte of the innermost open struct (or of the top-level one).
  void EndStruct();
  // A struct-valued field with no fields set: empty marker structs and unions' arms.
  void EmptyStructField(int16_t id) {
    BeginStructField(id);
    EndStruct();
  }

  // A list header; the caller then writes exactly `size` elements of `element_type`.
  // A list of bools uses kBoolTrue as its element type, as the reference implementations do.
  void BeginListField(int16_t id, CompactType element_type, uint32_t size);

  void ElemBool(bool value);  // 1 true, 2 false: the values every reference reader accepts
  void ElemI32(int32_t value);
  void ElemI64(int64_t value);
  void ElemBinary(std::string_view value);
  // A struct element: its fields, then EndStruct().
  void BeginStructElem();

 private:
  void FieldHeader(int16_t id, CompactType type);

  std::string* out_;
  int16_t last_id_ = 0;            // last field id of the innermost open struct
  std::vector<int16_t> last_ids_;  // saved last ids of the enclosing structs
};

}  // namespace mqtt2s3::parquet
