//===- interp/kernels/tensor/slice.cc - Slice -----------------------------===//
//
// Slice 1-9 takes starts/ends/axes as attributes (steps are 1); 10+ takes them as inputs
// (starts, ends, optional axes, optional steps; int32 or int64), negative axes from 11 (accepted
// at 10 too). Per axis, following the spec's clamping rules (opset 13 text):
//   start, end: add the dimension if negative, then
//     step > 0: clamp start and end to [0, dim]
//     step < 0: clamp start to [0, dim - 1] and end to [-1, dim - 1]
//   length = max(0, ceil((end - start) / step))
// so INT64_MAX / INT64_MIN as "to the end" work. A zero step or a repeated axis is an error.
// The copy is one strided walk (negative strides for negative steps).
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class Slice final : public Kernel {
 public:
  explicit Slice(bool from_inputs) : from_inputs_(from_inputs) {}

  Status Prepare(KernelContext& ctx) override {
    std::vector<int64_t> starts, ends, axes, steps;
    bool has_axes = false, has_steps = false;
    if (from_inputs_) {
      CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 5, 1, 1));
      for (int i = 0; i < 3; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      CC_ASSIGN_OR_RETURN(starts, ReadInt64s(ctx.input(1), "starts"));
      CC_ASSIGN_OR_RETURN(ends, ReadInt64s(ctx.input(2), "ends"));
      if (ctx.has_input(3)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(3));
        CC_ASSIGN_OR_RETURN(axes, ReadInt64s(ctx.input(3), "axes"));
        has_axes = true;
      }
      if (ctx.has_input(4)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(4));
        CC_ASSIGN_OR_RETURN(steps, ReadInt64s(ctx.input(4), "steps"));
        has_steps = true;
      }
    } else {
      CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
      CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
      if (!ctx.has_attr("starts") || !ctx.has_attr("ends")) {
        return InvalidArgument("starts and ends attributes are required");
      }
      starts = ctx.attr_ints("starts");
      ends = ctx.attr_ints("ends");
      has_axes = ctx.has_attr("axes");
      axes = ctx.attr_ints("axes");
    }
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    const size_t n = starts.size();
    if (ends.size() != n) {
      return InvalidArgument("starts has " + std::to_string(n) + " entries but ends has " +
                             std::to_string(ends.size()));
    }
    if (!has_axes) {
      axes.clear();
      for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (!has_steps) steps.assign(n, 1);
    if (axes.size() != n || steps.size() != n) {
      return InvalidArgument("starts has " + std::to_string(n) + " entries but axes has " +
                             std::to_string(axes.size()) + " and steps " +
                             std::to_string(steps.size()));
    }

    const Shape& in = x.shape();
    const std::vector<int64_t> in_strides = Strides(in);
    Shape out_shape = in;
    strides_ = in_strides;
    base_ = 0;
    std::vector<bool> seen(rank, false);
    for (size_t i = 0; i < n; ++i) {
      CC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axes[i], rank));
      if (seen[axis]) return InvalidArgument("axes " + ListToString(axes) + " has a duplicate");
      seen[axis] = true;
      const int64_t step = steps[i];
      if (step == 0) return InvalidArgument("steps " + ListToString(steps) + " has a zero");
      const int64_t dim = in[axis];
      int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
      int64_t len = 0;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        if (end > start) len = (end - start + step - 1) / step;
      } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        if (start > end) len = (start - end + (-step) - 1) / (-step);
      }
      if (dim == 0) len = 0;
      out_shape[axis] = len;
      if (len > 0) base_ += start * in_strides[axis];
      strides_[axis] = in_strides[axis] * step;
    }
    ctx.SetOutput(0, x.dtype(), out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    return DispatchMove(x.dtype(), [&]<typename T>() {
      StridedCopy<T>(Elems<T>(x), base_, y.shape(), strides_, MutableElems<T>(y));
      return Status::Ok();
    });
  }

 private:
  const bool from_inputs_;
  int64_t base_ = 0;              // Flat input index of the first output element.
  std::vector<int64_t> strides_;  // Input stride per output dimension (times step).
};

}  // namespace

std::unique_ptr<Kernel> MakeSliceAttrs() { return std::make_unique<Slice>(/*from_inputs=*/false); }
std::unique_ptr<Kernel> MakeSlice() { return std::make_unique<Slice>(/*from_inputs=*/true); }

}  // namespace convcheck::interp
