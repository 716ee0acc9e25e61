//===- interp/kernels/tensor/compress.cc - Compress and NonZero -----------===//
//
// Two ops whose output shape depends on the data, so Compute sets whole outputs:
//  - Compress 9-10, 11+ (negative axis): keeps the slices along `axis` (or the elements of the
//    flattened input when axis is absent) whose 1-D bool `condition` entry is true. condition
//    may be shorter than the axis (missing entries are false); a true entry beyond the axis is a
//    data-dependent error, as numpy.compress raises.
//  - NonZero 9+ (bfloat16 from 13): int64 [rank, nnz] coordinates of the non-zero elements in
//    row-major order (numpy.nonzero). A scalar is treated as shape [1], as numpy does. Non-zero
//    means != 0 (NaN counts, -0.0 does not), true, a non-empty string, or a complex number with
//    a non-zero part.
//
//===----------------------------------------------------------------------===//
#include <complex>
#include <memory>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class Compress final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& condition = ctx.input(1);
    if (condition.dtype() != DataType::kBool || condition.rank() != 1) {
      return InvalidArgument("condition must be a 1-D bool tensor, got " +
                             std::string(DataTypeName(condition.dtype())) +
                             ShapeToString(condition.shape()));
    }
    has_axis_ = ctx.has_attr("axis");
    if (has_axis_) {
      if (ctx.input(0).rank() == 0) return InvalidArgument("input must have rank >= 1");
      CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", 0), ctx.input(0).rank()));
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& condition = ctx.input(1);
    // The flattened case is the axis case on an [n] view.
    const Shape in = has_axis_ ? x.shape() : Shape{x.num_elements()};
    const int64_t axis = has_axis_ ? axis_ : 0;
    const int64_t dim = in[axis];
    const bool* cond = condition.Data<bool>();
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < condition.num_elements(); ++i) {
      if (!cond[i]) continue;
      if (i >= dim) {
        return InvalidArgument("condition[" + std::to_string(i) +
                               "] is true but the axis has only " + std::to_string(dim) +
                               " entries");
      }
      kept.push_back(i);
    }
    Shape out_shape = in;
    out_shape[axis] = static_cast<int64_t>(kept.size());
    Tensor y(x.dtype(), out_shape);
    const int64_t outer = Product(in, 0, axis);
    const int64_t inner = Product(in, axis + 1, static_cast<int64_t>(in.size()));
    CC_RETURN_IF_ERROR(DispatchMove(x.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(x);
      T* dst = MutableElems<T>(y);
      int64_t o_index = 0;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t k : kept) {
          const T* from = src + (o * dim + k) * inner;
          for (int64_t j = 0; j < inner; ++j) dst[o_index++] = from[j];
        }
      }
      return Status::Ok();
    }));
    ctx.SetOutputTensor(0, std::move(y));
    return Status::Ok();
  }

 private:
  bool has_axis_ = false;
  int64_t axis_ = 0;
};

template <typename T>
bool IsNonZero(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return !v.empty();
  } else if constexpr (std::is_same_v<T, bool>) {
    return v;
  } else if constexpr (std::is_same_v<T, std::complex<float>> ||
                       std::is_same_v<T, std::complex<double>>) {
    return v.real() != 0 || v.imag() != 0;
  } else {
    return !(Load(v) == 0);  // NaN != 0.
  }
}

class NonZero final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    return ctx.RequireTensor(0);
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    std::vector<int64_t> hits;
    Status status = Dispatch<CC_ALL_TYPES, std::string, std::complex<float>,
                             std::complex<double>>(x.dtype(), [&]<typename T>() {
      const T* p = Elems<T>(x);
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        if (IsNonZero(p[i])) hits.push_back(i);
      }
      return Status::Ok();
    });
    CC_RETURN_IF_ERROR(status);
    const int64_t nnz = static_cast<int64_t>(hits.size());
    Tensor y(DataType::kInt64, {rank, nnz});
    int64_t* out = y.MutableData<int64_t>();
    for (int64_t h = 0; h < nnz; ++h) {
      int64_t rest = hits[h];
      for (int64_t d = rank - 1; d >= 0; --d) {
        out[d * nnz + h] = rest % shape[d];
        rest /= shape[d];
      }
    }
    ctx.SetOutputTensor(0, std::move(y));
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeCompress() { return std::make_unique<Compress>(); }
std::unique_ptr<Kernel> MakeNonZero() { return std::make_unique<NonZero>(); }

}  // namespace convcheck::interp
