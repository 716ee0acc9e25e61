// The fast path's vector loops for AVX-512F: a 16-float vector is one zmm register (see simd.h).
#include <immintrin.h>

#include <cstdint>

#include "interp/kernels/fast/simd.h"
#include "interp/kernels/nn/im2col.h"

#pragma GCC push_options
#pragma GCC target("avx512f")

namespace convcheck::interp::fast {
namespace {

constexpr int kNr = 32;

typedef float V16 __attribute__((vector_size(64)));
typedef float V16u __attribute__((vector_size(64), aligned(4)));
typedef int I16 __attribute__((vector_size(64)));
typedef double V8d __attribute__((vector_size(64)));
typedef long long V8l __attribute__((vector_size(64)));
typedef float V8f __attribute__((vector_size(32)));

inline V16 Load16(const float* p) { return *reinterpret_cast<const V16u*>(p); }
inline void Store16(float* p, V16 v) { *reinterpret_cast<V16u*>(p) = v; }
inline V16 Splat(float v) { return V16{} + v; }

inline V8d Fma8(V8d a, V8d b, V8d c) {
  return reinterpret_cast<V8d>(_mm512_fmadd_pd(
      reinterpret_cast<__m512d>(a), reinterpret_cast<__m512d>(b), reinterpret_cast<__m512d>(c)));
}
// 1 / a: the 14-bit estimate, then two Newton steps (2^-28, then the double's own rounding).
inline V8d Recip8(V8d a) {
  V8d y = reinterpret_cast<V8d>(_mm512_rcp14_pd(reinterpret_cast<__m512d>(a)));
  for (int step = 0; step < 2; ++step) y = Fma8(y, Fma8(-a, y, V8d{} + 1.0), y);
  return y;
}
inline V8d Lookup16(const double* table, V8l index) {
  const __m512d lo = _mm512_load_pd(table), hi = _mm512_load_pd(table + 8);
  return reinterpret_cast<V8d>(_mm512_permutex2var_pd(lo, reinterpret_cast<__m512i>(index), hi));
}

// The lanes [from, to) of a 16-lane block as a bit mask (clipped to the block).
inline uint32_t LaneMask(int64_t from, int64_t to) {
  from = from < 0 ? 0 : from;
  to = to > 16 ? 16 : to;
  if (to <= from) return 0;
  return ((1u << to) - 1) & ~((1u << from) - 1);
}

// Lanes whose bit is set in `mask` read p[lane] (p may point outside the data where the mask is
// clear: masked lanes are not accessed); the others are 0.
inline V16 MaskLoad16(const float* p, uint32_t mask) {
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>(mask), p);
}
// acc + v in the lanes of `mask`, acc elsewhere.
inline V16 MaskAdd16(V16 acc, V16 v, uint32_t mask) {
  return _mm512_mask_add_ps(acc, static_cast<__mmask16>(mask), acc, v);
}
// Stores the lanes in `mask` only.
inline void MaskStore16(float* p, uint32_t mask, V16 v) {
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>(mask), v);
}
// Lanes in `mask` read base[index[lane]], the others are 0.
inline V16 MaskGather16(const float* base, I16 index, uint32_t mask) {
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), static_cast<__mmask16>(mask),
                                  reinterpret_cast<__m512i>(index), base, 4);
}

#include "interp/kernels/fast/depthwise.inc"
#include "interp/kernels/fast/panels.inc"
#include "interp/kernels/fast/transcendental.inc"

}  // namespace

const SimdKernels kSimdAvx512 = {kNr,          DepthwisePlane,  RowMajorPanel, ColumnPanel,
                                 SigmoidFloat, SoftmaxRowFloat, ExpForTesting};

}  // namespace convcheck::interp::fast

#pragma GCC pop_options
