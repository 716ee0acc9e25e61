//===- interp/kernels/math/clip.cc - Clip ---------------------------------===//
//
// y = min(max(x, min), max).
// Opsets 6-10: `min` and `max` are float attributes (defaults -/+ FLT_MAX), floating types only.
// Opsets 11+: `min` and `max` are optional scalar inputs of x's type (absent = unbounded); 12
// adds integer types, 13 bfloat16.
//
// Numerics: comparisons in the element type (float for the half types, exact), so a result is
// always one of x, min or max. When min > max every element becomes max (max is applied last,
// as the spec states from opset 13 and numpy's clip does). NaN in x stays NaN.
//
//===----------------------------------------------------------------------===//
#include <cfloat>
#include <string>

#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

class Clip final : public Kernel {
 public:
  explicit Clip(bool bounds_are_inputs) : bounds_are_inputs_(bounds_are_inputs) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, bounds_are_inputs_ ? 3 : 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    const bool integers_allowed = bounds_are_inputs_ && ctx.opset() >= 12;
    if (!IsFloatingPoint(x.dtype()) && !(integers_allowed && IsInteger(x.dtype()))) {
      return InvalidArgument("Clip does not accept " + std::string(DataTypeName(x.dtype())) +
                             " input at opset " + std::to_string(ctx.opset()));
    }
    has_min_ = has_max_ = false;
    if (bounds_are_inputs_) {
      for (int i = 1; i <= 2; ++i) {
        if (!ctx.has_input(i)) continue;
        CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
        const Tensor& bound = ctx.input(i);
        const char* name = i == 1 ? "min" : "max";
        if (bound.dtype() != x.dtype()) {
          return InvalidArgument(std::string("Clip ") + name + " has type " +
                                 std::string(DataTypeName(bound.dtype())) + " but input has " +
                                 std::string(DataTypeName(x.dtype())));
        }
        // The spec says scalar; a one-element tensor of shape [1] is accepted as well, since
        // exporters emit it and its meaning is unambiguous.
        if (bound.num_elements() != 1) {
          return InvalidArgument(std::string("Clip ") + name + " must be a scalar, got shape " +
                                 ShapeToString(bound.shape()));
        }
        (i == 1 ? has_min_ : has_max_) = true;
      }
    } else {
      has_min_ = has_max_ = true;
      min_attr_ = ctx.attr_float("min", -FLT_MAX);
      max_attr_ = ctx.attr_float("max", FLT_MAX);
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    return Dispatch<CC_NUMERIC_TYPES>(x.dtype(), [&]<typename T>() {
      using W = math::WideT<T>;
      W lo{}, hi{};
      if (bounds_are_inputs_) {
        if (has_min_) lo = math::LoadWide(ctx.input(1).Data<T>()[0]);
        if (has_max_) hi = math::LoadWide(ctx.input(2).Data<T>()[0]);
      } else {
        lo = static_cast<W>(min_attr_);
        hi = static_cast<W>(max_attr_);
      }
      const T* in = x.Data<T>();
      T* out = y.MutableData<T>();
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        W v = math::LoadWide(in[i]);
        if (has_min_ && v < lo) v = lo;
        if (has_max_ && v > hi) v = hi;
        out[i] = math::StoreWide<T>(v);
      }
      return Status::Ok();
    });
  }

 private:
  const bool bounds_are_inputs_;
  bool has_min_ = false, has_max_ = false;  // Set by Prepare.
  float min_attr_ = 0, max_attr_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeClipWithAttributes() {
  return std::make_unique<Clip>(/*bounds_are_inputs=*/false);
}
std::unique_ptr<Kernel> MakeClip() { return std::make_unique<Clip>(/*bounds_are_inputs=*/true); }

}  // namespace convcheck::interp
