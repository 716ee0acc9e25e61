//===- interp/kernels/reduction/qlinear_matmul.cc - Quantized MatMuls ------===//
//
// MatMulInteger (opset 10+): int32 Y = (A - a_zero_point) x (B - b_zero_point) for int8/uint8
// operands. QLinearMatMul (opset 10+): the same integer product, requantized as
// saturate(round(acc * a_scale * b_scale / y_scale) + y_zero_point) into y_zero_point's type.
// Both follow numpy.matmul shapes (see matmul_shape.h). A's zero point (and scale) is per tensor
// (one element) or per row (M elements, or one per row of every batch of A); B's is per tensor
// or per column (N, or one per column of every batch of B).
//
// Numerics: exact integer products through Gemm<int32_t> (int64 accumulation, wrapped to int32
// as the spec's int32 output implies); requantization multiplies in double, rounds half to even
// and saturates.
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/common/gemm.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/matmul_shape.h"
#include "interp/kernels/reduction/reduction_util.h"

namespace convcheck::interp {
namespace {

// How a per-tensor/per-row/per-column parameter is indexed.
struct ParamLayout {
  enum class Kind { kScalar, kPerLine, kPerBatchLine } kind = Kind::kScalar;
  int64_t lines = 1;  // M for A's parameters, N for B's.

  int64_t Index(int64_t operand_batch, int64_t line) const {
    switch (kind) {
      case Kind::kScalar:
        return 0;
      case Kind::kPerLine:
        return line;
      case Kind::kPerBatchLine:
        return operand_batch * lines + line;
    }
    return 0;
  }
};

StatusOr<ParamLayout> MakeLayout(const Tensor& param, const char* name, const Shape& operand,
                                 int64_t lines, const char* what) {
  const int64_t n = param.num_elements();
  const int64_t batches =
      operand.size() > 2 ? reduction::DimProduct(operand, 0, operand.size() - 2) : 1;
  ParamLayout layout;
  layout.lines = lines;
  if (n == 1) {
    layout.kind = ParamLayout::Kind::kScalar;
  } else if (param.rank() == 1 && n == lines) {
    layout.kind = ParamLayout::Kind::kPerLine;
  } else if (param.rank() >= 2 && n == batches * lines) {
    layout.kind = ParamLayout::Kind::kPerBatchLine;
  } else {
    return InvalidArgument(std::string(name) + " of shape " + ShapeToString(param.shape()) +
                           " is neither a scalar nor one value per " + what + " (" +
                           std::to_string(lines) + ")");
  }
  return layout;
}

Status RequireQuantType(const Tensor& t, const char* name) {
  if (t.dtype() != DataType::kUint8 && t.dtype() != DataType::kInt8) {
    return InvalidArgument(std::string(name) + " must be uint8 or int8, got " +
                           std::string(DataTypeName(t.dtype())));
  }
  return Status::Ok();
}

class QuantizedMatMul final : public Kernel {
 public:
  explicit QuantizedMatMul(bool requantize) : requantize_(requantize) {
    // Input positions of A, B and their zero points.
    if (requantize_) {
      a_ = 0, a_zp_ = 2, b_ = 3, b_zp_ = 5;
    } else {
      a_ = 0, a_zp_ = 2, b_ = 1, b_zp_ = 3;
    }
  }

