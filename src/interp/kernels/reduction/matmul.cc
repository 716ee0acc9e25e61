//===- interp/kernels/reduction/matmul.cc - MatMul and Gemm ----------------===//
//
// MatMul (opsets 1+): numpy.matmul semantics, including 1-D operands and broadcast batch
// dimensions (see matmul_shape.h); each batch is one call of the shared Gemm<T>.
// Gemm (opsets 7+): Y = alpha * op(A) * op(B) + beta * C with op() an optional transpose
// (transA/transB), A and B 2-D, C unidirectionally broadcast to [M, N]. C is required through
// opset 10 and optional from opset 11. Opsets 1-6 (the `broadcast` attribute) are not supported.
//
// Numerics: whatever common/gemm.h does (OpenBLAS for float/double, a double or int64
// accumulating loop otherwise). Gemm's beta*C is added by that same call, so it is rounded once.
// Empty K gives zeros (plus beta*C).
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/common/gemm.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/fast/matrix_product.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/matmul_shape.h"

namespace convcheck::interp {
namespace {

#define CC_MATMUL_TYPES CC_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t

Status CheckSameType(const Tensor& a, const Tensor& b, const char* a_name, const char* b_name) {
  if (a.dtype() != b.dtype()) {
    return InvalidArgument(std::string(a_name) + " and " + b_name + " have different types (" +
                           std::string(DataTypeName(a.dtype())) + " and " +
                           std::string(DataTypeName(b.dtype())) + ")");
  }
  return Status::Ok();
}

// A constant transposed right operand packed for the fast path, on the first run (kept with the
// data it was packed from).
class PackedWeights {
 public:
  std::shared_ptr<const fast::PackedB> Get(const float* b, int64_t ldb, int64_t k,
                                           int64_t n) const {
    if (packed_ && from_ == b) return packed_;
    packed_ = std::make_shared<const fast::PackedB>(fast::PackB(b, ldb, true, k, n));
    from_ = b;
    return packed_;
  }

 private:
  mutable std::shared_ptr<const fast::PackedB> packed_;
  mutable const float* from_ = nullptr;
};

class MatMul final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    CC_RETURN_IF_ERROR(CheckSameType(a, b, "A", "B"));
    CC_RETURN_IF_ERROR(Dispatch<CC_MATMUL_TYPES>(a.dtype(), []<typename T>() {
      return Status::Ok();
    }));
    CC_ASSIGN_OR_RETURN(geometry_, reduction::MakeMatMulGeometry(a.shape(), b.shape()));
    // When every batch of A is its own stored matrix, in order, and all share one B (a 2-D
    // weight, the usual Linear layer), the batches stacked are one [batches*M, K] matrix: one
    // GEMM instead of one per batch. That matters for M = 1 ([50,1,768] x [768,2304] in
    // torchvision's ViT attention), where each per-batch call would be a GEMV re-reading B.
    const auto& g = geometry_;
    stack_batches_ = g.a_offsets.size() > 1;
    for (size_t i = 0; i < g.a_offsets.size() && stack_batches_; ++i) {
      stack_batches_ =
          g.a_offsets[i] == static_cast<int64_t>(i) * g.m * g.k && g.b_offsets[i] == g.b_offsets[0];
    }
    ctx.SetOutput(0, a.dtype(), geometry_.out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    const auto& g = geometry_;
    // The output is zero-filled, which is already the answer for an empty K; BLAS also rejects
    // leading dimensions of 0.
    if (g.m == 0 || g.n == 0 || g.k == 0) return Status::Ok();
    if (a.dtype() == DataType::kFloat32 && ctx.fast_kernels() && fast::Available()) {
      ComputeFast(ctx);
      return Status::Ok();
    }
    return Dispatch<CC_MATMUL_TYPES>(a.dtype(), [&]<typename T>() {
      T* out = y.MutableData<T>();
      if (stack_batches_) {
        const int64_t rows = static_cast<int64_t>(g.a_offsets.size()) * g.m;
        Gemm<T>(/*trans_a=*/false, /*trans_b=*/false, rows, g.n, g.k, /*alpha=*/1.0, a.Data<T>(),
                /*lda=*/g.k, b.Data<T>() + g.b_offsets[0], /*ldb=*/g.n, /*beta=*/0.0, out,
                /*ldc=*/g.n);
        return Status::Ok();
      }
      for (size_t batch = 0; batch < g.a_offsets.size(); ++batch) {
        Gemm<T>(/*trans_a=*/false, /*trans_b=*/false, g.m, g.n, g.k, /*alpha=*/1.0,
                a.Data<T>() + g.a_offsets[batch], /*lda=*/g.k, b.Data<T>() + g.b_offsets[batch],
                /*ldb=*/g.n, /*beta=*/0.0, out + batch * g.m * g.n, /*ldc=*/g.n);
      }
      return Status::Ok();
    });
  }

