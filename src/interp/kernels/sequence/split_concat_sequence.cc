//===- interp/kernels/sequence/split_concat_sequence.cc - Tensor <-> sequence ===//
//
// SplitToSequence and ConcatFromSequence, opset 11+ (unchanged through opset 17).
//
// SplitToSequence: `split` absent cuts the axis into pieces of size 1 and, with keepdims=0,
// drops the axis from each piece; a scalar `split` cuts pieces of that size (the last one may be
// smaller); a 1-D `split` gives each piece's size and must sum to the axis length. keepdims only
// applies when `split` is absent, as the spec says.
//
// ConcatFromSequence: concatenates along `axis` (range [-r, r-1]), or with new_axis=1 stacks
// along a new axis (range [-r-1, r]). An empty sequence is an error: the output shape would be
// undefined. Pure data movement, no numerics.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/sequence/tensor_blocks.h"

namespace convcheck::interp {
namespace {

class SplitToSequence final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (x.rank() == 0) return InvalidArgument("input must have rank >= 1, got a scalar");
    CC_ASSIGN_OR_RETURN(axis_,
                        tensor_blocks::NormalizeAxis(ctx.attr_int("axis", 0), x.rank(), "axis"));
    const int64_t dim = x.shape()[axis_];
    keep_axis_ = true;
    sizes_.clear();
    if (!ctx.has_input(1)) {
      sizes_.assign(static_cast<size_t>(dim), 1);
      keep_axis_ = ctx.attr_int("keepdims", 1) != 0;
      return Status::Ok();
    }
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& split = ctx.input(1);
    if (split.dtype() != DataType::kInt32 && split.dtype() != DataType::kInt64) {
      return InvalidArgument("split must be int32 or int64, got " +
                             std::string(DataTypeName(split.dtype())));
    }
    if (split.rank() == 0) {
      const int64_t size = static_cast<int64_t>(split.GetAsDouble(0));
      if (size <= 0) {
        return InvalidArgument("scalar split must be positive, got " + std::to_string(size));
      }
      for (int64_t start = 0; start < dim; start += size) {
        sizes_.push_back(std::min(size, dim - start));
      }
      return Status::Ok();
    }
    if (split.rank() != 1) {
      return InvalidArgument("split must be a scalar or 1-D, got shape " +
                             ShapeToString(split.shape()));
    }
    int64_t total = 0;
    for (int64_t i = 0; i < split.num_elements(); ++i) {
      const int64_t size = static_cast<int64_t>(split.GetAsDouble(i));
      if (size < 0) {
        return InvalidArgument("split entry " + std::to_string(i) + " is negative (" +
                               std::to_string(size) + ")");
      }
      sizes_.push_back(size);
      total += size;
    }
    if (total != dim) {
      return InvalidArgument("split sizes sum to " + std::to_string(total) +
                             " but axis " + std::to_string(axis_) + " has length " +
                             std::to_string(dim));
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<Tensor> pieces;
    int64_t start = 0;
    for (int64_t size : sizes_) {
      pieces.push_back(keep_axis_ ? tensor_blocks::SliceAxis(x, axis_, start, size)
                                  : tensor_blocks::TakeAlongAxis(x, axis_, start));
      start += size;
    }
    ctx.SetOutputValue(0, Value::FromSequence(std::move(pieces), x.dtype()));
    return Status::Ok();
  }

 private:
  int64_t axis_ = 0;
  bool keep_axis_ = true;
  std::vector<int64_t> sizes_;
};

class ConcatFromSequence final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    const Value& seq = ctx.input_value(0);
    if (!seq.is_sequence()) {
      return InvalidArgument("input is a " + seq.Describe() + ", expected a sequence");
    }
    if (!ctx.has_attr("axis")) return InvalidArgument("attribute 'axis' is required");
    if (seq.sequence().empty()) return InvalidArgument("cannot concatenate an empty sequence");
    new_axis_ = ctx.attr_int("new_axis", 0) != 0;
    const int64_t rank = seq.sequence()[0].rank();
    if (!new_axis_ && rank == 0) return InvalidArgument("cannot concatenate scalars without new_axis=1");
    CC_ASSIGN_OR_RETURN(axis_, tensor_blocks::NormalizeAxis(ctx.attr_int("axis", 0),
                                                            new_axis_ ? rank + 1 : rank, "axis"));
    std::vector<const Tensor*> items;
    for (const Tensor& t : seq.sequence()) items.push_back(&t);
    const std::string problem = tensor_blocks::CheckCompatible(items, new_axis_ ? -1 : axis_);
    if (!problem.empty()) return InvalidArgument(problem);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    std::vector<const Tensor*> items;
    for (const Tensor& t : ctx.input_value(0).sequence()) items.push_back(&t);
    ctx.SetOutputTensor(0, new_axis_ ? tensor_blocks::StackAxis(items, axis_)
                                     : tensor_blocks::ConcatAxis(items, axis_));
    return Status::Ok();
  }

 private:
  int64_t axis_ = 0;
  bool new_axis_ = false;
};

}  // namespace

std::unique_ptr<Kernel> MakeSplitToSequence() { return std::make_unique<SplitToSequence>(); }
std::unique_ptr<Kernel> MakeConcatFromSequence() { return std::make_unique<ConcatFromSequence>(); }

}  // namespace convcheck::interp