  Status Prepare(KernelContext& ctx) override {
    if (requantize_) {
      CC_RETURN_IF_ERROR(ctx.ExpectArity(8, 8, 1, 1));
      for (int i = 0; i < 8; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    } else {
      CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 4, 1, 1));
      for (int i = 0; i < 4; ++i) {
        if (i < 2 || ctx.has_input(i)) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      }
    }
    const Tensor& a = ctx.input(a_);
    const Tensor& b = ctx.input(b_);
    CC_RETURN_IF_ERROR(RequireQuantType(a, "A"));
    CC_RETURN_IF_ERROR(RequireQuantType(b, "B"));
    CC_ASSIGN_OR_RETURN(geometry_, reduction::MakeMatMulGeometry(a.shape(), b.shape()));
    const auto& g = geometry_;
    auto layout = [&](int input, const char* name, const Tensor& operand, int64_t lines,
                      const char* what, ParamLayout& out) -> Status {
      if (!ctx.has_input(input)) return Status::Ok();
      const Tensor& p = ctx.input(input);
      CC_ASSIGN_OR_RETURN(out, MakeLayout(p, name, operand.shape(), lines, what));
      return Status::Ok();
    };
    CC_RETURN_IF_ERROR(layout(a_zp_, "a_zero_point", a, g.m, "row of A", a_zp_layout_));
    CC_RETURN_IF_ERROR(layout(b_zp_, "b_zero_point", b, g.n, "column of B", b_zp_layout_));
    for (int zp : {a_zp_, b_zp_}) {
      if (ctx.has_input(zp) && ctx.input(zp).dtype() != ctx.input(zp == a_zp_ ? a_ : b_).dtype()) {
        return InvalidArgument("zero point type " +
                               std::string(DataTypeName(ctx.input(zp).dtype())) +
                               " differs from its operand's");
      }
    }
    DataType out_type = DataType::kInt32;
    if (requantize_) {
      CC_RETURN_IF_ERROR(layout(1, "a_scale", a, g.m, "row of A", a_scale_layout_));
      CC_RETURN_IF_ERROR(layout(4, "b_scale", b, g.n, "column of B", b_scale_layout_));
      const Tensor& y_zp = ctx.input(7);
      CC_RETURN_IF_ERROR(RequireQuantType(y_zp, "y_zero_point"));
      if (ctx.input(6).num_elements() != 1 || y_zp.num_elements() != 1) {
        return InvalidArgument("y_scale and y_zero_point must be scalars, got shapes " +
                               ShapeToString(ctx.input(6).shape()) + " and " +
                               ShapeToString(y_zp.shape()));
      }
      out_type = y_zp.dtype();
    }
    ctx.SetOutput(0, out_type, g.out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(a_);
    const Tensor& b = ctx.input(b_);
    const Tensor* a_zp = ctx.has_input(a_zp_) ? &ctx.input(a_zp_) : nullptr;
    const Tensor* b_zp = ctx.has_input(b_zp_) ? &ctx.input(b_zp_) : nullptr;
    Tensor& y = ctx.output(0);
    const auto& g = geometry_;
    std::vector<int32_t> a_buf(g.m * g.k), b_buf(g.k * g.n), acc(g.m * g.n);
    for (size_t batch = 0; batch < g.a_offsets.size(); ++batch) {
      const int64_t ab = g.a_batch[batch], bb = g.b_batch[batch];
      for (int64_t i = 0; i < g.m; ++i) {
        const int32_t zp =
            a_zp ? static_cast<int32_t>(a_zp->GetAsDouble(a_zp_layout_.Index(ab, i))) : 0;
        for (int64_t p = 0; p < g.k; ++p) {
          a_buf[i * g.k + p] =
              static_cast<int32_t>(a.GetAsDouble(g.a_offsets[batch] + i * g.k + p)) - zp;
        }
      }
      for (int64_t p = 0; p < g.k; ++p) {
        for (int64_t j = 0; j < g.n; ++j) {
          const int32_t zp =
              b_zp ? static_cast<int32_t>(b_zp->GetAsDouble(b_zp_layout_.Index(bb, j))) : 0;
          b_buf[p * g.n + j] =
              static_cast<int32_t>(b.GetAsDouble(g.b_offsets[batch] + p * g.n + j)) - zp;
        }
      }
      if (g.m > 0 && g.n > 0) {
        Gemm<int32_t>(false, false, g.m, g.n, g.k, 1.0, a_buf.data(), g.k, b_buf.data(), g.n,
                      0.0, acc.data(), g.n);
      }
      const int64_t out_base = static_cast<int64_t>(batch) * g.m * g.n;
      if (!requantize_) {
        int32_t* out = y.MutableData<int32_t>() + out_base;
        std::copy(acc.begin(), acc.end(), out);
        continue;
      }
      const Tensor& a_scale = ctx.input(1);
      const Tensor& b_scale = ctx.input(4);
      const double y_scale = ctx.input(6).GetAsDouble(0);
      const double y_zp = ctx.input(7).GetAsDouble(0);
      for (int64_t i = 0; i < g.m; ++i) {
        const double as = a_scale.GetAsDouble(a_scale_layout_.Index(ab, i));
        for (int64_t j = 0; j < g.n; ++j) {
          const double bs = b_scale.GetAsDouble(b_scale_layout_.Index(bb, j));
          const double real = static_cast<double>(acc[i * g.n + j]) * (as * bs / y_scale) + y_zp;
          if (y.dtype() == DataType::kUint8) {
            y.MutableData<uint8_t>()[out_base + i * g.n + j] =
                reduction::SaturateRound<uint8_t>(real);
          } else {
            y.MutableData<int8_t>()[out_base + i * g.n + j] =
                reduction::SaturateRound<int8_t>(real);
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  const bool requantize_;
  int a_, a_zp_, b_, b_zp_;
  // Set by Prepare.
  reduction::MatMulGeometry geometry_;
  ParamLayout a_zp_layout_, b_zp_layout_, a_scale_layout_, b_scale_layout_;
};

}  // namespace

std::unique_ptr<Kernel> MakeMatMulInteger() {
  return std::make_unique<QuantizedMatMul>(/*requantize=*/false);
}
std::unique_ptr<Kernel> MakeQLinearMatMul() {
  return std::make_unique<QuantizedMatMul>(/*requantize=*/true);
}

}  // namespace convcheck::interp