 private:
  // The fast path (kernels/fast/matrix_product.h).
  void ComputeFast(KernelContext& ctx) const {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const auto& g = geometry_;
    float* out = ctx.output(0).MutableData<float>();
    const bool one_batch = g.a_offsets.size() == 1 && g.a_offsets[0] == 0;
    if (b.rank() == 2 && (stack_batches_ || one_batch)) {
      // A Linear layer: all rows of A against one weight, in one product.
      const int64_t rows = static_cast<int64_t>(g.a_offsets.size()) * g.m;
      fast::MatMul2D(a.Data<float>(), g.k, false, rows, g.k, b.Data<float>(), g.n, false, g.n,
                     nullptr, nullptr, out, ctx.parallel());
      return;
    }
    fast::BatchedMatMul(a.Data<float>(), g.a_offsets, b.Data<float>(), g.b_offsets, g.m, g.n, g.k,
                        out, ctx.parallel());
  }

  reduction::MatMulGeometry geometry_;  // Set by Prepare.
  bool stack_batches_ = false;          // Set by Prepare: run all batches as one GEMM.
};

class GemmKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    const bool c_optional = ctx.opset() >= 11;
    CC_RETURN_IF_ERROR(ctx.ExpectArity(c_optional ? 2 : 3, 3, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    CC_RETURN_IF_ERROR(CheckSameType(a, b, "A", "B"));
    CC_RETURN_IF_ERROR(Dispatch<CC_MATMUL_TYPES>(a.dtype(), []<typename T>() {
      return Status::Ok();
    }));
    if (a.rank() != 2 || b.rank() != 2) {
      return InvalidArgument("A and B must be 2-D, got shapes " + ShapeToString(a.shape()) +
                             " and " + ShapeToString(b.shape()));
    }
    trans_a_ = ctx.attr_int("transA", 0) != 0;
    trans_b_ = ctx.attr_int("transB", 0) != 0;
    alpha_ = ctx.attr_float("alpha", 1.0f);
    beta_ = ctx.attr_float("beta", 1.0f);
    m_ = a.shape()[trans_a_ ? 1 : 0];
    k_ = a.shape()[trans_a_ ? 0 : 1];
    const int64_t kb = b.shape()[trans_b_ ? 1 : 0];
    n_ = b.shape()[trans_b_ ? 0 : 1];
    if (kb != k_) {
      return InvalidArgument("inner dimensions differ: op(A) is [" + std::to_string(m_) + "," +
                             std::to_string(k_) + "] and op(B) is [" + std::to_string(kb) + "," +
                             std::to_string(n_) + "]");
    }
    has_c_ = ctx.has_input(2);
    if (has_c_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
      const Tensor& c = ctx.input(2);
      CC_RETURN_IF_ERROR(CheckSameType(a, c, "A", "C"));
      // Unidirectional broadcasting: C must broadcast to [M, N] without growing it.
      const Shape out = {m_, n_};
      auto shape = BroadcastShapes({out, c.shape()});
      if (c.rank() > 2 || !shape.ok() || *shape != out) {
        return InvalidArgument("C of shape " + ShapeToString(c.shape()) +
                               " cannot be broadcast to [" + std::to_string(m_) + "," +
                               std::to_string(n_) + "]");
      }
    }
    ctx.SetOutput(0, a.dtype(), {m_, n_});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    if (a.dtype() == DataType::kFloat32 && ctx.fast_kernels() && ComputeFast(ctx)) {
      return Status::Ok();
    }
    return Dispatch<CC_MATMUL_TYPES>(a.dtype(), [&]<typename T>() {
      T* out = y.MutableData<T>();
      const bool use_c = has_c_ && beta_ != 0.0;
      if (use_c) {
        const Tensor& c = ctx.input(2);
        const T* c_data = c.Data<T>();
        BroadcastIndex index({m_, n_}, {c.shape()});
        for (int64_t i = 0; i < m_ * n_; ++i, index.Next()) out[i] = c_data[index[0]];
      }
      if (m_ == 0 || n_ == 0) return Status::Ok();
      if (k_ == 0) {
        // No products: Y = beta * C, computed here since BLAS rejects zero leading dimensions.
        for (int64_t i = 0; i < m_ * n_ && use_c; ++i) {
          out[i] = Store<T>(static_cast<ComputeT<T>>(beta_ * static_cast<double>(Load(out[i]))));
        }
        return Status::Ok();
      }
      const int64_t lda = trans_a_ ? m_ : k_;
      const int64_t ldb = trans_b_ ? k_ : n_;
      Gemm<T>(trans_a_, trans_b_, m_, n_, k_, alpha_, a.Data<T>(), lda, b.Data<T>(), ldb,
              use_c ? beta_ : 0.0, out, n_);
      return Status::Ok();
    });
  }

 private:
  // The fast path (kernels/fast/matrix_product.h) for the Linear-layer form: alpha 1, and C absent,
  // or beta 1 with C a bias per column ([N] or [1, N]). False leaves the work to the reference.
  bool ComputeFast(KernelContext& ctx) const {
    const bool use_c = has_c_ && beta_ != 0.0;
    const float* col_bias = nullptr;
    if (use_c) {
      const Tensor& c = ctx.input(2);
      const bool per_column = c.num_elements() == n_ && (c.rank() == 1 || c.shape()[0] == 1);
      if (beta_ != 1.0 || !per_column || n_ == 1) return false;
      col_bias = c.Data<float>();
    }
    if (alpha_ != 1.0 || m_ == 0 || n_ == 0 || k_ == 0 || !fast::Available()) return false;
    const float* b = ctx.input(1).Data<float>();
    const int64_t ldb = trans_b_ ? k_ : n_;
    // A transposed B is packed; when it is a constant of the model, once.
    std::shared_ptr<const fast::PackedB> packed;
    if (trans_b_ && ctx.input_is_constant(1)) packed = weights_.Get(b, ldb, k_, n_);
    fast::MatMul2D(ctx.input(0).Data<float>(), trans_a_ ? m_ : k_, trans_a_, m_, k_, b, ldb,
                   trans_b_, n_, packed.get(), col_bias, ctx.output(0).MutableData<float>(),
                   ctx.parallel());
    return true;
  }

  PackedWeights weights_;  // The fast path's packed transposed constant B.
  // Set by Prepare.
  bool trans_a_ = false, trans_b_ = false, has_c_ = false;
  double alpha_ = 1.0, beta_ = 1.0;
  int64_t m_ = 0, k_ = 0, n_ = 0;
};

#undef CC_MATMUL_TYPES

}  // namespace

std::unique_ptr<Kernel> MakeMatMul() { return std::make_unique<MatMul>(); }
std::unique_ptr<Kernel> MakeGemm() { return std::make_unique<GemmKernel>(); }

}  // namespace convcheck::interp
