#include "core/tensor.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "core/small_float.h"

namespace convcheck {
namespace {

// Truncates toward zero like static_cast, but saturates instead of invoking undefined
// behaviour for NaN and values outside the range of I.
template <typename I>
I SaturatingCast(double value) {
  if (std::isnan(value)) return 0;
  constexpr double kLowest = static_cast<double>(std::numeric_limits<I>::min());
  if (value <= kLowest) return std::numeric_limits<I>::min();
  // 2^digits is the first value past max() and is exact in double, unlike max() itself for
  // 64-bit types.
  const double past_max = std::ldexp(1.0, std::numeric_limits<I>::digits);
  if (value >= past_max) return std::numeric_limits<I>::max();
  return static_cast<I>(value);
}

template <typename F>
void AppendFloat(std::string& out, F value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

// "1+2i", "1-2i"; each part printed at its own precision.
template <typename F>
void AppendComplex(std::string& out, std::complex<F> value) {
  AppendFloat(out, value.real());
  if (!std::signbit(value.imag())) out += '+';
  AppendFloat(out, value.imag());
  out += 'i';
}

}  // namespace

Tensor::Tensor() = default;

Tensor::Tensor(DataType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  CC_CHECK_MSG(dtype != DataType::kUndefined, "Tensor: dtype is undefined");
  for (int64_t dim : shape_) CC_CHECK_MSG(dim >= 0, "Tensor: negative dimension");
  num_elements_ = NumElements(shape_);
  if (dtype == DataType::kString) {
    strings_.resize(static_cast<size_t>(num_elements_));
  } else {
    bytes_.resize(static_cast<size_t>(num_elements_ * DataTypeSize(dtype)));
  }
}

const std::vector<std::string>& Tensor::strings() const {
  CC_CHECK_MSG(dtype_ == DataType::kString, "Tensor::strings: not a string tensor");
  return strings_;
}

std::vector<std::string>& Tensor::mutable_strings() {
  CC_CHECK_MSG(dtype_ == DataType::kString, "Tensor::mutable_strings: not a string tensor");
  return strings_;
}

double Tensor::GetAsDouble(int64_t index) const {
  CC_CHECK_MSG(index >= 0 && index < num_elements_, "Tensor::GetAsDouble: index out of range");
  switch (dtype_) {
    case DataType::kFloat32:
      return Data<float>()[index];
    case DataType::kFloat64:
      return Data<double>()[index];
    case DataType::kFloat16:
      return HalfBitsToFloat(Data<Float16>()[index].bits);
    case DataType::kBFloat16:
      return BFloat16BitsToFloat(Data<BFloat16>()[index].bits);
    case DataType::kInt8:
      return Data<int8_t>()[index];
    case DataType::kInt16:
      return Data<int16_t>()[index];
    case DataType::kInt32:
      return Data<int32_t>()[index];
    case DataType::kInt64:
      return static_cast<double>(Data<int64_t>()[index]);
    case DataType::kUint8:
      return Data<uint8_t>()[index];
    case DataType::kUint16:
      return Data<uint16_t>()[index];
    case DataType::kUint32:
      return Data<uint32_t>()[index];
    case DataType::kUint64:
      return static_cast<double>(Data<uint64_t>()[index]);
    // Read the byte rather than a bool lvalue: a byte other than 0/1 from a file is still true.
    case DataType::kBool:
      return bytes_[index] != 0 ? 1.0 : 0.0;
    default:
      if (IsSmallType(dtype_)) return SmallTypeToDouble(dtype_, bytes_[index]);
      break;
  }
  CheckFailed(__FILE__, __LINE__, "numeric dtype", "Tensor::GetAsDouble: dtype is not numeric");
}

void Tensor::SetFromDouble(int64_t index, double value) {
  CC_CHECK_MSG(index >= 0 && index < num_elements_, "Tensor::SetFromDouble: index out of range");
  switch (dtype_) {
    case DataType::kFloat32:
      MutableData<float>()[index] = static_cast<float>(value);
      return;
    case DataType::kFloat64:
      MutableData<double>()[index] = value;
      return;
    case DataType::kFloat16:
      MutableData<Float16>()[index].bits = DoubleToHalfBits(value);
      return;
    case DataType::kBFloat16:
      MutableData<BFloat16>()[index].bits = DoubleToBFloat16Bits(value);
      return;
    case DataType::kInt8:
      MutableData<int8_t>()[index] = SaturatingCast<int8_t>(value);
      return;
    case DataType::kInt16:
      MutableData<int16_t>()[index] = SaturatingCast<int16_t>(value);
      return;
    case DataType::kInt32:
      MutableData<int32_t>()[index] = SaturatingCast<int32_t>(value);
      return;
    case DataType::kInt64:
      MutableData<int64_t>()[index] = SaturatingCast<int64_t>(value);
      return;
    case DataType::kUint8:
      MutableData<uint8_t>()[index] = SaturatingCast<uint8_t>(value);
      return;
    case DataType::kUint16:
      MutableData<uint16_t>()[index] = SaturatingCast<uint16_t>(value);
      return;
    case DataType::kUint32:
      MutableData<uint32_t>()[index] = SaturatingCast<uint32_t>(value);
      return;
    case DataType::kUint64:
      MutableData<uint64_t>()[index] = SaturatingCast<uint64_t>(value);
      return;
    case DataType::kBool:
      bytes_[index] = value != 0.0 ? 1 : 0;
      return;
    default:
      if (IsSmallType(dtype_)) {
        bytes_[index] = DoubleToSmallType(dtype_, value);
        return;
      }
      break;
  }
  CheckFailed(__FILE__, __LINE__, "numeric dtype", "Tensor::SetFromDouble: dtype is not numeric");
}

Tensor Tensor::Reshaped(Shape new_shape) const {
  for (int64_t dim : new_shape) CC_CHECK_MSG(dim >= 0, "Tensor::Reshaped: negative dimension");
  CC_CHECK_MSG(NumElements(new_shape) == num_elements_, "Tensor::Reshaped: element count differs");
  Tensor copy = *this;
  copy.shape_ = std::move(new_shape);
  return copy;
}

std::string Tensor::DebugString(int max_elements) const {
  std::string out(DataTypeName(dtype_));
  out += ShapeToString(shape_);
  out += " {";
  const int64_t shown = std::min<int64_t>(num_elements_, std::max(max_elements, 0));
  for (int64_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    switch (dtype_) {
      case DataType::kString:
        out += '"';
        out += strings_[i];
        out += '"';
        break;
      case DataType::kBool:
        out += bytes_[i] != 0 ? "true" : "false";
        break;
      case DataType::kFloat32:
        AppendFloat(out, Data<float>()[i]);
        break;
      case DataType::kFloat64:
        AppendFloat(out, Data<double>()[i]);
        break;
      case DataType::kFloat16:
        AppendFloat(out, HalfBitsToFloat(Data<Float16>()[i].bits));
        break;
      case DataType::kBFloat16:
        AppendFloat(out, BFloat16BitsToFloat(Data<BFloat16>()[i].bits));
        break;
      case DataType::kInt64:
        out += std::to_string(Data<int64_t>()[i]);
        break;
      case DataType::kUint64:
        out += std::to_string(Data<uint64_t>()[i]);
        break;
      case DataType::kComplex64:
        AppendComplex(out, Data<std::complex<float>>()[i]);
        break;
      case DataType::kComplex128:
        AppendComplex(out, Data<std::complex<double>>()[i]);
        break;
      default:
        if (IsSmallType(dtype_)) {
          AppendFloat(out, GetAsDouble(i));  // The narrow integers print as "3" too.
          break;
        }
        // The remaining integer types are exact in double.
        out += std::to_string(static_cast<int64_t>(GetAsDouble(i)));
        break;
    }
  }
  if (shown < num_elements_) out += shown > 0 ? ", ..." : "...";
  out += '}';
  return out;
}

}  // namespace convcheck
