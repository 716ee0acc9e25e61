//===- interp/kernels/reduction/quantize_linear.cc - Linear (de)quantization ===//
//
// QuantizeLinear (opsets 10+): y = saturate(round(x / y_scale) + y_zero_point), output type that
// of y_zero_point (uint8 when it is absent). DequantizeLinear (opsets 10+):
// y = (x - x_zero_point) * x_scale, output type that of x_scale. Opsets 10-12 quantize per
// tensor (scalar scale and zero point); from opset 13 a 1-D scale and zero point quantize per
// slice along `axis` (default 1). DynamicQuantizeLinear (opset 11+) computes a uint8 scale and
// zero point from the input's range (extended to include 0) and quantizes with them.
//
// Numerics: rounding is half to even (std::nearbyint in the default rounding mode) and results
// saturate to the output type. Quantization divides in the input's compute type (float for
// float32, as the numpy reference does, so results agree at .5 boundaries); dequantization
// multiplies in double and rounds once. A zero scale in DynamicQuantizeLinear (an all-zero
// input) gives zero point 0 and all-zero output rather than dividing by zero.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "interp/kernel.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/dequantize.h"
#include "interp/kernels/reduction/reduction_util.h"

namespace convcheck::interp {
namespace {

// Shared validation of (scale, zero point) against the quantized or real tensor x: either per
// tensor (one element each) or, from opset 13, per slice along `axis`.
struct QuantParams {
  bool per_axis = false;
  reduction::AxisView view;  // Of x, when per_axis.

  Status Prepare(const KernelContext& ctx, const Tensor& x, const Tensor& scale,
                 const Tensor* zero_point) {
    if (scale.num_elements() == 1 && scale.rank() <= 1) {
      per_axis = false;
    } else {
      if (ctx.opset() < 13) {
        return InvalidArgument("scale must be a scalar before opset 13, got shape " +
                               ShapeToString(scale.shape()));
      }
      if (scale.rank() != 1) {
        return InvalidArgument("scale must be a scalar or 1-D, got shape " +
                               ShapeToString(scale.shape()));
      }
      CC_ASSIGN_OR_RETURN(int64_t axis,
                          reduction::NormalizeAxis(ctx.attr_int("axis", 1), x.rank()));
      if (scale.shape()[0] != x.shape()[axis]) {
        return InvalidArgument("scale has " + std::to_string(scale.shape()[0]) +
                               " elements but axis " + std::to_string(axis) + " of the input has " +
                               std::to_string(x.shape()[axis]));
      }
      per_axis = true;
      view = reduction::MakeAxisView(x.shape(), axis);
    }
    if (zero_point != nullptr && zero_point->shape() != scale.shape() &&
        !(zero_point->num_elements() == 1 && scale.num_elements() == 1)) {
      return InvalidArgument("zero point shape " + ShapeToString(zero_point->shape()) +
                             " differs from scale shape " + ShapeToString(scale.shape()));
    }
    return Status::Ok();
  }

  /// The scale/zero-point index for element `i` of x.
  int64_t ParamIndex(int64_t i) const { return per_axis ? (i / view.inner) % view.axis : 0; }
};

class QuantizeLinear final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
    for (int i = 0; i < 3; ++i) {
      if (i < 2 || ctx.has_input(i)) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    }
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    if (x.dtype() != DataType::kInt32) {
      CC_RETURN_IF_ERROR(
          Dispatch<CC_FLOAT_TYPES>(x.dtype(), []<typename T>() { return Status::Ok(); }));
    }
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    out_type_ = zp != nullptr ? zp->dtype() : DataType::kUint8;
    if (out_type_ != DataType::kUint8 && out_type_ != DataType::kInt8) {
      return InvalidArgument("y_zero_point must be uint8 or int8, got " +
                             std::string(DataTypeName(out_type_)));
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
    return Dispatch<CC_FLOAT_TYPES, int32_t>(x.dtype(), [&]<typename T>() {
      // int32 input divides in double; floats in their compute type, like numpy.
      using C = std::conditional_t<kIsFloat<T>, ComputeT<T>, double>;
      const T* in = x.Data<T>();
      return Dispatch<uint8_t, int8_t>(out_type_, [&]<typename Q>() {
        Q* out = y.MutableData<Q>();
        for (int64_t i = 0; i < x.num_elements(); ++i) {
          const int64_t p = params_.ParamIndex(i);
          const C s = static_cast<C>(scale.GetAsDouble(p));
          const double z = zp != nullptr ? zp->GetAsDouble(p) : 0.0;
          const C q = static_cast<C>(Load(in[i])) / s;
          out[i] = reduction::SaturateRound<Q>(std::nearbyint(static_cast<double>(q)) + z);
        }
        return Status::Ok();
      });
    });
  }

