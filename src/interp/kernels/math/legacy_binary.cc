//===- interp/kernels/math/legacy_binary.cc - Opset-6 broadcasting ---------===//
//
// Before opset 7, Add, Sub, Mul, Div and Pow did not broadcast numpy-style: with broadcast = 0
// (the default) A and B have one shape; with broadcast = 1, B's shape must match a contiguous
// run of A's dimensions starting at `axis` (default: the trailing ones), e.g. A [2,3,4,5] with
// B [3,4] and axis 1, or B [5]; B's size-1 dimensions there broadcast too. PRelu 6's slope is
// one value, X's shape, or one value per channel (X's dimension 1). Gemm 6's `broadcast`
// attribute is covered by the opset-7 kernel, which always broadcasts C (a model with
// broadcast = 0 has C of shape [M, N], where both agree).
//
// Numerics: computed in double and rounded once to A's type (integer Div truncates toward zero
// through that rounding). These opsets predate every type but float16/float/double in practice.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <memory>
#include <string>

#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

enum class LegacyOp { kAdd, kSub, kMul, kDiv, kPow };

const char* Name(LegacyOp op) {
  switch (op) {
    case LegacyOp::kAdd:
      return "Add";
    case LegacyOp::kSub:
      return "Sub";
    case LegacyOp::kMul:
      return "Mul";
    case LegacyOp::kDiv:
      return "Div";
    default:
      return "Pow";
  }
}

class LegacyBinary final : public Kernel {
 public:
  explicit LegacyBinary(LegacyOp op) : op_(op) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype() || !(IsFloatingPoint(a.dtype()) || IsInteger(a.dtype()))) {
      return InvalidArgument(
          std::string(Name(op_)) + " takes two numeric inputs of one type, got " +
          std::string(DataTypeName(a.dtype())) + " and " + std::string(DataTypeName(b.dtype())));
    }
    const bool broadcast = ctx.attr_int("broadcast", 0) != 0;
    const int64_t rank = a.rank(), brank = b.rank();
    // B's dimensions placed inside A's: b_shape_ has A's rank with 1 outside the run.
    b_shape_.assign(static_cast<size_t>(rank), 1);
    if (!broadcast) {
      if (a.shape() != b.shape()) {
        return InvalidArgument(std::string(Name(op_)) +
                               " without broadcast needs equal shapes, got " +
                               ShapeToString(a.shape()) + " and " + ShapeToString(b.shape()));
      }
      b_shape_ = b.shape();
    } else if (b.num_elements() == 1) {
      // A scalar B (rank 0 or all ones) applies everywhere.
    } else {
      const int64_t axis = ctx.has_attr("axis") ? ctx.attr_int("axis", 0) : rank - brank;
      if (axis < 0 || axis + brank > rank) {
        return InvalidArgument("B of shape " + ShapeToString(b.shape()) + " does not fit A " +
                               ShapeToString(a.shape()) + " at axis " + std::to_string(axis));
      }
      for (int64_t d = 0; d < brank; ++d) {
        const int64_t bd = b.shape()[d], ad = a.shape()[axis + d];
        if (bd != ad && bd != 1) {
          return InvalidArgument("B of shape " + ShapeToString(b.shape()) + " does not match A " +
                                 ShapeToString(a.shape()) + " at axis " + std::to_string(axis));
        }
        b_shape_[axis + d] = bd;
      }
    }
    ctx.SetOutput(0, a.dtype(), a.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    const int64_t rank = a.rank();
    std::vector<int64_t> coord(static_cast<size_t>(rank), 0);
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      int64_t bi = 0;
      for (int64_t d = 0; d < rank; ++d) bi = bi * b_shape_[d] + (b_shape_[d] == 1 ? 0 : coord[d]);
      const double x = a.GetAsDouble(i), v = b.GetAsDouble(bi);
      double r = 0;
      switch (op_) {
        case LegacyOp::kAdd:
          r = x + v;
          break;
        case LegacyOp::kSub:
          r = x - v;
          break;
        case LegacyOp::kMul:
          r = x * v;
          break;
        case LegacyOp::kDiv:
          r = IsInteger(a.dtype()) && v == 0 ? 0 : x / v;
          break;
        case LegacyOp::kPow:
          r = std::pow(x, v);
          break;
      }
      y.SetFromDouble(i, r);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++coord[d] < a.shape()[d]) break;
        coord[d] = 0;
      }
    }
    return Status::Ok();
  }

 private:
  const LegacyOp op_;
  Shape b_shape_;
};

// PRelu 6: slope is one value, X's shape, or one value per channel.
class LegacyPRelu final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    if (!IsFloatingPoint(x.dtype()) || slope.dtype() != x.dtype()) {
      return InvalidArgument("PRelu takes float X and slope of one type, got " +
                             std::string(DataTypeName(x.dtype())) + " and " +
                             std::string(DataTypeName(slope.dtype())));
    }
    if (slope.num_elements() == 1) {
      per_ = Per::kScalar;
    } else if (slope.shape() == x.shape()) {
      per_ = Per::kElement;
    } else if (x.rank() >= 2 && slope.num_elements() == x.shape()[1]) {
      per_ = Per::kChannel;
    } else {
      return InvalidArgument("slope of shape " + ShapeToString(slope.shape()) +
                             " is neither one value, X's shape " + ShapeToString(x.shape()) +
                             " nor one value per channel");
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    Tensor& y = ctx.output(0);
    int64_t inner = 1;
    for (int64_t d = 2; d < x.rank(); ++d) inner *= x.shape()[d];
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const double v = x.GetAsDouble(i);
      int64_t s = 0;
      if (per_ == Per::kElement) s = i;
      if (per_ == Per::kChannel) s = (i / inner) % x.shape()[1];
      y.SetFromDouble(i, v < 0 ? v * slope.GetAsDouble(s) : v);
    }
    return Status::Ok();
  }

 private:
  enum class Per { kScalar, kElement, kChannel };
  Per per_ = Per::kScalar;
};

}  // namespace

std::unique_ptr<Kernel> MakeAddLegacy() { return std::make_unique<LegacyBinary>(LegacyOp::kAdd); }
std::unique_ptr<Kernel> MakeSubLegacy() { return std::make_unique<LegacyBinary>(LegacyOp::kSub); }
std::unique_ptr<Kernel> MakeMulLegacy() { return std::make_unique<LegacyBinary>(LegacyOp::kMul); }
std::unique_ptr<Kernel> MakeDivLegacy() { return std::make_unique<LegacyBinary>(LegacyOp::kDiv); }
std::unique_ptr<Kernel> MakePowLegacy() { return std::make_unique<LegacyBinary>(LegacyOp::kPow); }
std::unique_ptr<Kernel> MakePReluLegacy() { return std::make_unique<LegacyPRelu>(); }

}  // namespace convcheck::interp
