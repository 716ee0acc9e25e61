//===- interp/kernels/tensor/pad.cc - Pad ---------------------------------===//
//
// Pad 2-10 takes `pads` and the float `value` as attributes (float types only); 11+ takes pads
// as a 1-D int64 input [x1_begin, x2_begin, ..., x1_end, x2_end, ...] and an optional scalar
// `constant_value` input of the data type (default 0, false, or ""); 13 adds bfloat16, bool and
// string. Modes (as numpy.pad, which the spec's examples use):
//   constant  out-of-range positions take the constant
//   reflect   mirror without repeating the edge element: a b c | b a  (a size-1 dimension
//             repeats its element, as numpy does; pads wider than the dimension reflect again)
//   edge      repeat the edge element
//   wrap      (19+) continue periodically from the other side: b c | a b c | a b
// Negative pads remove elements. reflect, edge and wrap need a non-empty dimension to pad from.
// 18 adds the optional 4th input `axes` (int32/int64, negative counts from the back, no
// repeats): pads then has 2 * len(axes) entries and the other axes are not padded. 21, 23, 24
// and 25 only add element types (int4/uint4, float8, float4, int2/uint2), which move like any
// other byte: same kernel.
//
//===----------------------------------------------------------------------===//
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

class Pad final : public Kernel {
 public:
  // from_inputs: 11+. with_axes: 18+ (the `axes` input). with_wrap: 19+ (mode "wrap").
  Pad(bool from_inputs, bool with_axes, bool with_wrap)
      : from_inputs_(from_inputs), with_axes_(with_axes), with_wrap_(with_wrap) {}