 private:
  // Set by Prepare.
  DataType out_type_ = DataType::kUint8;
  QuantParams params_;
};

class DequantizeLinear final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
    for (int i = 0; i < 3; ++i) {
      if (i < 2 || ctx.has_input(i)) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    }
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Status x_type =
        Dispatch<uint8_t, int8_t, int32_t>(x.dtype(), []<typename T>() { return Status::Ok(); });
    CC_RETURN_IF_ERROR(x_type);
    CC_RETURN_IF_ERROR(
        Dispatch<CC_FLOAT_TYPES>(scale.dtype(), []<typename T>() { return Status::Ok(); }));
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (zp != nullptr && zp->dtype() != x.dtype()) {
      return InvalidArgument("x_zero_point is " + std::string(DataTypeName(zp->dtype())) +
                             " but x is " + std::string(DataTypeName(x.dtype())));
    }
    CC_RETURN_IF_ERROR(params_.Prepare(ctx, x, scale, zp));
    ctx.SetOutput(0, scale.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    reduction::Dequantize(
        x, scale, zp, [this](int64_t i) { return params_.ParamIndex(i); }, ctx.output(0));
    return Status::Ok();
  }

 private:
  QuantParams params_;  // Set by Prepare.
};

class DynamicQuantizeLinear final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 3, 3));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    CC_RETURN_IF_ERROR(
        Dispatch<CC_FLOAT_TYPES>(x.dtype(), []<typename T>() { return Status::Ok(); }));
    ctx.SetOutput(0, DataType::kUint8, x.shape());
    ctx.SetOutput(1, x.dtype(), {});
    ctx.SetOutput(2, DataType::kUint8, {});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      // The arithmetic follows the spec's formula step by step in the input's compute type.
      using C = ComputeT<T>;
      const T* in = x.Data<T>();
      C lo = 0, hi = 0;
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        const C v = Load(in[i]);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      const C scale = static_cast<C>(static_cast<double>(hi - lo) / 255.0);
      uint8_t zero_point = 0;
      if (scale != 0) {
        zero_point = reduction::SaturateRound<uint8_t>(static_cast<double>((C(0) - lo) / scale));
      }
      uint8_t* out = ctx.output(0).MutableData<uint8_t>();
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        const double q =
            scale != 0 ? std::nearbyint(static_cast<double>(Load(in[i]) / scale)) : 0.0;
        out[i] = reduction::SaturateRound<uint8_t>(q + zero_point);
      }
      ctx.output(1).MutableData<T>()[0] = Store<T>(scale);
      ctx.output(2).MutableData<uint8_t>()[0] = zero_point;
      return Status::Ok();
    });
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeQuantizeLinear() { return std::make_unique<QuantizeLinear>(); }
std::unique_ptr<Kernel> MakeDequantizeLinear() { return std::make_unique<DequantizeLinear>(); }
std::unique_ptr<Kernel> MakeDynamicQuantizeLinear() {
  return std::make_unique<DynamicQuantizeLinear>();
}

}  // namespace convcheck::interp
