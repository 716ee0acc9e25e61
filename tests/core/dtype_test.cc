#include "core/dtype.h"

#include <gtest/gtest.h>

namespace convcheck {
namespace {

constexpr DataType kAllTypes[] = {
    DataType::kUndefined, DataType::kFloat32, DataType::kUint8,     DataType::kInt8,
    DataType::kUint16,    DataType::kInt16,   DataType::kInt32,     DataType::kInt64,
    DataType::kString,    DataType::kBool,    DataType::kFloat16,   DataType::kFloat64,
    DataType::kUint32,    DataType::kUint64,  DataType::kComplex64, DataType::kComplex128,
    DataType::kBFloat16,
};

TEST(DataTypeTest, NamesRoundTrip) {
  for (DataType dtype : kAllTypes) {
    std::string_view name = DataTypeName(dtype);
    ASSERT_FALSE(name.empty());
    std::optional<DataType> back = DataTypeFromName(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, dtype) << name;
  }
}

TEST(DataTypeTest, NamesAreNumpySpellings) {
  EXPECT_EQ(DataTypeName(DataType::kFloat32), "float32");
  EXPECT_EQ(DataTypeName(DataType::kFloat16), "float16");
  EXPECT_EQ(DataTypeName(DataType::kBFloat16), "bfloat16");
  EXPECT_EQ(DataTypeName(DataType::kUint64), "uint64");
  EXPECT_EQ(DataTypeName(DataType::kBool), "bool");
  EXPECT_EQ(DataTypeName(DataType::kComplex128), "complex128");
  EXPECT_EQ(DataTypeName(static_cast<DataType>(99)), "undefined");
  EXPECT_FALSE(DataTypeFromName("float").has_value());
  EXPECT_FALSE(DataTypeFromName("Float32").has_value());
  EXPECT_FALSE(DataTypeFromName("").has_value());
}

TEST(DataTypeTest, CodesMatchOnnxTensorProto) {
  // Values from onnx.proto TensorProto.DataType.
  EXPECT_EQ(static_cast<int>(DataType::kFloat32), 1);
  EXPECT_EQ(static_cast<int>(DataType::kString), 8);
  EXPECT_EQ(static_cast<int>(DataType::kBFloat16), 16);
  EXPECT_EQ(DataTypeFromOnnxCode(10), DataType::kFloat16);
  EXPECT_EQ(DataTypeFromOnnxCode(17), DataType::kFloat8E4M3FN);
  EXPECT_EQ(DataTypeFromOnnxCode(26), DataType::kInt2);
  EXPECT_EQ(DataTypeName(DataType::kFloat4E2M1), "float4_e2m1fn");
  EXPECT_EQ(DataTypeSize(DataType::kInt4), 1);         // One element per byte in a Tensor.
  EXPECT_FALSE(DataTypeFromOnnxCode(27).has_value());  // float6 (onnx 1.23, opset 28): not yet.
  EXPECT_FALSE(DataTypeFromOnnxCode(-1).has_value());
}

TEST(DataTypeTest, SizesAndCategories) {
  EXPECT_EQ(DataTypeSize(DataType::kFloat32), 4);
  EXPECT_EQ(DataTypeSize(DataType::kFloat16), 2);
  EXPECT_EQ(DataTypeSize(DataType::kBFloat16), 2);
  EXPECT_EQ(DataTypeSize(DataType::kFloat64), 8);
  EXPECT_EQ(DataTypeSize(DataType::kBool), 1);
  EXPECT_EQ(DataTypeSize(DataType::kInt64), 8);
  EXPECT_EQ(DataTypeSize(DataType::kUint16), 2);
  EXPECT_EQ(DataTypeSize(DataType::kComplex64), 8);
  EXPECT_EQ(DataTypeSize(DataType::kComplex128), 16);
  EXPECT_EQ(DataTypeSize(DataType::kString), 0);
  EXPECT_EQ(DataTypeSize(DataType::kUndefined), 0);

  int floating = 0, integer = 0;
  for (DataType dtype : kAllTypes) {
    floating += IsFloatingPoint(dtype);
    integer += IsInteger(dtype);
    EXPECT_FALSE(IsFloatingPoint(dtype) && IsInteger(dtype)) << DataTypeName(dtype);
  }
  EXPECT_EQ(floating, 4);
  EXPECT_EQ(integer, 8);
  EXPECT_TRUE(IsFloatingPoint(DataType::kBFloat16));
  EXPECT_FALSE(IsInteger(DataType::kBool));
  EXPECT_FALSE(IsFloatingPoint(DataType::kComplex64));
}

TEST(ShapeTest, NumElementsAndToString) {
  EXPECT_EQ(NumElements({}), 1);
  EXPECT_EQ(NumElements({1, 3, 224, 224}), 150528);
  EXPECT_EQ(NumElements({4, 0, 2}), 0);
  EXPECT_EQ(ShapeToString({1, 3, 224, 224}), "[1,3,224,224]");
  EXPECT_EQ(ShapeToString({}), "[]");
  EXPECT_EQ(ShapeToString({0}), "[0]");
}

}  // namespace
}  // namespace convcheck
