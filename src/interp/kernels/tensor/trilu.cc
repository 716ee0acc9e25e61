//===- interp/kernels/tensor/trilu.cc - Trilu -----------------------------===//
//
// Trilu 14+: for each matrix in the last two dimensions keeps the upper (`upper`=1, default:
// column - row >= k) or lower (column - row <= k) triangle and zeroes the rest (false, "" for
// bool and string). k comes from an optional 1-element int64 input (default 0) and may lie
// outside the matrix, which keeps everything or nothing.
//
//===----------------------------------------------------------------------===//
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

class Trilu final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) {
      return InvalidArgument("input must have rank >= 2, got shape " + ShapeToString(x.shape()));
    }
    k_ = 0;
    if (ctx.has_input(1)) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
      const Tensor& k = ctx.input(1);
      if (k.dtype() != DataType::kInt64 || k.num_elements() != 1) {
        return InvalidArgument("k must be a 1-element int64 tensor, got " +
                               std::string(DataTypeName(k.dtype())) + ShapeToString(k.shape()));
      }
      k_ = k.Data<int64_t>()[0];
    }
    upper_ = ctx.attr_int("upper", 1) != 0;
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rows = x.shape()[x.rank() - 2];
    const int64_t cols = x.shape()[x.rank() - 1];
    const int64_t matrices = rows * cols == 0 ? 0 : x.num_elements() / (rows * cols);
    // y starts zero-filled; copy only the kept triangle.
    return DispatchMove(x.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(x);
      T* dst = MutableElems<T>(y);
      for (int64_t m = 0; m < matrices; ++m) {
        for (int64_t r = 0; r < rows; ++r) {
          for (int64_t c = 0; c < cols; ++c) {
            const bool keep = upper_ ? c - r >= k_ : c - r <= k_;
            const int64_t i = (m * rows + r) * cols + c;
            if (keep) dst[i] = src[i];
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t k_ = 0;
  bool upper_ = true;
};

}  // namespace

std::unique_ptr<Kernel> MakeTrilu() { return std::make_unique<Trilu>(); }

}  // namespace convcheck::interp
