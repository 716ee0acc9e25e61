#include "interp/kernels/common/gemm.h"

#include <cblas.h>

#include <mutex>

namespace convcheck::interp {
namespace {

void EnsureThreads() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

// cblas wants int dims; a GEMM beyond 2^31 per dimension is not a reference-interpreter case,
// and Prepare of every caller bounds its shapes well below that.
int Dim(int64_t v) { return static_cast<int>(v); }

}  // namespace

void SetGemmThreads(int threads) {
  EnsureThreads();
  openblas_set_num_threads(threads < 1 ? 1 : threads);
}

void SgemmRowMajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                   int64_t ldc) {
  EnsureThreads();
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
    }
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, Dim(m), Dim(n), Dim(k), alpha, a, Dim(lda), b,
              Dim(ldb), beta, c, Dim(ldc));
}

void DgemmRowMajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                   const double* a, int64_t lda, const double* b, int64_t ldb, double beta,
                   double* c, int64_t ldc) {
  EnsureThreads();
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
    }
    return;
  }
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, Dim(m), Dim(n), Dim(k), alpha, a, Dim(lda), b,
              Dim(ldb), beta, c, Dim(ldc));
}

}  // namespace convcheck::interp
