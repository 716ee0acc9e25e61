//===- interp/kernels/tensor/onehot.cc - OneHot ---------------------------===//
//
// OneHot 9-10, 11+: indices of any numeric type, scalar `depth` (any numeric type, a scalar or
// one element) and values = [off_value, on_value] of any type. The output has the indices'
// shape with a new dimension of size depth inserted at `axis` (default -1, range [-r-1, r]);
// it is off_value except at each index's position, which is on_value.
//
// Indices are truncated toward zero (they may be floats). From opset 11 an index in
// [-depth, -1] counts from the end; at 9-10 only [0, depth) is valid. Out-of-range indices give
// an all-off row, as the spec says (not an error). depth is read as a double and truncated.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

bool IsRealNumeric(DataType t) { return IsFloatingPoint(t) || IsInteger(t); }

class OneHot final : public Kernel {
 public:
  explicit OneHot(bool negative_indices) : negative_indices_(negative_indices) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    for (int i = 0; i < 3; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& indices = ctx.input(0);
    const Tensor& depth = ctx.input(1);
    const Tensor& values = ctx.input(2);
    if (!IsRealNumeric(indices.dtype()) || !IsRealNumeric(depth.dtype())) {
      return InvalidArgument("indices and depth must be numeric, got " +
                             std::string(DataTypeName(indices.dtype())) + " and " +
                             std::string(DataTypeName(depth.dtype())));
    }
    if (depth.num_elements() != 1 || depth.rank() > 1) {
      return InvalidArgument("depth must be a scalar or have one element, got shape " +
                             ShapeToString(depth.shape()));
    }
    const double depth_value = depth.GetAsDouble(0);
    if (!(depth_value >= 1) || !std::isfinite(depth_value)) {
      return InvalidArgument("depth must be positive, got " + std::to_string(depth_value));
    }
    depth_ = static_cast<int64_t>(depth_value);
    if (values.num_elements() != 2 || values.rank() != 1) {
      return InvalidArgument("values must be [off_value, on_value], got shape " +
                             ShapeToString(values.shape()));
    }
    const int64_t rank = indices.rank();
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", -1), rank + 1));
    Shape out = indices.shape();
    out.insert(out.begin() + axis_, depth_);
    ctx.SetOutput(0, values.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    const Tensor& values = ctx.input(2);
    Tensor& y = ctx.output(0);
    const int64_t outer = Product(indices.shape(), 0, axis_);
    const int64_t inner = Product(indices.shape(), axis_, indices.rank());
    return DispatchMove(values.dtype(), [&]<typename T>() {
      const T off = Elems<T>(values)[0];
      const T on = Elems<T>(values)[1];
      T* out = MutableElems<T>(y);
      for (int64_t i = 0; i < y.num_elements(); ++i) out[i] = off;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t in = 0; in < inner; ++in) {
          const double raw = indices.GetAsDouble(o * inner + in);
          if (!std::isfinite(raw)) continue;
          int64_t index = static_cast<int64_t>(raw);
          if (negative_indices_ && index < 0 && index >= -depth_) index += depth_;
          if (index < 0 || index >= depth_) continue;
          out[(o * depth_ + index) * inner + in] = on;
        }
      }
      return Status::Ok();
    });
  }

 private:
  const bool negative_indices_;
  int64_t depth_ = 0;
  int64_t axis_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeOneHotNonNegative() {
  return std::make_unique<OneHot>(/*negative_indices=*/false);
}
std::unique_ptr<Kernel> MakeOneHot() { return std::make_unique<OneHot>(/*negative_indices=*/true); }

}  // namespace convcheck::interp
