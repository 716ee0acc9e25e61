// The fast path's vector loops for AVX2: a 16-float vector is two ymm registers (see simd.h).
#include <immintrin.h>

#include <cstdint>

#include "interp/kernels/fast/simd.h"
#include "interp/kernels/nn/im2col.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace convcheck::interp::fast {
namespace {

constexpr int kNr = 16;

typedef float V16 __attribute__((vector_size(64)));
typedef float V16u __attribute__((vector_size(64), aligned(4)));
typedef int I16 __attribute__((vector_size(64)));
typedef double V8d __attribute__((vector_size(64)));
typedef long long V8l __attribute__((vector_size(64)));
typedef float V8f __attribute__((vector_size(32)));

inline V16 Load16(const float* p) { return *reinterpret_cast<const V16u*>(p); }
inline void Store16(float* p, V16 v) { *reinterpret_cast<V16u*>(p) = v; }
inline V16 Splat(float v) { return V16{} + v; }

inline __m256d Lo(V8d v) {
  __m256d h;
  __builtin_memcpy(&h, &v, 32);
  return h;
}
inline __m256d Hi(V8d v) {
  __m256d h;
  __builtin_memcpy(&h, reinterpret_cast<const char*>(&v) + 32, 32);
  return h;
}
inline V8d Join(__m256d lo, __m256d hi) {
  V8d v;
  __builtin_memcpy(&v, &lo, 32);
  __builtin_memcpy(reinterpret_cast<char*>(&v) + 32, &hi, 32);
  return v;
}
inline V8d Fma8(V8d a, V8d b, V8d c) {
  return Join(_mm256_fmadd_pd(Lo(a), Lo(b), Lo(c)), _mm256_fmadd_pd(Hi(a), Hi(b), Hi(c)));
}
// AVX2 has no double reciprocal estimate; the division is exact.
inline V8d Recip8(V8d a) { return 1.0 / a; }
inline V8d Lookup16(const double* table, V8l index) {
  __m256i lo, hi;
  __builtin_memcpy(&lo, &index, 32);
  __builtin_memcpy(&hi, reinterpret_cast<const char*>(&index) + 32, 32);
  return Join(_mm256_i64gather_pd(table, lo, 8), _mm256_i64gather_pd(table, hi, 8));
}

// The lanes [from, to) of a 16-lane block as a bit mask (clipped to the block).
inline uint32_t LaneMask(int64_t from, int64_t to) {
  from = from < 0 ? 0 : from;
  to = to > 16 ? 16 : to;
  if (to <= from) return 0;
  return ((1u << to) - 1) & ~((1u << from) - 1);
}

// An 8-lane mask vector from bits of `mask`.
inline __m256i Lanes8(uint32_t mask) {
  const __m256i bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i m = _mm256_set1_epi32(static_cast<int>(mask & 0xFF));
  return _mm256_cmpeq_epi32(_mm256_and_si256(m, bits), bits);
}
// Lanes whose bit is set in `mask` read p[lane] (p may point outside the data where the mask is
// clear: masked lanes are not accessed); the others are 0.
inline V16 MaskLoad16(const float* p, uint32_t mask) {
  const __m256 lo = _mm256_maskload_ps(p, Lanes8(mask));
  const __m256 hi = _mm256_maskload_ps(p + 8, Lanes8(mask >> 8));
  V16 v;
  __builtin_memcpy(&v, &lo, 32);
  __builtin_memcpy(reinterpret_cast<char*>(&v) + 32, &hi, 32);
  return v;
}
// acc + v in the lanes of `mask`, acc elsewhere.
inline V16 MaskAdd16(V16 acc, V16 v, uint32_t mask) {
  __m256 a_lo, a_hi, v_lo, v_hi;
  __builtin_memcpy(&a_lo, &acc, 32);
  __builtin_memcpy(&a_hi, reinterpret_cast<const char*>(&acc) + 32, 32);
  __builtin_memcpy(&v_lo, &v, 32);
  __builtin_memcpy(&v_hi, reinterpret_cast<const char*>(&v) + 32, 32);
  const __m256 lo =
      _mm256_blendv_ps(a_lo, _mm256_add_ps(a_lo, v_lo), _mm256_castsi256_ps(Lanes8(mask)));
  const __m256 hi =
      _mm256_blendv_ps(a_hi, _mm256_add_ps(a_hi, v_hi), _mm256_castsi256_ps(Lanes8(mask >> 8)));
  V16 r;
  __builtin_memcpy(&r, &lo, 32);
  __builtin_memcpy(reinterpret_cast<char*>(&r) + 32, &hi, 32);
  return r;
}
// Stores the lanes in `mask` only.
inline void MaskStore16(float* p, uint32_t mask, V16 v) {
  __m256 lo, hi;
  __builtin_memcpy(&lo, &v, 32);
  __builtin_memcpy(&hi, reinterpret_cast<const char*>(&v) + 32, 32);
  _mm256_maskstore_ps(p, Lanes8(mask), lo);
  _mm256_maskstore_ps(p + 8, Lanes8(mask >> 8), hi);
}
// Lanes in `mask` read base[index[lane]], the others are 0.
inline V16 MaskGather16(const float* base, I16 index, uint32_t mask) {
  __m256i i_lo, i_hi;
  __builtin_memcpy(&i_lo, &index, 32);
  __builtin_memcpy(&i_hi, reinterpret_cast<const char*>(&index) + 32, 32);
  const __m256 zero = _mm256_setzero_ps();
  const __m256 lo =
      _mm256_mask_i32gather_ps(zero, base, i_lo, _mm256_castsi256_ps(Lanes8(mask)), 4);
  const __m256 hi =
      _mm256_mask_i32gather_ps(zero, base, i_hi, _mm256_castsi256_ps(Lanes8(mask >> 8)), 4);
  V16 v;
  __builtin_memcpy(&v, &lo, 32);
  __builtin_memcpy(reinterpret_cast<char*>(&v) + 32, &hi, 32);
  return v;
}

#include "interp/kernels/fast/depthwise.inc"
#include "interp/kernels/fast/panels.inc"
#include "interp/kernels/fast/transcendental.inc"

}  // namespace

const SimdKernels kSimdAvx2 = {kNr,          DepthwisePlane,  RowMajorPanel, ColumnPanel,
                               SigmoidFloat, SoftmaxRowFloat, ExpForTesting};

}  // namespace convcheck::interp::fast

#pragma GCC pop_options
