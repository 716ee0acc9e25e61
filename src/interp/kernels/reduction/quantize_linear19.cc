//===- interp/kernels/reduction/quantize_linear19.cc - (De)QuantizeLinear 19+ ===//
//
// QuantizeLinear and DequantizeLinear from opset 19, where they gained types and granularity
// (quantize_linear.cc keeps opsets 10-18):
//   19: float8 quantized types (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ) and Q's `saturate` (float8
//       only: out-of-range values clamp, or become inf/NaN with saturate=0).
//   21: int16/uint16 and int4/uint4; blocked quantization (`block_size` B > 0: the scale has
//       x's shape except ceil(D_axis / B) along `axis`, element i of x uses block i / B); Q's
//       `output_dtype` (the quantized type without a zero point).
//   23: float4 E2M1; Q's `precision` (the type the division runs in), DQ's `output_dtype`.
//   24: a float8 E8M0 scale.   25: int2/uint2.
// y = saturate(round_half_even(x / scale) + zero_point) for integer types; for float types
// x / scale + zero_point is rounded to the type (saturating as `saturate` says).
// DequantizeLinear: y = (x - zero_point) * scale, of the scale's type (or output_dtype).
// A type is refused at an opset that does not have it.
//
// Numerics: the division runs in the scale's type (float for float32, as the reference does, so
// results agree at .5 boundaries) unless `precision` names another; dequantization multiplies in
// double and rounds once.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/small_float.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/dequantize.h"

namespace convcheck::interp {
namespace {

// The first opset at which a quantized type is allowed (0: never).
int FirstQuantizedOpset(DataType t) {
  switch (t) {
    case DataType::kInt8:
    case DataType::kUint8:
      return 10;
    case DataType::kFloat8E4M3FN:
    case DataType::kFloat8E4M3FNUZ:
    case DataType::kFloat8E5M2:
    case DataType::kFloat8E5M2FNUZ:
      return 19;
    case DataType::kInt16:
    case DataType::kUint16:
    case DataType::kInt4:
    case DataType::kUint4:
      return 21;
    case DataType::kFloat4E2M1:
      return 23;
    case DataType::kInt2:
    case DataType::kUint2:
      return 25;
    default:
      return 0;
  }
}

bool IsScaleType(DataType t, int opset) {
  return t == DataType::kFloat32 || t == DataType::kFloat16 || t == DataType::kBFloat16 ||
         t == DataType::kFloat64 /* float64 mode */ || (t == DataType::kFloat8E8M0 && opset >= 24);
}

struct IntRange {
  double lo, hi;
};

std::optional<IntRange> IntegerRange(DataType t) {
  switch (t) {
    case DataType::kInt8:
      return IntRange{-128, 127};
    case DataType::kUint8:
      return IntRange{0, 255};
    case DataType::kInt16:
      return IntRange{-32768, 32767};
    case DataType::kUint16:
      return IntRange{0, 65535};
    case DataType::kInt32:
      return IntRange{-2147483648.0, 2147483647.0};
    case DataType::kInt4:
      return IntRange{-8, 7};
    case DataType::kUint4:
      return IntRange{0, 15};
    case DataType::kInt2:
      return IntRange{-2, 1};
    case DataType::kUint2:
      return IntRange{0, 3};
    default:
      return std::nullopt;
  }
}

std::string Name(DataType t) { return std::string(DataTypeName(t)); }

// x, the scale and an optional zero point, all tensors.
Status RequireInputs(const KernelContext& ctx) {
  CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
  for (int i = 0; i < 3; ++i) {
    if (i < 2 || ctx.has_input(i)) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  }
  return Status::Ok();
}

// Which scale element each element of x uses: per tensor, per axis or per block.
class Granularity {
 public:
  Status Prepare(const KernelContext& ctx, const Tensor& x, const Tensor& scale,
                 const Tensor* zero_point) {
    block_ = ctx.opset() >= 21 ? ctx.attr_int("block_size", 0) : 0;
    x_shape_ = x.shape();
    if (zero_point != nullptr && zero_point->shape() != scale.shape()) {
      return InvalidArgument("zero point shape " + ShapeToString(zero_point->shape()) +
                             " differs from scale shape " + ShapeToString(scale.shape()));
    }
    if (block_ < 0) return InvalidArgument("block_size is negative");
    if (block_ == 0 && scale.num_elements() == 1 && scale.rank() <= 1) {
      kind_ = Kind::kTensor;
      return Status::Ok();
    }
    int64_t axis = ctx.attr_int("axis", 1);
    if (axis < -x.rank() || axis >= x.rank()) {
      return InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " +
                             std::to_string(x.rank()));
    }
    axis_ = axis < 0 ? axis + x.rank() : axis;
    if (block_ == 0) {
      if (scale.rank() != 1 || scale.shape()[0] != x.shape()[axis_]) {
        return InvalidArgument("scale has shape " + ShapeToString(scale.shape()) +
                               ", expected a scalar or [" + std::to_string(x.shape()[axis_]) +
                               "] for axis " + std::to_string(axis_));
      }
      kind_ = Kind::kAxis;
      return Status::Ok();
    }
    Shape expected = x.shape();
    expected[axis_] = (x.shape()[axis_] + block_ - 1) / block_;
    if (scale.shape() != expected) {
      return InvalidArgument("scale has shape " + ShapeToString(scale.shape()) + ", expected " +
                             ShapeToString(expected) + " for block_size " + std::to_string(block_) +
                             " on axis " + std::to_string(axis_));
    }
    scale_shape_ = expected;
    kind_ = Kind::kBlock;
    return Status::Ok();
  }

