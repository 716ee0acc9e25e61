//===- interp/kernels/reduction/det.cc - Det -------------------------------===//
//
// Det (opset 11+): the determinant of each square matrix in the trailing two dimensions,
// [*, M, M] -> [*].
//
// Numerics: LU decomposition with partial pivoting in double (numpy.linalg.det uses LAPACK's
// getrf, which pivots the same way), rounded once on store. A zero pivot gives 0; NaN
// propagates. The determinant of a 0x0 matrix is 1.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

double Determinant(std::vector<double>& a, int64_t n) {
  double det = 1.0;
  for (int64_t col = 0; col < n; ++col) {
    int64_t pivot = col;
    for (int64_t row = col + 1; row < n; ++row) {
      if (std::abs(a[row * n + col]) > std::abs(a[pivot * n + col])) pivot = row;
    }
    if (pivot != col) {
      for (int64_t j = 0; j < n; ++j) std::swap(a[col * n + j], a[pivot * n + j]);
      det = -det;
    }
    const double p = a[col * n + col];
    if (p == 0.0) return 0.0;
    det *= p;
    for (int64_t row = col + 1; row < n; ++row) {
      const double f = a[row * n + col] / p;
      for (int64_t j = col + 1; j < n; ++j) a[row * n + j] -= f * a[col * n + j];
    }
  }
  return det;
}

class Det final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    CC_RETURN_IF_ERROR(Dispatch<CC_FLOAT_TYPES>(x.dtype(), []<typename T>() {
      return Status::Ok();
    }));
    const Shape& shape = x.shape();
    if (shape.size() < 2 || shape[shape.size() - 1] != shape[shape.size() - 2]) {
      return InvalidArgument("input must be [*, M, M], got shape " + ShapeToString(shape));
    }
    n_ = shape.back();
    ctx.SetOutput(0, x.dtype(), Shape(shape.begin(), shape.end() - 2));
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    std::vector<double> matrix(n_ * n_);
    for (int64_t b = 0; b < y.num_elements(); ++b) {
      for (int64_t i = 0; i < n_ * n_; ++i) matrix[i] = x.GetAsDouble(b * n_ * n_ + i);
      y.SetFromDouble(b, Determinant(matrix, n_));
    }
    return Status::Ok();
  }

 private:
  int64_t n_ = 0;  // Set by Prepare.
};

}  // namespace

std::unique_ptr<Kernel> MakeDet() { return std::make_unique<Det>(); }

}  // namespace convcheck::interp
