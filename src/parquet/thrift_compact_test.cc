#include "parquet/thrift_compact.h"

#include <gtest/gtest.h>

namespace mqtt2s3::parquet {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(ThriftCompactTest, VarintMatchesTheSpecExample) {
  std::string out;
  AppendVarint(&out, 50399);
  EXPECT_EQ(out, Bytes({0xdf, 0x89, 0x03}));
}

TEST(ThriftCompactTest, ZigZagFoldsSignsIntoSmallNumbers) {
  EXPECT_EQ(ZigZag64(0), 0u);
  EXPECT_EQ(ZigZag64(-1), 1u);
  EXPECT_EQ(ZigZag64(1), 2u);
  EXPECT_EQ(ZigZag64(-2), 3u);
  EXPECT_EQ(ZigZag64(INT64_MAX), UINT64_MAX - 1);
  EXPECT_EQ(ZigZag64(INT64_MIN), UINT64_MAX);
}

TEST(ThriftCompactTest, ShortFieldHeadersCarryTheIdDelta) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(1, 3);     // delta 1, type i32 (5); zigzag(3) = 6
  w.FieldI64(4, -1);    // delta 3, type i64 (6); zigzag(-1) = 1
  w.FieldBinary(5, "ab");
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x15, 0x06, 0x36, 0x01, 0x18, 0x02, 'a', 'b', 0x00}));
}

TEST(ThriftCompactTest, LongFieldHeaderIsUsedForJumpsPastFifteen) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(1, 0);
  w.FieldI32(17, 0);  // delta 16: type byte, then zigzag(17) = 34
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x15, 0x00, 0x05, 0x22, 0x00, 0x00}));
}

TEST(ThriftCompactTest, BoolFieldsLiveInTheTypeNibble) {
  std::string out;
  CompactWriter w(&out);
  w.FieldBool(1, true);
  w.FieldBool(2, false);
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x11, 0x12, 0x00}));
}

TEST(ThriftCompactTest, NestedStructsRestartAndRestoreFieldIds) {
  std::string out;
  CompactWriter w(&out);
  w.FieldI32(3, 1);
  w.BeginStructField(5);  // delta 2, type struct (12)
  w.FieldI32(1, 1);       // delta counted from 0 inside
  w.EndStruct();
  w.FieldI32(6, 1);       // delta 1 from the outer field 5
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x35, 0x02, 0x2c, 0x15, 0x02, 0x00, 0x15, 0x02, 0x00}));
}

TEST(ThriftCompactTest, ListsUseShortAndLongSizeHeaders) {
  std::string out;
  CompactWriter w(&out);
  w.BeginListField(1, CompactType::kI64, 2);
  w.ElemI64(1);
  w.ElemI64(-1);
  w.BeginListField(2, CompactType::kBinary, 15);
  for (int i = 0; i < 15; ++i) w.ElemBinary("");
  w.EndStruct();
  std::string want = Bytes({0x19, 0x26, 0x02, 0x01, 0x19, 0xf8, 0x0f});
  want += std::string(15, '\0');
  want.push_back(0);
  EXPECT_EQ(out, want);
}

TEST(ThriftCompactTest, BoolListElementsAreOneAndTwo) {
  std::string out;
  CompactWriter w(&out);
  w.BeginListField(1, CompactType::kBoolTrue, 2);
  w.ElemBool(true);
  w.ElemBool(false);
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x19, 0x21, 0x01, 0x02, 0x00}));
}

TEST(ThriftCompactTest, StructListElementsAndEmptyStructs) {
  std::string out;
  CompactWriter w(&out);
  w.BeginListField(1, CompactType::kStruct, 1);
  w.BeginStructElem();
  w.EmptyStructField(1);
  w.EndStruct();
  w.FieldI8(2, -2);
  w.FieldI16(3, 300);
  w.FieldDouble(4, 1.0);
  w.EndStruct();
  EXPECT_EQ(out, Bytes({0x19, 0x1c, 0x1c, 0x00, 0x00, 0x13, 0xfe, 0x14, 0xd8, 0x04, 0x17, 0, 0,
                        0, 0, 0, 0, 0xf0, 0x3f, 0x00}));
}

}  // namespace
}  // namespace mqtt2s3::parquet
