//===- interp/kernels/tensor/expand.cc - Expand and Tile ------------------===//
//
// Both make a bigger tensor by repeating the input:
//  - Expand 8+ (bfloat16 from 13): the output shape is the multidirectional (numpy) broadcast
//    of the input shape and the `shape` input, so a 1 in `shape` keeps the input dimension and
//    `shape` may have a lower rank than the input. A strided copy with stride 0 along
//    broadcast dimensions.
//  - Tile 6+ (bfloat16 from 13): output dimension d is input dimension d times repeats[d];
//    repeats is a 1-D int64 tensor with one non-negative entry per input dimension.
//
//===----------------------------------------------------------------------===//
#include <memory>

#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class Expand final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    if (ctx.input(1).dtype() != DataType::kInt64 || ctx.input(1).rank() != 1) {
      return InvalidArgument("shape must be a 1-D int64 tensor, got " +
                             std::string(DataTypeName(ctx.input(1).dtype())) +
                             ShapeToString(ctx.input(1).shape()));
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ReadInt64s(ctx.input(1), "shape"));
    for (int64_t d : shape) {
      if (d < 0) return InvalidArgument("shape " + ListToString(shape) + " has a negative dimension");
    }
    CC_ASSIGN_OR_RETURN(Shape out, BroadcastShapes({x.shape(), shape}));
    // Input strides aligned to the output's trailing dimensions, 0 where the input is 1.
    const std::vector<int64_t> in_strides = Strides(x.shape());
    const size_t lead = out.size() - x.shape().size();
    strides_.assign(out.size(), 0);
    for (size_t d = 0; d < x.shape().size(); ++d) {
      strides_[lead + d] = x.shape()[d] == 1 ? 0 : in_strides[d];
    }
    ctx.SetOutput(0, x.dtype(), out);
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
  std::vector<int64_t> strides_;
};

class Tile final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> repeats, ReadInt64s(ctx.input(1), "repeats"));
    if (ctx.input(1).rank() != 1 || static_cast<int64_t>(repeats.size()) != x.rank()) {
      return InvalidArgument("repeats has shape " + ShapeToString(ctx.input(1).shape()) +
                             " but must be 1-D with one entry per input dimension (" +
                             std::to_string(x.rank()) + ")");
    }
    Shape out = x.shape();
    for (size_t d = 0; d < out.size(); ++d) {
      if (repeats[d] < 0) {
        return InvalidArgument("repeats " + ListToString(repeats) + " has a negative entry");
      }
      out[d] *= repeats[d];
    }
    ctx.SetOutput(0, x.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const Shape& in = x.shape();
    const Shape& out = y.shape();
    const int64_t rank = x.rank();
    const std::vector<int64_t> in_strides = Strides(in);
    return DispatchMove(x.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(x);
      T* dst = MutableElems<T>(y);
      const int64_t n = y.num_elements();
      // An odometer over the output; each input coordinate is the output's modulo the input
      // dimension, tracked incrementally.
      std::vector<int64_t> in_coord(rank, 0), out_coord(rank, 0);
      int64_t offset = 0;
      for (int64_t o = 0; o < n; ++o) {
        dst[o] = src[offset];
        for (int64_t d = rank - 1; d >= 0; --d) {
          ++out_coord[d];
          if (++in_coord[d] == in[d]) {
            in_coord[d] = 0;
            offset -= in_strides[d] * (in[d] - 1);
          } else {
            offset += in_strides[d];
          }
          if (out_coord[d] < out[d]) break;
          out_coord[d] = 0;
          offset -= in_coord[d] * in_strides[d];
          in_coord[d] = 0;
        }
      }
      return Status::Ok();
    });
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeExpand() { return std::make_unique<Expand>(); }
std::unique_ptr<Kernel> MakeTile() { return std::make_unique<Tile>(); }

}  // namespace convcheck::interp
