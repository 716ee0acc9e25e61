//===- interp/kernels/tensor/tensor_scatter.cc - TensorScatter -------------===//
//
// TensorScatter 24+: a KV-cache write. present = past_cache with `update` written along `axis`
// (not 0, default -2) starting at write_indices[b] for batch b (int64 [B], default 0). update
// has the cache's shape except along axis (sequence_length <= max_sequence_length). mode
// "linear" needs write_indices[b] + sequence_length <= max_sequence_length; "circular" wraps the
// write position modulo max_sequence_length.
//
// Elements only move: every element type, no numerics.
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class TensorScatter final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& past = ctx.input(0);
    const Tensor& update = ctx.input(1);
    if (past.dtype() != update.dtype() || past.rank() != update.rank() || past.rank() < 2) {
      return InvalidArgument(
          "past_cache " + std::string(DataTypeName(past.dtype())) + ShapeToString(past.shape()) +
          " and update " + std::string(DataTypeName(update.dtype())) +
          ShapeToString(update.shape()) + " must have one type and one rank of at least 2");
    }
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", -2), past.rank()));
    if (axis_ == 0) return InvalidArgument("axis cannot be the batch dimension 0");
    for (int64_t d = 0; d < past.rank(); ++d) {
      if (d != axis_ && past.shape()[d] != update.shape()[d]) {
        return InvalidArgument("update " + ShapeToString(update.shape()) + " differs from " +
                               "past_cache " + ShapeToString(past.shape()) + " outside axis " +
                               std::to_string(axis_));
      }
    }
    if (update.shape()[axis_] > past.shape()[axis_]) {
      return InvalidArgument("update's sequence length " + std::to_string(update.shape()[axis_]) +
                             " exceeds the cache's " + std::to_string(past.shape()[axis_]));
    }
    const std::string mode = ctx.attr_string("mode", "linear");
    if (mode != "linear" && mode != "circular") {
      return InvalidArgument("mode '" + mode + "' is not linear or circular");
    }
    circular_ = mode == "circular";
    writes_.assign(static_cast<size_t>(past.shape()[0]), 0);
    if (ctx.has_input(2)) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
      CC_ASSIGN_OR_RETURN(writes_, ReadInt64s(ctx.input(2), "write_indices"));
      if (static_cast<int64_t>(writes_.size()) != past.shape()[0]) {
        return InvalidArgument("write_indices has " + std::to_string(writes_.size()) +
                               " entries, expected the batch size " +
                               std::to_string(past.shape()[0]));
      }
    }
    const int64_t max_seq = past.shape()[axis_], seq = update.shape()[axis_];
    for (size_t b = 0; b < writes_.size(); ++b) {
      if (writes_[b] < 0 || (!circular_ && writes_[b] + seq > max_seq)) {
        return InvalidArgument("write_indices[" + std::to_string(b) + "] = " +
                               std::to_string(writes_[b]) + " does not fit " + std::to_string(seq) +
                               " updates in a cache of " + std::to_string(max_seq));
      }
    }
    ctx.SetOutput(0, past.dtype(), past.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& past = ctx.input(0);
    const Tensor& update = ctx.input(1);
    Tensor& out = ctx.output(0);
    const Shape& shape = past.shape();
    const int64_t batch = shape[0];
    const int64_t mid = Product(shape, 1, axis_);  // Dimensions between batch and axis.
    const int64_t inner = Product(shape, axis_ + 1, past.rank());
    const int64_t max_seq = shape[axis_], seq = update.shape()[axis_];
    return DispatchMove(past.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(past);
      const T* upd = Elems<T>(update);
      T* dst = MutableElems<T>(out);
      for (int64_t i = 0; i < past.num_elements(); ++i) dst[i] = src[i];
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t m = 0; m < mid; ++m) {
          const int64_t outer = b * mid + m;
          for (int64_t s = 0; s < seq; ++s) {
            int64_t target = writes_[b] + s;
            if (circular_) target %= max_seq;
            for (int64_t k = 0; k < inner; ++k) {
              dst[(outer * max_seq + target) * inner + k] = upd[(outer * seq + s) * inner + k];
            }
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_ = 0;
  bool circular_ = false;
  std::vector<int64_t> writes_;
};

}  // namespace

std::unique_ptr<Kernel> MakeTensorScatter() { return std::make_unique<TensorScatter>(); }

}  // namespace convcheck::interp