  int64_t Index(int64_t i) const {
    if (kind_ == Kind::kTensor) return 0;
    int64_t inner = 1;
    for (size_t d = axis_ + 1; d < x_shape_.size(); ++d) inner *= x_shape_[d];
    if (kind_ == Kind::kAxis) return (i / inner) % x_shape_[axis_];
    // Blocked: the coordinates of i with the axis coordinate divided by the block size.
    int64_t index = 0, stride = 1, rest = i;
    std::vector<int64_t> coord(x_shape_.size());
    for (int64_t d = static_cast<int64_t>(x_shape_.size()) - 1; d >= 0; --d) {
      coord[d] = rest % x_shape_[d];
      rest /= x_shape_[d];
    }
    for (int64_t d = static_cast<int64_t>(x_shape_.size()) - 1; d >= 0; --d) {
      const int64_t c = d == static_cast<int64_t>(axis_) ? coord[d] / block_ : coord[d];
      index += c * stride;
      stride *= scale_shape_[d];
    }
    return index;
  }

 private:
  enum class Kind { kTensor, kAxis, kBlock };
  Kind kind_ = Kind::kTensor;
  int64_t block_ = 0;
  size_t axis_ = 0;
  Shape x_shape_, scale_shape_;
};

class QuantizeLinear19 final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(RequireInputs(ctx));
    const int opset = ctx.opset();
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    if (!IsFloatingPoint(x.dtype()) && x.dtype() != DataType::kInt32) {
      return InvalidArgument("QuantizeLinear x must be float or int32, got " + Name(x.dtype()));
    }
    if (!IsScaleType(scale.dtype(), opset)) {
      return InvalidArgument("QuantizeLinear y_scale cannot be " + Name(scale.dtype()) +
                             " at opset " + std::to_string(opset));
    }
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    out_type_ = zp != nullptr ? zp->dtype() : DataType::kUint8;
    if (opset >= 21 && ctx.attr_int("output_dtype", 0) != 0) {
      const auto declared =
          DataTypeFromOnnxCode(static_cast<int32_t>(ctx.attr_int("output_dtype", 0)));
      if (!declared || (zp != nullptr && *declared != zp->dtype())) {
        return InvalidArgument("output_dtype " + std::to_string(ctx.attr_int("output_dtype", 0)) +
                               " is not the zero point's type");
      }
      out_type_ = *declared;
    }
    const int first = FirstQuantizedOpset(out_type_);
    if (first == 0 || first > opset) {
      return InvalidArgument("QuantizeLinear cannot quantize to " + Name(out_type_) + " at opset " +
                             std::to_string(opset));
    }
    saturate_ = ctx.attr_int("saturate", 1) != 0;
    // The division's type: `precision` (23+), else the scale's.
    divide_in_float_ = scale.dtype() == DataType::kFloat32;
    if (opset >= 23 && ctx.attr_int("precision", 0) != 0) {
      const auto p = DataTypeFromOnnxCode(static_cast<int32_t>(ctx.attr_int("precision", 0)));
      if (!p || !IsFloatingPoint(*p)) {
        return InvalidArgument("precision " + std::to_string(ctx.attr_int("precision", 0)) +
                               " is not a float type");
      }
      divide_in_float_ = ctx.ComputeType(*p) == DataType::kFloat32;
    }
    CC_RETURN_IF_ERROR(params_.Prepare(ctx, x, scale, zp));
    ctx.SetOutput(0, out_type_, x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    Tensor& y = ctx.output(0);
    const std::optional<IntRange> range = IntegerRange(out_type_);
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const int64_t p = params_.Index(i);
      const double s = scale.GetAsDouble(p);
      const double z = zp != nullptr ? zp->GetAsDouble(p) : 0.0;
      const double q =
          divide_in_float_
              ? static_cast<double>(static_cast<float>(x.GetAsDouble(i)) / static_cast<float>(s))
              : x.GetAsDouble(i) / s;
      if (range) {
        double v = std::isnan(q) ? 0.0 : std::nearbyint(q) + z;
        v = std::clamp(v, range->lo, range->hi);
        y.SetFromDouble(i, v);
      } else {
        static_cast<uint8_t*>(y.mutable_raw_data())[i] =
            DoubleToSmallType(out_type_, q + z, saturate_);
      }
    }
    return Status::Ok();
  }

 private:
  DataType out_type_ = DataType::kUint8;
  bool saturate_ = true, divide_in_float_ = true;
  Granularity params_;
};

