#include "core/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace convcheck {
namespace {

TEST(TensorTest, DefaultIsUndefinedAndEmpty) {
  Tensor tensor;
  EXPECT_EQ(tensor.dtype(), DataType::kUndefined);
  EXPECT_EQ(tensor.rank(), 0);
  EXPECT_EQ(tensor.num_elements(), 0);
  EXPECT_EQ(tensor.byte_size(), 0);
}

TEST(TensorTest, ConstructorZeroFills) {
  Tensor tensor(DataType::kFloat32, {2, 3});
  EXPECT_EQ(tensor.dtype(), DataType::kFloat32);
  EXPECT_EQ(tensor.shape(), (Shape{2, 3}));
  EXPECT_EQ(tensor.rank(), 2);
  EXPECT_EQ(tensor.num_elements(), 6);
  EXPECT_EQ(tensor.byte_size(), 24);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(tensor.Data<float>()[i], 0.0f);

  Tensor strings(DataType::kString, {3});
  EXPECT_EQ(strings.byte_size(), 0);
  ASSERT_EQ(strings.strings().size(), 3u);
  EXPECT_EQ(strings.strings()[2], "");

  Tensor scalar(DataType::kInt64, {});
  EXPECT_EQ(scalar.num_elements(), 1);
  EXPECT_EQ(scalar.byte_size(), 8);

  Tensor empty(DataType::kFloat16, {0, 4});
  EXPECT_EQ(empty.num_elements(), 0);
  EXPECT_EQ(empty.byte_size(), 0);
}

template <typename T>
void ExpectFromVector(const std::vector<T>& values, DataType expected_dtype) {
  SCOPED_TRACE(std::string(DataTypeName(expected_dtype)));
  Tensor tensor = Tensor::FromVector<T>({static_cast<int64_t>(values.size())}, values);
  ASSERT_EQ(tensor.dtype(), expected_dtype);
  ASSERT_EQ(tensor.num_elements(), static_cast<int64_t>(values.size()));
  EXPECT_EQ(tensor.byte_size(), static_cast<int64_t>(values.size()) * DataTypeSize(expected_dtype));
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(std::memcmp(&tensor.Data<T>()[i], &values[i], sizeof(T)), 0) << "index " << i;
  }
}

TEST(TensorTest, FromVectorEveryDtype) {
  ExpectFromVector<float>({1.5f, -2.0f, 3.25f}, DataType::kFloat32);
  ExpectFromVector<double>({1e300, -0.5}, DataType::kFloat64);
  ExpectFromVector<Float16>({{0x3C00}, {0xC000}}, DataType::kFloat16);
  ExpectFromVector<BFloat16>({{0x3F80}, {0x7F80}}, DataType::kBFloat16);
  ExpectFromVector<int8_t>({-128, 0, 127}, DataType::kInt8);
  ExpectFromVector<int16_t>({-32768, 32767}, DataType::kInt16);
  ExpectFromVector<int32_t>({-5, 7, 1 << 30}, DataType::kInt32);
  ExpectFromVector<int64_t>({int64_t{1} << 62, -1}, DataType::kInt64);
  ExpectFromVector<uint8_t>({0, 255}, DataType::kUint8);
  ExpectFromVector<uint16_t>({0, 65535}, DataType::kUint16);
  ExpectFromVector<uint32_t>({0, 4000000000u}, DataType::kUint32);
  ExpectFromVector<uint64_t>({0, ~uint64_t{0}}, DataType::kUint64);
  ExpectFromVector<std::complex<float>>({{1, 2}, {-3, 4}}, DataType::kComplex64);
  ExpectFromVector<std::complex<double>>({{1, 2}}, DataType::kComplex128);

  // std::vector<bool> is bit-packed; the tensor must still get one byte per element.
  Tensor bools = Tensor::FromVector<bool>({2, 2}, {true, false, false, true});
  ASSERT_EQ(bools.dtype(), DataType::kBool);
  EXPECT_EQ(bools.byte_size(), 4);
  EXPECT_TRUE(bools.Data<bool>()[0]);
  EXPECT_FALSE(bools.Data<bool>()[1]);
  EXPECT_TRUE(bools.Data<bool>()[3]);

  Tensor strings = Tensor::FromVector<std::string>({2}, {"a", "bc"});
  ASSERT_EQ(strings.dtype(), DataType::kString);
  EXPECT_EQ(strings.strings(), (std::vector<std::string>{"a", "bc"}));

  Tensor scalar = Tensor::Scalar<int32_t>(42);
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(scalar.Data<int32_t>()[0], 42);
}

TEST(TensorTest, DataTypeOfIsConstexpr) {
  static_assert(DataTypeOf<float>() == DataType::kFloat32);
  static_assert(DataTypeOf<bool>() == DataType::kBool);
  static_assert(DataTypeOf<uint64_t>() == DataType::kUint64);
  static_assert(DataTypeOf<std::string>() == DataType::kString);
  static_assert(DataTypeOf<BFloat16>() == DataType::kBFloat16);
}

