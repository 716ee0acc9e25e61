//===- interp/kernels/tensor/constant.cc - Constant, ConstantOfShape, EyeLike, Range ===//
//
// Ops that make a tensor from attributes and small inputs:
//  - Constant 1-11: the `value` tensor attribute (sparse_value, 11+, is not supported);
//    12+ exactly one of value, value_float(s) (float32), value_int(s) (int64),
//    value_string(s).
//  - ConstantOfShape 9+: shape from a 1-D int64 input (empty: a scalar), filled with the
//    one-element `value` tensor attribute (default float32 0).
//  - EyeLike 9+: a 2-D tensor shaped like the input, ones on diagonal `k` (0 main, >0 above),
//    of type `dtype` (default the input's).
//  - Range 11+: scalars start, limit, delta of one type (float, double, int16/32/64);
//    n = max(ceil((limit - start) / delta), 0) and y[i] = start + i * delta. Float values are
//    computed in double and rounded once; integers exactly (delta 0 is an error).
// Float64 mode: float constants and float `dtype`s become float64 (ctx.ComputeType).
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <memory>

#include "interp/executor.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

Tensor ToComputeType(const KernelContext& ctx, Tensor t) {
  const DataType type = ctx.ComputeType(t.dtype());
  return type == t.dtype() ? t : CastTensor(t, type);
}

class Constant final : public Kernel {
 public:
  explicit Constant(bool typed_attrs) : typed_attrs_(typed_attrs) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(0, 0, 1, 1));
    static constexpr const char* kNames[] = {"value",        "value_float",  "value_floats",
                                             "value_int",    "value_ints",   "value_string",
                                             "value_strings", "sparse_value"};
    std::string given;
    int count = 0;
    for (const char* name : kNames) {
      if (ctx.has_attr(name)) {
        given = name;
        ++count;
      }
    }
    if (count != 1) {
      return InvalidArgument("needs exactly one value attribute, got " + std::to_string(count));
    }
    if (given == "sparse_value") return Unimplemented("sparse_value is not supported");
    if (given != "value" && !typed_attrs_) {
      return InvalidArgument("attribute " + given + " needs opset 12");
    }
    const onnx::AttributeProto& a = *ctx.attr(given);
    if (given == "value") {
      CC_ASSIGN_OR_RETURN(value_, ctx.attr_tensor("value"));
    } else if (given == "value_float") {
      value_ = Tensor::Scalar<float>(a.f());
    } else if (given == "value_floats") {
      value_ = Tensor::FromVector<float>({a.floats_size()}, ctx.attr_floats(given));
    } else if (given == "value_int") {
      value_ = Tensor::Scalar<int64_t>(a.i());
    } else if (given == "value_ints") {
      value_ = Tensor::FromVector<int64_t>({a.ints_size()}, ctx.attr_ints(given));
    } else if (given == "value_string") {
      value_ = Tensor::Scalar<std::string>(a.s());
    } else {
      value_ = Tensor::FromVector<std::string>({a.strings_size()}, ctx.attr_strings(given));
    }
    value_ = ToComputeType(ctx, std::move(value_));
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    ctx.SetOutputTensor(0, value_);
    return Status::Ok();
  }

 private:
  const bool typed_attrs_;
  Tensor value_;
};

class ConstantOfShape final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& shape_in = ctx.input(0);
    if (shape_in.dtype() != DataType::kInt64 || shape_in.rank() != 1) {
      return InvalidArgument("input must be a 1-D int64 tensor, got " +
                             std::string(DataTypeName(shape_in.dtype())) +
                             ShapeToString(shape_in.shape()));
    }
    Shape shape(shape_in.Data<int64_t>(), shape_in.Data<int64_t>() + shape_in.num_elements());
    for (int64_t d : shape) {
      if (d < 0) return InvalidArgument("shape " + ListToString(shape) + " has a negative dimension");
    }
    if (ctx.has_attr("value")) {
      CC_ASSIGN_OR_RETURN(value_, ctx.attr_tensor("value"));
      if (value_.num_elements() != 1) {
        return InvalidArgument("value must have one element, got " +
                               std::to_string(value_.num_elements()));
      }
    } else {
      value_ = Tensor::Scalar<float>(0.0f);
    }
    if (value_.dtype() == DataType::kString) {
      return InvalidArgument("value of type string is not allowed");
    }
    value_ = ToComputeType(ctx, std::move(value_));
    ctx.SetOutput(0, value_.dtype(), shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    return DispatchMove(y.dtype(), [&]<typename T>() {
      const T v = Elems<T>(value_)[0];
      T* out = MutableElems<T>(y);
      for (int64_t i = 0; i < y.num_elements(); ++i) out[i] = v;
      return Status::Ok();
    });
  }

 private:
  Tensor value_;
};

