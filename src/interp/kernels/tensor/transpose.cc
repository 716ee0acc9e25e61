//===- interp/kernels/tensor/transpose.cc - Transpose ---------------------===//
//
// Transpose 1+ (bfloat16 from 13): output dimension i is input dimension perm[i]; perm defaults
// to the reversed dimensions. Any element type, moved without conversion.
//
//===----------------------------------------------------------------------===//
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class Transpose final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    std::vector<int64_t> perm = ctx.attr_ints("perm");
    if (!ctx.has_attr("perm")) {
      for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
    }
    if (static_cast<int64_t>(perm.size()) != rank) {
      return InvalidArgument("perm " + ListToString(perm) + " has " + std::to_string(perm.size()) +
                             " entries but the input rank is " + std::to_string(rank));
    }
    std::vector<bool> seen(rank, false);
    const std::vector<int64_t> in_strides = Strides(x.shape());
    Shape out_shape(rank);
    strides_.assign(rank, 0);
    for (int64_t i = 0; i < rank; ++i) {
      // Negative entries are not in the spec; reject them rather than guess.
      if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
        return InvalidArgument("perm " + ListToString(perm) + " is not a permutation of 0.." +
                               std::to_string(rank - 1));
      }
      seen[perm[i]] = true;
      out_shape[i] = x.shape()[perm[i]];
      strides_[i] = in_strides[perm[i]];
    }
    ctx.SetOutput(0, x.dtype(), out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    return DispatchMove(x.dtype(), [&]<typename T>() {
      StridedCopy<T>(Elems<T>(x), /*base=*/0, y.shape(), strides_, MutableElems<T>(y));
      return Status::Ok();
    });
  }

 private:
  std::vector<int64_t> strides_;  // Input stride of each output dimension.
};

}  // namespace

std::unique_ptr<Kernel> MakeTranspose() { return std::make_unique<Transpose>(); }

}  // namespace convcheck::interp