TEST(TensorTest, GetAndSetAsDouble) {
  const DataType numeric[] = {DataType::kFloat32,  DataType::kFloat64, DataType::kFloat16,
                              DataType::kBFloat16, DataType::kInt8,    DataType::kInt16,
                              DataType::kInt32,    DataType::kInt64,   DataType::kUint8,
                              DataType::kUint16,   DataType::kUint32,  DataType::kUint64};
  for (DataType dtype : numeric) {
    SCOPED_TRACE(std::string(DataTypeName(dtype)));
    Tensor tensor(dtype, {3});
    tensor.SetFromDouble(0, 1.0);
    tensor.SetFromDouble(1, 100.0);
    tensor.SetFromDouble(2, 3.0);
    EXPECT_EQ(tensor.GetAsDouble(0), 1.0);
    EXPECT_EQ(tensor.GetAsDouble(1), 100.0);
    EXPECT_EQ(tensor.GetAsDouble(2), 3.0);
  }

  Tensor half(DataType::kFloat16, {2});
  half.SetFromDouble(0, 1.0 + 1.0 / 2048);  // Tie between 1 and 1 + 2^-10: rounds to even 1.
  half.SetFromDouble(1, 70000.0);           // Above the half range.
  EXPECT_EQ(half.Data<Float16>()[0].bits, 0x3C00);
  EXPECT_EQ(half.GetAsDouble(0), 1.0);
  EXPECT_TRUE(std::isinf(half.GetAsDouble(1)));

  // Rounded once from double: 1 + 2^-11 + 2^-40 is above the tie, so it goes up.
  half.SetFromDouble(0, 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40));
  EXPECT_EQ(half.Data<Float16>()[0].bits, 0x3C01);

  Tensor bf(DataType::kBFloat16, {1});
  bf.SetFromDouble(0, 1.00390625);  // 1 + 2^-8: halfway between bfloat16 1 and 1 + 2^-7.
  EXPECT_EQ(bf.GetAsDouble(0), 1.0);

  Tensor bools(DataType::kBool, {3});
  bools.SetFromDouble(0, 0.5);
  bools.SetFromDouble(1, 0.0);
  bools.SetFromDouble(2, -2.0);
  EXPECT_EQ(bools.GetAsDouble(0), 1.0);
  EXPECT_EQ(bools.GetAsDouble(1), 0.0);
  EXPECT_EQ(bools.GetAsDouble(2), 1.0);

  Tensor ints(DataType::kInt8, {4});
  ints.SetFromDouble(0, -2.7);  // Truncates toward zero.
  ints.SetFromDouble(1, 1000.0);
  ints.SetFromDouble(2, -1000.0);
  ints.SetFromDouble(3, std::nan(""));
  EXPECT_EQ(ints.Data<int8_t>()[0], -2);
  EXPECT_EQ(ints.Data<int8_t>()[1], 127);
  EXPECT_EQ(ints.Data<int8_t>()[2], -128);
  EXPECT_EQ(ints.Data<int8_t>()[3], 0);

  Tensor big(DataType::kInt64, {2});
  big.SetFromDouble(0, 1e30);
  big.SetFromDouble(1, -1e30);
  EXPECT_EQ(big.Data<int64_t>()[0], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(big.Data<int64_t>()[1], std::numeric_limits<int64_t>::min());

  Tensor unsigned_tensor(DataType::kUint32, {1});
  unsigned_tensor.SetFromDouble(0, -5.0);
  EXPECT_EQ(unsigned_tensor.Data<uint32_t>()[0], 0u);
}

TEST(TensorTest, ReshapedKeepsData) {
  Tensor tensor = Tensor::FromVector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor reshaped = tensor.Reshaped({3, 2});
  EXPECT_EQ(reshaped.shape(), (Shape{3, 2}));
  EXPECT_EQ(reshaped.dtype(), DataType::kInt32);
  EXPECT_EQ(reshaped.Data<int32_t>()[5], 6);
  EXPECT_EQ(tensor.shape(), (Shape{2, 3}));

  Tensor strings = Tensor::FromVector<std::string>({2}, {"x", "y"}).Reshaped({1, 2});
  EXPECT_EQ(strings.strings()[1], "y");
}

TEST(TensorTest, CopyIsDeep) {
  Tensor a = Tensor::FromVector<float>({2}, {1, 2});
  Tensor b = a;
  b.MutableData<float>()[0] = 9;
  EXPECT_EQ(a.Data<float>()[0], 1.0f);
}

TEST(TensorTest, DebugString) {
  EXPECT_EQ(Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6}).DebugString(),
            "float32[2,3] {1, 2, 3, 4, 5, 6}");
  EXPECT_EQ(Tensor::FromVector<float>({2}, {0.1f, -2.5f}).DebugString(), "float32[2] {0.1, -2.5}");
  EXPECT_EQ(Tensor::FromVector<int64_t>({10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}).DebugString(3),
            "int64[10] {0, 1, 2, ...}");
  EXPECT_EQ(Tensor::FromVector<bool>({2}, {true, false}).DebugString(), "bool[2] {true, false}");
  EXPECT_EQ(Tensor::FromVector<std::string>({1}, {"hi"}).DebugString(), "string[1] {\"hi\"}");
  EXPECT_EQ(Tensor::FromVector<Float16>({1}, {{0x3E00}}).DebugString(), "float16[1] {1.5}");
  EXPECT_EQ(Tensor::FromVector<uint8_t>({1}, {200}).DebugString(), "uint8[1] {200}");
  EXPECT_EQ(Tensor::FromVector<std::complex<float>>({1}, {{1, -2}}).DebugString(),
            "complex64[1] {1-2i}");
  EXPECT_EQ(Tensor(DataType::kInt32, {0}).DebugString(), "int32[0] {}");
  EXPECT_EQ(Tensor::Scalar<double>(2.5).DebugString(), "float64[] {2.5}");
}

TEST(TensorDeathTest, TypeMismatchIsOurBug) {
  Tensor tensor(DataType::kFloat32, {1});
  EXPECT_DEATH(tensor.Data<int32_t>(), "does not match the dtype");
  EXPECT_DEATH(Tensor::FromVector<float>({3}, {1.0f}), "count does not match");
  EXPECT_DEATH(tensor.Reshaped({2}), "element count differs");
  Tensor strings(DataType::kString, {1});
  EXPECT_DEATH(strings.GetAsDouble(0), "not numeric");
}

}  // namespace
}  // namespace convcheck
