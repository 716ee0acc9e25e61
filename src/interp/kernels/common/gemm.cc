#include "interp/kernels/common/gemm.h"

// Only for the declarations' types (decltype): OpenBLAS is loaded with dlopen, never linked.
#include <cblas.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace convcheck::interp {
namespace {

// OpenBLAS, loaded by hand. Linked normally, it picks its kernels in its own constructor, before
// any of our code runs, from the CPU's family and model number; a CPU newer than the library
// (Debian 12's 0.3.21 on an Emerald Rapids Xeon, family 6 model 207) falls back to "Prescott",
// the SSE3 kernels, a third of the speed of the AVX-512 ones (measured: 27 against 89 GFLOP/s
// on a 128x784x1152 SGEMM). Its one switch, OPENBLAS_CORETYPE, is read by that constructor, so
// it must be in the environment before the library loads: we set it from the CPU's features
// (what ONNX Runtime's MLAS dispatches on) unless the user did, load the library, and restore
// the environment so that child processes (the Python worker's torch) see the user's own.
// OPENBLAS_NUM_THREADS is held at 1 the same way, so that loading starts no idle thread pool
// (which every fork of the conformance and campaign runners would shut down and restart);
// SetGemmThreads grows it when asked.
struct Blas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  decltype(&cblas_dgemm) dgemm = nullptr;
  decltype(&openblas_set_num_threads) set_num_threads = nullptr;
  decltype(&openblas_get_config) get_config = nullptr;
  decltype(&openblas_get_corename) get_corename = nullptr;
  std::string error;  // Why the library is missing, when it is.
};

// The kernel family for this CPU's features, or nullptr to leave the choice to OpenBLAS.
const char* CoreTypeForCpu() {
  __builtin_cpu_init();
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512cd")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;
}

// Sets `name` to `value` unless it is set; true when it set it (and must unset it later).
bool SetDefaultEnv(const char* name, const char* value) {
  const char* current = std::getenv(name);
  if (value == nullptr || (current != nullptr && *current != '\0')) return false;
  return setenv(name, value, /*overwrite=*/1) == 0;
}

Blas LoadBlas() {
  Blas blas;
  const bool set_core = SetDefaultEnv("OPENBLAS_CORETYPE", CoreTypeForCpu());
  const bool set_threads = SetDefaultEnv("OPENBLAS_NUM_THREADS", "1");
  void* handle = nullptr;
  for (const char* name : {"libopenblas.so.0", "libopenblas.so"}) {
    handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle) break;
  }
  if (set_core) unsetenv("OPENBLAS_CORETYPE");
  if (set_threads) unsetenv("OPENBLAS_NUM_THREADS");
  if (!handle) {
    const char* why = dlerror();
    blas.error = std::string("cannot load libopenblas.so.0: ") + (why ? why : "unknown error");
    return blas;
  }
  blas.sgemm = reinterpret_cast<decltype(blas.sgemm)>(dlsym(handle, "cblas_sgemm"));
  blas.dgemm = reinterpret_cast<decltype(blas.dgemm)>(dlsym(handle, "cblas_dgemm"));
  blas.set_num_threads =
      reinterpret_cast<decltype(blas.set_num_threads)>(dlsym(handle, "openblas_set_num_threads"));
  blas.get_config =
      reinterpret_cast<decltype(blas.get_config)>(dlsym(handle, "openblas_get_config"));
  blas.get_corename =
      reinterpret_cast<decltype(blas.get_corename)>(dlsym(handle, "openblas_get_corename"));
  if (!blas.sgemm || !blas.dgemm || !blas.set_num_threads) {
    blas = Blas();
    blas.error = "libopenblas.so.0 lacks cblas_sgemm, cblas_dgemm or openblas_set_num_threads";
    return blas;
  }
  blas.set_num_threads(1);
  return blas;
}

const Blas& GetBlas() {
  static const Blas blas = LoadBlas();
  return blas;
}

// Loaded when the program starts, as a linked library would be: the conformance and campaign
// runners fork a child per model, and a library loaded in the parent is loaded for every child
// (dlopen and OpenBLAS's start-up take about 15 ms, a tenth of a small model's whole run).
[[maybe_unused]] const bool kBlasLoadedAtStart = (GetBlas(), true);

// Without OpenBLAS, float and double fall back to the plain loop of gemm.h (correct, slow);
// said once on stderr so that a slow run has a visible cause.
bool HaveBlas() {
  const Blas& blas = GetBlas();
  if (blas.sgemm) return true;
  static const bool warned = [&] {
    std::fprintf(stderr, "convcheck: %s; GEMM falls back to plain loops (slow)\n",
                 blas.error.c_str());
    return true;
  }();
  (void)warned;
  return false;
}

// cblas wants int dims; a GEMM beyond 2^31 per dimension is not a reference-interpreter case,
// and Prepare of every caller bounds its shapes well below that.
int Dim(int64_t v) { return static_cast<int>(v); }

template <typename T>
void ZeroK(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
  }
}

}  // namespace

void SetGemmThreads(int threads) {
  if (HaveBlas()) GetBlas().set_num_threads(threads < 1 ? 1 : threads);
}

std::string BlasDescription() {
  const Blas& blas = GetBlas();
  if (!blas.sgemm) return blas.error;
  std::string s = blas.get_config ? blas.get_config() : "OpenBLAS";
  if (blas.get_corename) s += std::string(", kernels ") + blas.get_corename();
  return s;
}

void SgemmRowMajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                   int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) return ZeroK(m, n, beta, c, ldc);
  if (!HaveBlas()) {
    return GemmLoop(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  GetBlas().sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                  trans_b ? CblasTrans : CblasNoTrans, Dim(m), Dim(n), Dim(k), alpha, a, Dim(lda),
                  b, Dim(ldb), beta, c, Dim(ldc));
}

void DgemmRowMajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                   const double* a, int64_t lda, const double* b, int64_t ldb, double beta,
                   double* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) return ZeroK(m, n, beta, c, ldc);
  if (!HaveBlas()) {
    return GemmLoop(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  GetBlas().dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                  trans_b ? CblasTrans : CblasNoTrans, Dim(m), Dim(n), Dim(k), alpha, a, Dim(lda),
                  b, Dim(ldb), beta, c, Dim(ldc));
}

}  // namespace convcheck::interp
