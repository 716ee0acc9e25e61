//===- core/tensor.h - A dense, typed, owning tensor ----------------------===//
//
// The one in-memory tensor type: model inputs we generate, outputs a runtime returns, reference
// values the oracle compares against. It is deliberately plain: contiguous row-major (C order)
// storage, an element type and a shape, no views, strides or devices. Numeric and bool elements
// live in one byte buffer (bool as one byte holding 0 or 1, float16/bfloat16 as their 16 bits,
// complex as interleaved real/imaginary pairs); kString elements live in a vector of strings.
//
// Element access is typed: Data<T>() checks that T matches the dtype (our bug if not).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CORE_TENSOR_H_
#define CONVCHECK_CORE_TENSOR_H_

#include <complex>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dtype.h"
#include "core/float16.h"
#include "core/status.h"

namespace convcheck {

namespace internal {
template <typename T>
inline constexpr bool kAlwaysFalse = false;
}  // namespace internal

/// The DataType that stores C++ type T. bool is stored as one byte; Float16/BFloat16 are bit
/// containers; std::complex<float>/<double> are complex64/complex128.
template <typename T>
constexpr DataType DataTypeOf() {
  // One line per type, as a table.
  // clang-format off
  if constexpr (std::is_same_v<T, float>) return DataType::kFloat32;
  else if constexpr (std::is_same_v<T, double>) return DataType::kFloat64;
  else if constexpr (std::is_same_v<T, Float16>) return DataType::kFloat16;
  else if constexpr (std::is_same_v<T, BFloat16>) return DataType::kBFloat16;
  else if constexpr (std::is_same_v<T, int8_t>) return DataType::kInt8;
  else if constexpr (std::is_same_v<T, int16_t>) return DataType::kInt16;
  else if constexpr (std::is_same_v<T, int32_t>) return DataType::kInt32;
  else if constexpr (std::is_same_v<T, int64_t>) return DataType::kInt64;
  else if constexpr (std::is_same_v<T, uint8_t>) return DataType::kUint8;
  else if constexpr (std::is_same_v<T, uint16_t>) return DataType::kUint16;
  else if constexpr (std::is_same_v<T, uint32_t>) return DataType::kUint32;
  else if constexpr (std::is_same_v<T, uint64_t>) return DataType::kUint64;
  else if constexpr (std::is_same_v<T, bool>) return DataType::kBool;
  else if constexpr (std::is_same_v<T, std::string>) return DataType::kString;
  else if constexpr (std::is_same_v<T, std::complex<float>>) return DataType::kComplex64;
  else if constexpr (std::is_same_v<T, std::complex<double>>) return DataType::kComplex128;
  else static_assert(internal::kAlwaysFalse<T>, "no DataType for this C++ type");
  // clang-format on
}

/// A dense, row-major tensor that owns its elements. Copyable (a deep copy) and movable.
class Tensor {
 public:
  /// dtype kUndefined, shape [] and no data.
  Tensor();
  /// Zero-filled (false for bool, empty strings for kString). CC_CHECKs that no dimension is
  /// negative and dtype is not kUndefined.
  Tensor(DataType dtype, Shape shape);

  /// A tensor of DataTypeOf<T>() holding `values` in row-major order. CC_CHECKs that the count
  /// matches the shape. Works for std::vector<bool> too.
  template <typename T>
  static Tensor FromVector(Shape shape, const std::vector<T>& values);

  /// A rank-0 tensor holding `value`.
  template <typename T>
  static Tensor Scalar(const T& value) {
    return FromVector<T>({}, std::vector<T>{value});
  }

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t num_elements() const { return num_elements_; }
  /// num_elements * DataTypeSize; 0 for kString.
  int64_t byte_size() const { return static_cast<int64_t>(bytes_.size()); }

  /// Typed element pointers. CC_CHECK(DataTypeOf<T>() == dtype()); not for std::string (use
  /// strings()).
  template <typename T>
  const T* Data() const {
    static_assert(!std::is_same_v<T, std::string>, "use strings() for kString tensors");
    CC_CHECK_MSG(DataTypeOf<T>() == dtype_, "Tensor::Data<T>: T does not match the dtype");
    return reinterpret_cast<const T*>(bytes_.data());
  }
  template <typename T>
  T* MutableData() {
    static_assert(!std::is_same_v<T, std::string>, "use mutable_strings() for kString tensors");
    CC_CHECK_MSG(DataTypeOf<T>() == dtype_, "Tensor::MutableData<T>: T does not match the dtype");
    return reinterpret_cast<T*>(bytes_.data());
  }

  /// The byte buffer (byte_size() bytes, little-endian as on the host); empty for kString.
  const void* raw_data() const { return bytes_.data(); }
  void* mutable_raw_data() { return bytes_.data(); }

  /// Elements of a kString tensor (CC_CHECKed).
  const std::vector<std::string>& strings() const;
  std::vector<std::string>& mutable_strings();

  /// Element `index` (row-major) of any numeric or bool tensor as a double; float16/bfloat16
  /// are decoded, int64/uint64 beyond 2^53 lose precision. CC_CHECKs the index and that the
  /// dtype is not string, complex or undefined.
  double GetAsDouble(int64_t index) const;
  /// Stores `value` cast to the dtype: float16/bfloat16 round to nearest even, bool is
  /// value != 0, integers use C++ conversion (truncation toward zero; NaN and out-of-range
  /// values are clamped to the type's range, NaN to 0, so the result is always defined).
  void SetFromDouble(int64_t index, double value);

  /// A copy with the same elements and `new_shape`; CC_CHECKs the element count is unchanged.
  Tensor Reshaped(Shape new_shape) const;

  /// "float32[2,3] {1, 2, 3, 4, 5, 6}"; floats in shortest round-trip form, bool as
  /// true/false, strings quoted; "{1, 2, ...}" once max_elements have been printed.
  std::string DebugString(int max_elements = 8) const;

 private:
  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t num_elements_ = 0;
  // operator new aligns to at least 16 bytes, enough for every element type including
  // std::complex<double>.
  std::vector<uint8_t> bytes_;
  std::vector<std::string> strings_;
};

template <typename T>
Tensor Tensor::FromVector(Shape shape, const std::vector<T>& values) {
  Tensor tensor(DataTypeOf<T>(), std::move(shape));
  CC_CHECK_MSG(static_cast<int64_t>(values.size()) == tensor.num_elements(),
               "Tensor::FromVector: value count does not match the shape");
  if constexpr (std::is_same_v<T, std::string>) {
    tensor.strings_ = values;
  } else {
    // An element loop rather than memcpy, because std::vector<bool> has no contiguous data().
    T* out = tensor.MutableData<T>();
    for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  }
  return tensor;
}

}  // namespace convcheck

#endif  // CONVCHECK_CORE_TENSOR_H_