  Status Prepare(KernelContext& ctx) override {
    std::vector<int64_t> pads;
    CC_RETURN_IF_ERROR(
        ctx.ExpectArity(from_inputs_ ? 2 : 1, from_inputs_ ? (with_axes_ ? 4 : 3) : 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    value_ = Tensor(x.dtype(), {});
    if (from_inputs_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
      CC_ASSIGN_OR_RETURN(pads, ReadInt64s(ctx.input(1), "pads"));
      if (ctx.has_input(2)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
        const Tensor& v = ctx.input(2);
        if (v.dtype() != x.dtype() || v.num_elements() != 1) {
          return InvalidArgument("constant_value must be one " +
                                 std::string(DataTypeName(x.dtype())) + " element, got " +
                                 std::string(DataTypeName(v.dtype())) + ShapeToString(v.shape()));
        }
        value_ = v.Reshaped({});
      }
    } else {
      if (!ctx.has_attr("pads")) return InvalidArgument("pads attribute is required");
      pads = ctx.attr_ints("pads");
      if (!IsFloatingPoint(x.dtype())) {
        return InvalidArgument("input must be floating-point before opset 11, got " +
                               std::string(DataTypeName(x.dtype())));
      }
      value_.SetFromDouble(0, ctx.attr_float("value", 0.0f));
    }
    const std::string mode = ctx.attr_string("mode", "constant");
    if (mode == "constant") {
      mode_ = PadMode::kConstant;
    } else if (mode == "reflect") {
      mode_ = PadMode::kReflect;
    } else if (mode == "edge") {
      mode_ = PadMode::kEdge;
    } else if (mode == "wrap" && with_wrap_) {
      mode_ = PadMode::kWrap;
    } else {
      return InvalidArgument("mode '" + mode + "' is not one of constant, reflect, edge" +
                             (with_wrap_ ? ", wrap" : ""));
    }
    const int64_t rank = x.rank();
    if (ctx.has_input(3)) {
      // Spread pads over the listed axes; the others get 0.
      CC_RETURN_IF_ERROR(ctx.RequireTensor(3));
      CC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadInt64s(ctx.input(3), "axes"));
      if (pads.size() != 2 * axes.size()) {
        return InvalidArgument("pads " + ListToString(pads) + " has " +
                               std::to_string(pads.size()) + " entries but axes " +
                               ListToString(axes) + " needs " + std::to_string(2 * axes.size()));
      }
      std::vector<int64_t> full(2 * rank, 0);
      std::vector<bool> seen(rank, false);
      for (size_t k = 0; k < axes.size(); ++k) {
        CC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axes[k], rank, "axes"));
        if (seen[axis]) return InvalidArgument("axes " + ListToString(axes) + " repeats an axis");
        seen[axis] = true;
        full[axis] = pads[k];
        full[axis + rank] = pads[k + axes.size()];
      }
      pads = std::move(full);
    }
    if (static_cast<int64_t>(pads.size()) != 2 * rank) {
      return InvalidArgument("pads " + ListToString(pads) + " has " + std::to_string(pads.size()) +
                             " entries but the input rank is " + std::to_string(rank) +
                             " (expected " + std::to_string(2 * rank) + ")");
    }
    Shape out(rank);
    maps_.assign(rank, {});
    for (int64_t d = 0; d < rank; ++d) {
      const int64_t n = x.shape()[d];
      const int64_t begin = pads[d];
      out[d] = n + begin + pads[d + rank];
      if (out[d] < 0) {
        return InvalidArgument("pads " + ListToString(pads) + " remove more than the " +
                               std::to_string(n) + " elements of dimension " + std::to_string(d));
      }
      if (mode_ != PadMode::kConstant && n == 0 && out[d] > 0) {
        return InvalidArgument("cannot pad empty dimension " + std::to_string(d) + " in " + mode +
                               " mode");
      }
      // maps_[d][o]: the input coordinate output coordinate o reads, -1 for the constant.
      maps_[d].resize(out[d]);
      for (int64_t o = 0; o < out[d]; ++o) {
        int64_t i = o - begin;
        if (i < 0 || i >= n) {
          if (mode_ == PadMode::kConstant) {
            i = -1;
          } else if (mode_ == PadMode::kEdge) {
            i = i < 0 ? 0 : n - 1;
          } else if (mode_ == PadMode::kWrap) {
            i %= n;
            if (i < 0) i += n;
          } else if (n == 1) {
            i = 0;
          } else {
            const int64_t period = 2 * (n - 1);
            i %= period;
            if (i < 0) i += period;
            if (i >= n) i = period - i;
          }
        }
        maps_[d][o] = i;
      }
    }
    ctx.SetOutput(0, x.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rank = x.rank();
    const std::vector<int64_t> strides = Strides(x.shape());
    const Shape& out = y.shape();
    return DispatchMove(x.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(x);
      const T pad_value = Elems<T>(value_)[0];
      T* dst = MutableElems<T>(y);
      std::vector<int64_t> coord(rank, 0);
      for (int64_t o = 0; o < y.num_elements(); ++o) {
        int64_t offset = 0;
        bool inside = true;
        for (int64_t d = 0; d < rank && inside; ++d) {
          const int64_t i = maps_[d][coord[d]];
          inside = i >= 0;
          offset += i * strides[d];
        }
        dst[o] = inside ? src[offset] : pad_value;
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++coord[d] < out[d]) break;
          coord[d] = 0;
        }
      }
      return Status::Ok();
    });
  }

 private:
  const bool from_inputs_, with_axes_, with_wrap_;
  PadMode mode_ = PadMode::kConstant;
  Tensor value_;                            // Rank 0, the data type.
  std::vector<std::vector<int64_t>> maps_;  // Per dimension: output -> input coordinate.
};

}  // namespace

std::unique_ptr<Kernel> MakePadAttrs() { return std::make_unique<Pad>(false, false, false); }
std::unique_ptr<Kernel> MakePad() { return std::make_unique<Pad>(true, false, false); }
std::unique_ptr<Kernel> MakePadAxes() { return std::make_unique<Pad>(true, true, false); }
std::unique_ptr<Kernel> MakePadWrap() { return std::make_unique<Pad>(true, true, true); }

}  // namespace convcheck::interp