class EyeLike final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2) {
      return InvalidArgument("input must be 2-D, got shape " + ShapeToString(x.shape()));
    }
    DataType type = x.dtype();
    if (ctx.has_attr("dtype")) {
      const int64_t code = ctx.attr_int("dtype", 0);
      std::optional<DataType> t = DataTypeFromOnnxCode(static_cast<int32_t>(code));
      if (!t) return InvalidArgument("dtype " + std::to_string(code) + " is not a known type");
      type = ctx.ComputeType(*t);
    }
    if (type == DataType::kString || type == DataType::kComplex64 ||
        type == DataType::kComplex128 || type == DataType::kUndefined) {
      return InvalidArgument("output type " + std::string(DataTypeName(type)) +
                             " is not allowed");
    }
    k_ = ctx.attr_int("k", 0);
    ctx.SetOutput(0, type, x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int64_t rows = y.shape()[0], cols = y.shape()[1];
    for (int64_t i = 0; i < rows; ++i) {
      const int64_t j = i + k_;
      if (j >= 0 && j < cols) y.SetFromDouble(i * cols + j, 1.0);
    }
    return Status::Ok();
  }

 private:
  int64_t k_ = 0;
};

class Range final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    for (int i = 0; i < 3; ++i) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      const Tensor& t = ctx.input(i);
      if (t.num_elements() != 1 || t.dtype() != ctx.input(0).dtype()) {
        return InvalidArgument("start, limit and delta must be scalars of one type, got " +
                               std::string(DataTypeName(ctx.input(0).dtype())) +
                               ShapeToString(ctx.input(0).shape()) + " and " +
                               std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
      }
    }
    const DataType type = ctx.input(0).dtype();
    int64_t n = 0;
    Status status = Dispatch<float, double, int16_t, int32_t, int64_t>(type, [&]<typename T>() {
      const T start = ctx.input(0).Data<T>()[0];
      const T limit = ctx.input(1).Data<T>()[0];
      const T delta = ctx.input(2).Data<T>()[0];
      if (delta == T(0)) return InvalidArgument("delta must not be zero");
      if constexpr (std::is_integral_v<T>) {
        // Exact integer ceil((limit - start) / delta).
        const int64_t span = static_cast<int64_t>(limit) - static_cast<int64_t>(start);
        const int64_t d = delta;
        int64_t q = span / d;
        if (q * d != span && ((span > 0) == (d > 0))) ++q;
        n = q;
      } else {
        const double q = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) /
                                   static_cast<double>(delta));
        if (!std::isfinite(q)) return InvalidArgument("range has no finite length");
        n = static_cast<int64_t>(q);
      }
      return Status::Ok();
    });
    CC_RETURN_IF_ERROR(status);
    ctx.SetOutput(0, type, {std::max<int64_t>(n, 0)});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    return Dispatch<float, double, int16_t, int32_t, int64_t>(y.dtype(), [&]<typename T>() {
      const T start = ctx.input(0).Data<T>()[0];
      const T delta = ctx.input(2).Data<T>()[0];
      T* out = y.MutableData<T>();
      for (int64_t i = 0; i < y.num_elements(); ++i) {
        if constexpr (std::is_integral_v<T>) {
          out[i] = static_cast<T>(static_cast<int64_t>(start) + i * static_cast<int64_t>(delta));
        } else {
          out[i] = static_cast<T>(static_cast<double>(start) +
                                  static_cast<double>(i) * static_cast<double>(delta));
        }
      }
      return Status::Ok();
    });
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeConstantValueOnly() {
  return std::make_unique<Constant>(/*typed_attrs=*/false);
}
std::unique_ptr<Kernel> MakeConstant() { return std::make_unique<Constant>(/*typed_attrs=*/true); }
std::unique_ptr<Kernel> MakeConstantOfShape() { return std::make_unique<ConstantOfShape>(); }
std::unique_ptr<Kernel> MakeEyeLike() { return std::make_unique<EyeLike>(); }
std::unique_ptr<Kernel> MakeRange() { return std::make_unique<Range>(); }

}  // namespace convcheck::interp
