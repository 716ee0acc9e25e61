//===- interp/kernels/reduction/softmax.cc - Softmax, LogSoftmax, Hardmax -===//
//
// Softmax: exp(x - max) / sum(exp(x - max)); LogSoftmax: x - max - log(sum(exp(x - max)));
// Hardmax: 1 at the first maximum, 0 elsewhere. Opsets 1-12 flatten the input to 2-D at `axis`
// (default 1) and normalize each row; opset 13+ normalizes along `axis` alone (default -1). Both
// are the same loop over an [outer, reduced, inner] view, so Prepare picks the view and Compute
// never looks at the opset.
//
// Numerics: the maximum is subtracted before exp() so large inputs do not overflow; sums and
// exp() run in double and each output is rounded once. Hardmax ties go to the first maximum
// (numpy argmax), and a NaN counts as the maximum. NaN and Inf otherwise propagate as in numpy.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "interp/kernel.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/fast/elementwise.h"
#include "interp/kernels/fast/sgemm.h"  // fast::Available
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/reduction_util.h"

namespace convcheck::interp {
namespace {

enum class NormKind { kSoftmax, kLogSoftmax, kHardmax };

class SoftmaxFamily final : public Kernel {
 public:
  SoftmaxFamily(NormKind kind, bool flatten_to_2d) : kind_(kind), flatten_to_2d_(flatten_to_2d) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    CC_RETURN_IF_ERROR(Dispatch<CC_FLOAT_TYPES>(x.dtype(), []<typename T>() {
      return Status::Ok();
    }));
    const int64_t rank = x.rank();
    const int64_t default_axis = flatten_to_2d_ ? 1 : -1;
    const int64_t axis_attr = ctx.attr_int("axis", default_axis);
    if (rank == 0) {
      // A scalar is a single row of one element; only axes 0 and -1 name it.
      if (axis_attr != 0 && axis_attr != -1) {
        return InvalidArgument("axis " + std::to_string(axis_attr) + " is out of range for rank 0");
      }
      view_ = {1, 1, 1};
    } else if (flatten_to_2d_) {
      // Opsets 1-12 accept axis == rank (everything in the outer dimension).
      if (axis_attr < -rank || axis_attr > rank) {
        return InvalidArgument("axis " + std::to_string(axis_attr) + " is out of range for rank " +
                               std::to_string(rank));
      }
      const int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
      view_ = {reduction::DimProduct(x.shape(), 0, axis),
               reduction::DimProduct(x.shape(), axis, rank), 1};
    } else {
      CC_ASSIGN_OR_RETURN(int64_t axis, reduction::NormalizeAxis(axis_attr, rank));
      view_ = reduction::MakeAxisView(x.shape(), axis);
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (x.dtype() == DataType::kFloat32 && kind_ == NormKind::kSoftmax && view_.inner == 1 &&
        view_.axis > 0 && ctx.fast_kernels() && fast::Available()) {
      // The fast path (kernels/fast/elementwise.h): the same float results.
      const float* xf = x.Data<float>();
      float* yf = y.MutableData<float>();
      fast::SoftmaxRows(
          xf, yf, view_.outer, view_.axis, [&](int64_t row) { RunRow(xf, yf, row, 0); },
          ctx.parallel());
      return Status::Ok();
    }
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      Run(x.Data<T>(), y.MutableData<T>());
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  void Run(const T* x, T* y) const {
    for (int64_t outer = 0; outer < view_.outer; ++outer) {
      for (int64_t inner = 0; inner < view_.inner; ++inner) RunRow(x, y, outer, inner);
    }
  }

  // One row: the elements along the axis at (outer, inner).
  template <typename T>
  void RunRow(const T* x, T* y, int64_t outer, int64_t inner) const {
    const int64_t base = outer * view_.axis * view_.inner + inner;
    auto at = [&](int64_t k) { return base + k * view_.inner; };
    if (view_.axis == 0) return;
    auto store = [&](int64_t k, double v) { y[at(k)] = Store<T>(static_cast<ComputeT<T>>(v)); };

    double row_max = static_cast<double>(Load(x[at(0)]));
    int64_t arg_max = 0;
    for (int64_t k = 1; k < view_.axis; ++k) {
      const double v = static_cast<double>(Load(x[at(k)]));
      if (std::isnan(row_max)) break;
      if (v > row_max || std::isnan(v)) {
        row_max = v;
        arg_max = k;
      }
    }
    if (kind_ == NormKind::kHardmax) {
      for (int64_t k = 0; k < view_.axis; ++k) store(k, k == arg_max ? 1.0 : 0.0);
      return;
    }
    // Like numpy, an infinite maximum is subtracted too, so a row holding +inf gives NaN.
    double sum = 0.0;
    for (int64_t k = 0; k < view_.axis; ++k) {
      sum += std::exp(static_cast<double>(Load(x[at(k)])) - row_max);
    }
    if (kind_ == NormKind::kSoftmax) {
      for (int64_t k = 0; k < view_.axis; ++k) {
        store(k, std::exp(static_cast<double>(Load(x[at(k)])) - row_max) / sum);
      }
    } else {
      const double log_sum = std::log(sum);
      for (int64_t k = 0; k < view_.axis; ++k) {
        store(k, static_cast<double>(Load(x[at(k)])) - row_max - log_sum);
      }
    }
  }

  const NormKind kind_;
  const bool flatten_to_2d_;
  reduction::AxisView view_;  // Set by Prepare.
};

}  // namespace

std::unique_ptr<Kernel> MakeSoftmaxFlattened() {
  return std::make_unique<SoftmaxFamily>(NormKind::kSoftmax, /*flatten_to_2d=*/true);
}
std::unique_ptr<Kernel> MakeSoftmax() {
  return std::make_unique<SoftmaxFamily>(NormKind::kSoftmax, /*flatten_to_2d=*/false);
}
std::unique_ptr<Kernel> MakeLogSoftmaxFlattened() {
  return std::make_unique<SoftmaxFamily>(NormKind::kLogSoftmax, /*flatten_to_2d=*/true);
}
std::unique_ptr<Kernel> MakeLogSoftmax() {
  return std::make_unique<SoftmaxFamily>(NormKind::kLogSoftmax, /*flatten_to_2d=*/false);
}
std::unique_ptr<Kernel> MakeHardmaxFlattened() {
  return std::make_unique<SoftmaxFamily>(NormKind::kHardmax, /*flatten_to_2d=*/true);
}
std::unique_ptr<Kernel> MakeHardmax() {
  return std::make_unique<SoftmaxFamily>(NormKind::kHardmax, /*flatten_to_2d=*/false);
}

}  // namespace convcheck::interp
