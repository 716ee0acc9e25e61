//===- interp/kernels/math/variadic.cc - Sum, Mean, Max, Min --------------===//
//
// Elementwise over 1..N inputs of one type. Opsets 6-7 require every input to have the same
// shape; opset 8 introduced multidirectional broadcasting across all inputs. Sum and Mean take
// floating types; Max and Min also take integers from opset 12 (13 adds bfloat16 everywhere).
//
// Numerics: Sum and Mean accumulate in double for every floating type and round once (numpy
// rounds after each addition in the element type; the difference is within tolerance and ours
// is the more exact). Max and Min propagate NaN, like numpy's maximum/minimum.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

enum class Variadic { kSum, kMean, kMax, kMin };

const char* VariadicName(Variadic kind) {
  switch (kind) {
    case Variadic::kSum: return "Sum";
    case Variadic::kMean: return "Mean";
    case Variadic::kMax: return "Max";
    case Variadic::kMin: return "Min";
  }
  return "";
}

class VariadicKernel final : public Kernel {
 public:
  VariadicKernel(Variadic kind, bool broadcast) : kind_(kind), broadcast_(broadcast) {}

  Status Prepare(KernelContext& ctx) override {
    const char* name = VariadicName(kind_);
    if (ctx.num_inputs() < 1) return InvalidArgument(std::string(name) + " needs at least 1 input");
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, ctx.num_inputs(), 1, 1));
    std::vector<Shape> shapes;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      const Tensor& t = ctx.input(i);
      if (t.dtype() != ctx.input(0).dtype()) {
        return InvalidArgument(std::string(name) + " input " + std::to_string(i) + " has type " +
                               std::string(DataTypeName(t.dtype())) + " but input 0 has " +
                               std::string(DataTypeName(ctx.input(0).dtype())));
      }
      if (!broadcast_ && t.shape() != ctx.input(0).shape()) {
        return InvalidArgument(std::string(name) + " before opset 8 needs equal shapes, input " +
                               std::to_string(i) + " has " + ShapeToString(t.shape()) +
                               " but input 0 has " + ShapeToString(ctx.input(0).shape()));
      }
      shapes.push_back(t.shape());
    }
    const DataType dtype = ctx.input(0).dtype();
    const bool integers_allowed =
        (kind_ == Variadic::kMax || kind_ == Variadic::kMin) && ctx.opset() >= 12;
    if (!IsFloatingPoint(dtype) && !(integers_allowed && IsInteger(dtype))) {
      return InvalidArgument(std::string(name) + " does not accept " +
                             std::string(DataTypeName(dtype)) + " inputs at opset " +
                             std::to_string(ctx.opset()));
    }
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(shapes));
    ctx.SetOutput(0, dtype, shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    return Dispatch<CC_NUMERIC_TYPES>(y.dtype(), [&]<typename T>() {
      using W = math::WideT<T>;
      const int n_inputs = ctx.num_inputs();
      std::vector<const T*> data;
      std::vector<Shape> shapes;
      for (int k = 0; k < n_inputs; ++k) {
        data.push_back(ctx.input(k).Data<T>());
        shapes.push_back(ctx.input(k).shape());
      }
      T* out = y.MutableData<T>();
      BroadcastIndex index(y.shape(), shapes);
      for (int64_t i = 0; i < y.num_elements(); ++i, index.Next()) {
        W acc = math::LoadWide(data[0][index[0]]);
        for (int k = 1; k < n_inputs; ++k) acc = Combine<W>(acc, math::LoadWide(data[k][index[k]]));
        if (kind_ == Variadic::kMean) acc = static_cast<W>(acc / static_cast<W>(n_inputs));
        out[i] = math::StoreWide<T>(acc);
      }
      return Status::Ok();
    });
  }

 private:
  template <typename W>
  W Combine(W acc, W v) const {
    switch (kind_) {
      case Variadic::kSum:
      case Variadic::kMean:
        return static_cast<W>(acc + v);
      case Variadic::kMax:
      case Variadic::kMin:
        if constexpr (std::is_floating_point_v<W>) {
          if (std::isnan(acc) || std::isnan(v)) return std::isnan(acc) ? acc : v;
        }
        if (kind_ == Variadic::kMax) return v > acc ? v : acc;
        return v < acc ? v : acc;
    }
    return acc;
  }

  const Variadic kind_;
  const bool broadcast_;
};

}  // namespace

std::unique_ptr<Kernel> MakeMaxSameShape() {
  return std::make_unique<VariadicKernel>(Variadic::kMax, /*broadcast=*/false);
}
std::unique_ptr<Kernel> MakeMax() {
  return std::make_unique<VariadicKernel>(Variadic::kMax, /*broadcast=*/true);
}
std::unique_ptr<Kernel> MakeMeanSameShape() {
  return std::make_unique<VariadicKernel>(Variadic::kMean, /*broadcast=*/false);
}
std::unique_ptr<Kernel> MakeMean() {
  return std::make_unique<VariadicKernel>(Variadic::kMean, /*broadcast=*/true);
}
std::unique_ptr<Kernel> MakeMinSameShape() {
  return std::make_unique<VariadicKernel>(Variadic::kMin, /*broadcast=*/false);
}
std::unique_ptr<Kernel> MakeMin() {
  return std::make_unique<VariadicKernel>(Variadic::kMin, /*broadcast=*/true);
}
std::unique_ptr<Kernel> MakeSumSameShape() {
  return std::make_unique<VariadicKernel>(Variadic::kSum, /*broadcast=*/false);
}
std::unique_ptr<Kernel> MakeSum() {
  return std::make_unique<VariadicKernel>(Variadic::kSum, /*broadcast=*/true);
}

}  // namespace convcheck::interp
