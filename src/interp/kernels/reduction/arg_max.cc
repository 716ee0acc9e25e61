//===- interp/kernels/reduction/arg_max.cc - ArgMax and ArgMin -------------===//
//
// The int64 index of the largest (smallest) element along `axis` (default 0), with the axis kept
// as size 1 when keepdims=1 (default). Opsets 1-10 take a non-negative axis, 11 allows negative
// axes and 12 adds select_last_index (ties go to the last occurrence instead of the first); one
// class serves all of them since the later forms are supersets.
//
// Numerics: comparisons in the element type (float for float16/bfloat16). NaN wins like in
// numpy's argmax/argmin: the first NaN (the last with select_last_index). Reducing an axis of
// size 0 has no answer and is an error.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <memory>
#include <string>

#include "interp/kernel.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/reduction_util.h"

namespace convcheck::interp {
namespace {

class ArgExtreme final : public Kernel {
 public:
  explicit ArgExtreme(bool is_max) : is_max_(is_max) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    CC_RETURN_IF_ERROR(Dispatch<CC_NUMERIC_TYPES>(x.dtype(), []<typename T>() {
      return Status::Ok();
    }));
    if (x.rank() == 0) return InvalidArgument("input must have rank >= 1, got a scalar");
    CC_ASSIGN_OR_RETURN(int64_t axis, reduction::NormalizeAxis(ctx.attr_int("axis", 0), x.rank()));
    if (x.shape()[axis] == 0) {
      return InvalidArgument("cannot reduce axis " + std::to_string(axis) + " of size 0");
    }
    select_last_ = ctx.attr_int("select_last_index", 0) != 0;
    view_ = reduction::MakeAxisView(x.shape(), axis);
    Shape out_shape = x.shape();
    if (ctx.attr_int("keepdims", 1) != 0) {
      out_shape[axis] = 1;
    } else {
      out_shape.erase(out_shape.begin() + axis);
    }
    ctx.SetOutput(0, DataType::kInt64, out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    int64_t* y = ctx.output(0).MutableData<int64_t>();
    return Dispatch<CC_NUMERIC_TYPES>(x.dtype(), [&]<typename T>() {
      const T* data = x.Data<T>();
      for (int64_t outer = 0; outer < view_.outer; ++outer) {
        for (int64_t inner = 0; inner < view_.inner; ++inner) {
          const int64_t base = outer * view_.axis * view_.inner + inner;
          int64_t best = 0;
          auto best_value = Load(data[base]);
          for (int64_t k = 1; k < view_.axis; ++k) {
            const auto v = Load(data[base + k * view_.inner]);
            if (Better(v, best_value)) {
              best = k;
              best_value = v;
            }
          }
          y[outer * view_.inner + inner] = best;
        }
      }
      return Status::Ok();
    });
  }

 private:
  template <typename C>
  bool Better(C v, C best) const {
    if constexpr (std::is_floating_point_v<C>) {
      if (std::isnan(best)) return select_last_ && std::isnan(v);
      if (std::isnan(v)) return true;
    }
    if (v == best) return select_last_;
    return is_max_ ? v > best : v < best;
  }

  const bool is_max_;
  bool select_last_ = false;   // Set by Prepare.
  reduction::AxisView view_;  // Set by Prepare.
};

}  // namespace

std::unique_ptr<Kernel> MakeArgMax() { return std::make_unique<ArgExtreme>(/*is_max=*/true); }
std::unique_ptr<Kernel> MakeArgMin() { return std::make_unique<ArgExtreme>(/*is_max=*/false); }

}  // namespace convcheck::interp
