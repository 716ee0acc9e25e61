//===- interp/kernels/tensor/concat.cc - Concat and Split -----------------===//
//
// The two ops are inverses over an [outer, axis, inner] view of the tensors: Concat copies
// each input's [axis * inner] blocks side by side, Split copies them apart.
//
// Spec:
//  - Concat 4+ (negative axis from 11): all inputs have the same dtype and rank and agree
//    except along `axis`; zero-size inputs are allowed.
//  - Split 2-12: `split` attribute, 13+: optional `split` input (int64). Without it the
//    dimension is divided into equal parts, one per output; before opset 18 an uneven division
//    is invalid. 18 adds `num_outputs` (exclusive with `split`): parts of ceil(dim / n), the
//    last one smaller; without either, the outputs count as num_outputs. Negative axis from 11.
//    Zero-size parts are allowed.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class Concat final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, INT32_MAX, 1, 1));
    if (!ctx.has_attr("axis")) return InvalidArgument("axis attribute is required");
    for (int i = 0; i < ctx.num_inputs(); ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& first = ctx.input(0);
    const int64_t rank = first.rank();
    if (rank == 0) return InvalidArgument("cannot concatenate scalars");
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", 0), rank));
    Shape out = first.shape();
    out[axis_] = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != first.dtype()) {
        return InvalidArgument("input " + std::to_string(i) + " is " +
                               std::string(DataTypeName(t.dtype())) + " but input 0 is " +
                               std::string(DataTypeName(first.dtype())));
      }
      bool compatible = t.rank() == rank;
      for (int64_t d = 0; compatible && d < rank; ++d) {
        compatible = d == axis_ || t.shape()[d] == first.shape()[d];
      }
      if (!compatible) {
        return InvalidArgument("input " + std::to_string(i) + " has shape " +
                               ShapeToString(t.shape()) + " but input 0 has shape " +
                               ShapeToString(first.shape()) + " (axis " + std::to_string(axis_) +
                               ")");
      }
      out[axis_] += t.shape()[axis_];
    }
    ctx.SetOutput(0, first.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const Shape& out = y.shape();
    const int64_t outer = Product(out, 0, axis_);
    const int64_t inner = Product(out, axis_ + 1, static_cast<int64_t>(out.size()));
    const int64_t out_row = out[axis_] * inner;
    return DispatchMove(y.dtype(), [&]<typename T>() {
      T* dst = MutableElems<T>(y);
      int64_t column = 0;
      for (int i = 0; i < ctx.num_inputs(); ++i) {
        const Tensor& t = ctx.input(i);
        const T* src = Elems<T>(t);
        const int64_t row = t.shape()[axis_] * inner;
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t k = 0; k < row; ++k) dst[o * out_row + column + k] = src[o * row + k];
        }
        column += row;
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_ = 0;
};

class Split final : public Kernel {
 public:
  Split(bool split_input, bool num_outputs)
      : split_input_(split_input), num_outputs_(num_outputs) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, split_input_ ? 2 : 1, 1, INT32_MAX));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", 0), x.rank()));
    const int64_t dim = x.shape()[axis_];
    const int64_t parts = ctx.num_outputs();
    bool has_split = false;
    if (split_input_) {
      if (ctx.has_input(1)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
        CC_ASSIGN_OR_RETURN(sizes_, ReadInt64s(ctx.input(1), "split"));
        has_split = true;
      }
    } else if (ctx.has_attr("split")) {
      sizes_ = ctx.attr_ints("split");
      has_split = true;
    }
    if (num_outputs_ && ctx.has_attr("num_outputs")) {
      if (has_split) return InvalidArgument("split and num_outputs are both given");
      const int64_t n = ctx.attr_int("num_outputs", 0);
      if (n != parts) {
        return InvalidArgument("num_outputs is " + std::to_string(n) + " but the node has " +
                               std::to_string(parts) + " outputs");
      }
    }
    if (has_split) {
      if (static_cast<int64_t>(sizes_.size()) != parts) {
        return InvalidArgument("split " + ListToString(sizes_) + " has " +
                               std::to_string(sizes_.size()) + " entries but the node has " +
                               std::to_string(parts) + " outputs");
      }
      int64_t total = 0;
      for (int64_t s : sizes_) {
        if (s < 0) return InvalidArgument("split " + ListToString(sizes_) + " has a negative size");
        total += s;
      }
      if (total != dim) {
        return InvalidArgument("split " + ListToString(sizes_) + " sums to " +
                               std::to_string(total) + " but dimension " + std::to_string(axis_) +
                               " has size " + std::to_string(dim));
      }
    } else if (num_outputs_) {
      const int64_t chunk = (dim + parts - 1) / parts;
      sizes_.clear();
      for (int64_t i = 0, left = dim; i < parts; ++i) {
        sizes_.push_back(std::min(chunk, left));
        left -= sizes_.back();
      }
    } else {
      if (dim % parts != 0) {
        return InvalidArgument("dimension " + std::to_string(axis_) + " of size " +
                               std::to_string(dim) + " cannot be split into " +
                               std::to_string(parts) + " equal parts");
      }
      sizes_.assign(parts, dim / parts);
    }
    for (int64_t i = 0; i < parts; ++i) {
      Shape s = x.shape();
      s[axis_] = sizes_[i];
      // An output with an empty name is not wanted and not produced.
      if (ctx.has_output(static_cast<int>(i))) ctx.SetOutput(static_cast<int>(i), x.dtype(), s);
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape& in = x.shape();
    const int64_t outer = Product(in, 0, axis_);
    const int64_t inner = Product(in, axis_ + 1, static_cast<int64_t>(in.size()));
    const int64_t in_row = in[axis_] * inner;
    return DispatchMove(x.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(x);
      int64_t column = 0;
      for (size_t i = 0; i < sizes_.size(); ++i) {
        const int64_t row = sizes_[i] * inner;
        if (ctx.has_output(static_cast<int>(i))) {
          T* dst = MutableElems<T>(ctx.output(static_cast<int>(i)));
          for (int64_t o = 0; o < outer; ++o) {
            for (int64_t k = 0; k < row; ++k) dst[o * row + k] = src[o * in_row + column + k];
          }
        }
        column += row;
      }
      return Status::Ok();
    });
  }

 private:
  const bool split_input_, num_outputs_;
  int64_t axis_ = 0;
  std::vector<int64_t> sizes_;
};

}  // namespace

std::unique_ptr<Kernel> MakeConcat() { return std::make_unique<Concat>(); }
std::unique_ptr<Kernel> MakeSplitAttr() { return std::make_unique<Split>(false, false); }
std::unique_ptr<Kernel> MakeSplit() { return std::make_unique<Split>(true, false); }
std::unique_ptr<Kernel> MakeSplitNumOutputs() { return std::make_unique<Split>(true, true); }

}  // namespace convcheck::interp
