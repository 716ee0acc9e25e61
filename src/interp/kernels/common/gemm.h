//===- interp/kernels/common/gemm.h - The one GEMM every kernel shares ----===//
//
// C = alpha * op(A) * op(B) + beta * C, row-major, with op() an optional transpose. MatMul,
// Gemm, Conv (through im2col), ConvTranspose and the RNNs all call this, so the house's one
// deliberate deviation from plain reference loops (a well-kept BLAS for GEMM-shaped work) sits
// in one place: float and double go to OpenBLAS's cblas_?gemm; every other type uses the plain
// triple loop below, accumulating in ComputeT<T> (int64 for the integer types).
//
// Threads: OpenBLAS runs single-threaded unless SetGemmThreads says otherwise (the interpreter's
// `threads` option), so that the reference interpreter compares fairly with an engine given the
// same number. OpenBLAS splits the output, not the K sum, among its threads, so every element
// is still one thread's dot product.
//
// OpenBLAS is loaded at program start with dlopen rather than linked: see gemm.cc for why (its
// kernel choice on CPUs newer than the library).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_COMMON_GEMM_H_
#define CONVCHECK_INTERP_KERNELS_COMMON_GEMM_H_

#include <cstdint>
#include <string>
#include <type_traits>

#include "interp/kernels/common/numeric.h"

namespace convcheck::interp {

/// The plain row-major GEMM every non-BLAS type uses (and float/double when OpenBLAS cannot be
/// loaded), accumulating in double for floating types and int64 for integers, rounded once.
template <typename T>
void GemmLoop(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const T* a,
              int64_t lda, const T* b, int64_t ldb, double beta, T* c, int64_t ldc) {
  using Acc = std::conditional_t<kIsFloat<T>, double, int64_t>;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      Acc sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        const T av = trans_a ? a[p * lda + i] : a[i * lda + p];
        const T bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        sum += static_cast<Acc>(Load(av)) * static_cast<Acc>(Load(bv));
      }
      double result = alpha * static_cast<double>(sum);
      if (beta != 0) result += beta * static_cast<double>(Load(c[i * ldc + j]));
      c[i * ldc + j] = Store<T>(static_cast<ComputeT<T>>(result));
    }
  }
}

void SgemmRowMajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                   int64_t ldc);
void DgemmRowMajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                   const double* a, int64_t lda, const double* b, int64_t ldb, double beta,
                   double* c, int64_t ldc);
/// Threads OpenBLAS may use (default 1). Process-wide: OpenBLAS has one setting.
void SetGemmThreads(int threads);
/// OpenBLAS's build and the kernels it chose ("OpenBLAS 0.3.21 ... , kernels SkylakeX"), or why
/// it could not be loaded.
std::string BlasDescription();

/// Row-major GEMM: C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C. lda/ldb/ldc are row
/// strides of A, B, C as stored. beta == 0 ignores C's previous content (even NaN).
template <typename T>
void Gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, double beta, T* c, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) {
    SgemmRowMajor(trans_a, trans_b, m, n, k, static_cast<float>(alpha), a, lda, b, ldb,
                  static_cast<float>(beta), c, ldc);
  } else if constexpr (std::is_same_v<T, double>) {
    DgemmRowMajor(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    GemmLoop(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_KERNELS_COMMON_GEMM_H_