class DequantizeLinear19 final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(RequireInputs(ctx));
    const int opset = ctx.opset();
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const int first = x.dtype() == DataType::kInt32 ? 10 : FirstQuantizedOpset(x.dtype());
    if (first == 0 || first > opset) {
      return InvalidArgument("DequantizeLinear cannot take " + Name(x.dtype()) + " at opset " +
                             std::to_string(opset));
    }
    if (!IsScaleType(scale.dtype(), opset)) {
      return InvalidArgument("DequantizeLinear x_scale cannot be " + Name(scale.dtype()) +
                             " at opset " + std::to_string(opset));
    }
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (zp != nullptr && zp->dtype() != x.dtype()) {
      return InvalidArgument("x_zero_point is " + Name(zp->dtype()) + " but x is " +
                             Name(x.dtype()));
    }
    DataType out = scale.dtype();
    if (out == DataType::kFloat8E8M0) out = ctx.ComputeType(DataType::kFloat32);
    if (opset >= 23 && ctx.attr_int("output_dtype", 0) != 0) {
      const auto declared =
          DataTypeFromOnnxCode(static_cast<int32_t>(ctx.attr_int("output_dtype", 0)));
      if (!declared || !IsFloatingPoint(*declared)) {
        return InvalidArgument("output_dtype " + std::to_string(ctx.attr_int("output_dtype", 0)) +
                               " is not a float type");
      }
      out = ctx.ComputeType(*declared);
    }
    CC_RETURN_IF_ERROR(params_.Prepare(ctx, x, scale, zp));
    ctx.SetOutput(0, out, x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    reduction::Dequantize(
        x, scale, zp, [this](int64_t i) { return params_.Index(i); }, ctx.output(0));
    return Status::Ok();
  }

 private:
  Granularity params_;
};

}  // namespace

std::unique_ptr<Kernel> MakeQuantizeLinear19() { return std::make_unique<QuantizeLinear19>(); }
std::unique_ptr<Kernel> MakeDequantizeLinear19() { return std::make_unique<DequantizeLinear19>(); }

}  // namespace convcheck::interp
