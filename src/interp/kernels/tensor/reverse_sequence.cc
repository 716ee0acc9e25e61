//===- interp/kernels/tensor/reverse_sequence.cc - ReverseSequence --------===//
//
// ReverseSequence 10+: input of rank >= 2 with a batch axis and a time axis (`batch_axis`
// default 1, `time_axis` default 0, each 0 or 1 and different). For batch b, the first
// sequence_lens[b] steps along the time axis are reversed and the rest copied. sequence_lens is
// a 1-D int64 tensor of batch size; a length outside [0, time size] is a data-dependent error.
//
//===----------------------------------------------------------------------===//
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class ReverseSequence final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& lens = ctx.input(1);
    if (x.rank() < 2) {
      return InvalidArgument("input must have rank >= 2, got shape " + ShapeToString(x.shape()));
    }
    batch_axis_ = ctx.attr_int("batch_axis", 1);
    time_axis_ = ctx.attr_int("time_axis", 0);
    if ((batch_axis_ != 0 && batch_axis_ != 1) || (time_axis_ != 0 && time_axis_ != 1) ||
        batch_axis_ == time_axis_) {
      return InvalidArgument("batch_axis " + std::to_string(batch_axis_) + " and time_axis " +
                             std::to_string(time_axis_) + " must be 0 and 1 in some order");
    }
    if (lens.dtype() != DataType::kInt64 || lens.rank() != 1 ||
        lens.shape()[0] != x.shape()[batch_axis_]) {
      return InvalidArgument("sequence_lens must be 1-D int64 of the batch size " +
                             std::to_string(x.shape()[batch_axis_]) + ", got " +
                             std::string(DataTypeName(lens.dtype())) +
                             ShapeToString(lens.shape()));
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t* lens = ctx.input(1).Data<int64_t>();
    Tensor& y = ctx.output(0);
    const std::vector<int64_t> strides = Strides(x.shape());
    const int64_t batch = x.shape()[batch_axis_];
    const int64_t time = x.shape()[time_axis_];
    const int64_t inner = Product(x.shape(), 2, x.rank());  // Both axes are 0 and 1.
    for (int64_t b = 0; b < batch; ++b) {
      if (lens[b] < 0 || lens[b] > time) {
        return InvalidArgument("sequence_lens[" + std::to_string(b) + "] = " +
                               std::to_string(lens[b]) + " is out of range [0, " +
                               std::to_string(time) + "]");
      }
    }
    return DispatchMove(x.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(x);
      T* dst = MutableElems<T>(y);
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t t = 0; t < time; ++t) {
          const int64_t from_t = t < lens[b] ? lens[b] - 1 - t : t;
          const int64_t to = b * strides[batch_axis_] + t * strides[time_axis_];
          const int64_t from = b * strides[batch_axis_] + from_t * strides[time_axis_];
          for (int64_t j = 0; j < inner; ++j) dst[to + j] = src[from + j];
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t batch_axis_ = 1;
  int64_t time_axis_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeReverseSequence() { return std::make_unique<ReverseSequence>(); }

}  // namespace convcheck::interp
