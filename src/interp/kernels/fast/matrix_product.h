//===- interp/kernels/fast/matrix_product.h - Fast float32 MatMul, Gemm ===//
//
// The fast path of MatMul and Gemm (reduction/matmul.cc keeps the reference: OpenBLAS per
// batch), on fast::Sgemm: the left operand is packed per call, the right one read in panels
// (or, transposed and constant, packed once by the kernel); products whose operands both change
// (the attention's Q K^T and P V) run their batches on separate threads.
// Numerics: those of fast::Sgemm, per output element a sequential FMA chain over k, then + the
// bias (Gemm's C broadcast along rows). Results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_MATRIX_PRODUCT_H_
#define CONVCHECK_INTERP_KERNELS_FAST_MATRIX_PRODUCT_H_

#include <cstdint>
#include <vector>

#include "interp/kernels/fast/parallel.h"
#include "interp/kernels/fast/sgemm.h"

namespace convcheck::interp::fast {

/// C [m, n] = op(A) [m, k] times op(B) [k, n], plus col_bias [n] if given. A is row-major with
/// row stride lda, or transposed (A^T stored [k, m]); B likewise, or given packed (`packed_b`,
/// made by PackB) when it is a constant the caller keeps packed. A non-transposed B is read in
/// panels as the product goes: as fast as a packed copy when the weights come from memory
/// anyway (each is used once per run), without a second copy of them.
void MatMul2D(const float* a, int64_t lda, bool a_transposed, int64_t m, int64_t k, const float* b,
              int64_t ldb, bool b_transposed, int64_t n, const PackedB* packed_b,
              const float* col_bias, float* c, const Parallel& parallel);

/// For every batch i: C + i*m*n = (A + a_offsets[i]) [m, k] times (B + b_offsets[i]) [k, n], all
/// row-major and contiguous.
void BatchedMatMul(const float* a, const std::vector<int64_t>& a_offsets, const float* b,
                   const std::vector<int64_t>& b_offsets, int64_t m, int64_t n, int64_t k, float* c,
                   const Parallel& parallel);

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_MATRIX_PRODUCT_H_
