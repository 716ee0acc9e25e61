#include "interp/kernels/fast/sgemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "interp/kernels/fast/isa.h"
#include "interp/kernels/fast/simd.h"

namespace convcheck::interp::fast {
namespace {

// Tiles: AVX-512 has 32 vector registers, enough for 8 rows x 2 vectors of accumulators (16)
// plus B's two vectors; AVX2 has 16, hence 6 x 2. kc keeps one B panel (kc x nr floats, 32 KB
// and 16 KB) in a 48 KB L1 while every row panel of A passes over it; it is also the block of
// the numerics (sgemm.h), so it is the same for both.
constexpr GemmTile kAvx512Tile{8, 32, kGemmKBlock};
constexpr GemmTile kAvx2Tile{6, 16, kGemmKBlock};

int64_t RoundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

// ---------------------------------------------------------------------------------------------
// Micro-kernels: the block's sum acc = fma(a, b, acc) in order of p from zero, over an A panel
// [kc x mr] and a B panel [kc x nr]; C = acc, or with `load` (a later K block) C = C + acc. On
// the last K block the biases are added with one rounding each.
// ---------------------------------------------------------------------------------------------

using KernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                          int cols, bool load, const float* row_bias, const float* col_bias);

template <int R>
__attribute__((target("avx512f"))) void KernelAvx512(int64_t kc, const float* a, const float* b,
                                                     float* c, int64_t ldc, int cols, bool load,
                                                     const float* row_bias, const float* col_bias) {
  constexpr int kMr = kAvx512Tile.mr;
  const __mmask16 m0 = cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 m1 =
      cols >= 32 ? 0xFFFF : (cols <= 16 ? 0 : static_cast<__mmask16>((1u << (cols - 16)) - 1));
  __m512 acc0[R], acc1[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    acc0[r] = _mm512_setzero_ps();
    acc1[r] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_load_ps(b + p * 32);
    const __m512 b1 = _mm512_load_ps(b + p * 32 + 16);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[p * kMr + r]);
      acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
    }
  }
  if (load) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      acc0[r] = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, c + r * ldc), acc0[r]);
      acc1[r] = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, c + r * ldc + 16), acc1[r]);
    }
  }
  if (col_bias) {
    const __m512 cb0 = _mm512_maskz_loadu_ps(m0, col_bias);
    const __m512 cb1 = _mm512_maskz_loadu_ps(m1, col_bias + 16);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      acc0[r] = _mm512_add_ps(acc0[r], cb0);
      acc1[r] = _mm512_add_ps(acc1[r], cb1);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    if (row_bias) {
      const __m512 rb = _mm512_set1_ps(row_bias[r]);
      acc0[r] = _mm512_add_ps(acc0[r], rb);
      acc1[r] = _mm512_add_ps(acc1[r], rb);
    }
    _mm512_mask_storeu_ps(c + r * ldc, m0, acc0[r]);
    _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc1[r]);
  }
}

template <int R>
__attribute__((target("avx2,fma"))) void KernelAvx2(int64_t kc, const float* a, const float* b,
                                                    float* c, int64_t ldc, int cols, bool load,
                                                    const float* row_bias, const float* col_bias) {
  constexpr int kMr = kAvx2Tile.mr;
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lanes);
  const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lanes);
  __m256 acc0[R], acc1[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    acc0[r] = _mm256_setzero_ps();
    acc1[r] = _mm256_setzero_ps();
  }
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b + p * 16);
    const __m256 b1 = _mm256_load_ps(b + p * 16 + 8);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + p * kMr + r);
      acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
    }
  }
  if (load) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      acc0[r] = _mm256_add_ps(_mm256_maskload_ps(c + r * ldc, m0), acc0[r]);
      acc1[r] = _mm256_add_ps(_mm256_maskload_ps(c + r * ldc + 8, m1), acc1[r]);
    }
  }
  if (col_bias) {
    const __m256 cb0 = _mm256_maskload_ps(col_bias, m0);
    const __m256 cb1 = _mm256_maskload_ps(col_bias + 8, m1);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      acc0[r] = _mm256_add_ps(acc0[r], cb0);
      acc1[r] = _mm256_add_ps(acc1[r], cb1);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    if (row_bias) {
      const __m256 rb = _mm256_set1_ps(row_bias[r]);
      acc0[r] = _mm256_add_ps(acc0[r], rb);
      acc1[r] = _mm256_add_ps(acc1[r], rb);
    }
    _mm256_maskstore_ps(c + r * ldc, m0, acc0[r]);
    _mm256_maskstore_ps(c + r * ldc + 8, m1, acc1[r]);
  }
}

// Indexed by rows - 1.
constexpr KernelFn kAvx512Kernels[] = {KernelAvx512<1>, KernelAvx512<2>, KernelAvx512<3>,
                                       KernelAvx512<4>, KernelAvx512<5>, KernelAvx512<6>,
                                       KernelAvx512<7>, KernelAvx512<8>};
constexpr KernelFn kAvx2Kernels[] = {KernelAvx2<1>, KernelAvx2<2>, KernelAvx2<3>,
                                     KernelAvx2<4>, KernelAvx2<5>, KernelAvx2<6>};

const KernelFn* Kernels() { return CurrentIsa() == Isa::kAvx512 ? kAvx512Kernels : kAvx2Kernels; }

// The scratch panel of the calling thread, for B panels made by a panel source.
float* ScratchPanel(int64_t floats) {
  thread_local AlignedFloats scratch;
  if (scratch.size < floats) scratch = AlignedFloats::Make(floats);
  return scratch.data.get();
}

}  // namespace

bool Available() { return CurrentIsa() != Isa::kNone; }

GemmTile Tile() { return CurrentIsa() == Isa::kAvx512 ? kAvx512Tile : kAvx2Tile; }

void AlignedFloats::Free::operator()(float* p) const { std::free(p); }

AlignedFloats AlignedFloats::Make(int64_t count) {
  AlignedFloats f;
  const size_t bytes = static_cast<size_t>(RoundUp(std::max<int64_t>(count, 1) * 4, 64));
  f.data.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
  if (!f.data) throw std::bad_alloc();
  f.size = count;
  return f;
}

const float* PackedA::Panel(int64_t k0, int64_t row0) const {
  const GemmTile t = Tile();
  const int64_t kcur = std::min<int64_t>(t.kc, k - k0);
  return buffer.data.get() + k0 * RoundUp(m, t.mr) + row0 * kcur;
}

const float* PackedB::Panel(int64_t k0, int64_t col0) const {
  const GemmTile t = Tile();
  const int64_t kcur = std::min<int64_t>(t.kc, k - k0);
  return buffer.data.get() + k0 * RoundUp(n, t.nr) + col0 * kcur;
}

PackedA PackA(const float* a, int64_t lda, bool transposed, int64_t m, int64_t k) {
  const GemmTile t = Tile();
  PackedA packed;
  packed.m = m;
  packed.k = k;
  const int64_t m_pad = RoundUp(m, t.mr);
  packed.buffer = AlignedFloats::Make(m_pad * k);
  float* out = packed.buffer.data.get();
  for (int64_t k0 = 0; k0 < k; k0 += t.kc) {
    const int64_t kcur = std::min<int64_t>(t.kc, k - k0);
    for (int64_t row0 = 0; row0 < m_pad; row0 += t.mr) {
      for (int64_t p = 0; p < kcur; ++p) {
        for (int r = 0; r < t.mr; ++r) {
          const int64_t row = row0 + r, col = k0 + p;
          *out++ = row >= m ? 0.0f : (transposed ? a[col * lda + row] : a[row * lda + col]);
        }
      }
    }
  }
  return packed;
}

PackedB PackB(const float* b, int64_t ldb, bool transposed, int64_t k, int64_t n) {
  const GemmTile t = Tile();
  PackedB packed;
  packed.k = k;
  packed.n = n;
  const int64_t n_pad = RoundUp(n, t.nr);
  packed.buffer = AlignedFloats::Make(n_pad * k);
  float* out = packed.buffer.data.get();
  for (int64_t k0 = 0; k0 < k; k0 += t.kc) {
    const int64_t kcur = std::min<int64_t>(t.kc, k - k0);
    for (int64_t col0 = 0; col0 < n_pad; col0 += t.nr) {
      for (int64_t p = 0; p < kcur; ++p) {
        for (int j = 0; j < t.nr; ++j) {
          const int64_t row = k0 + p, col = col0 + j;
          *out++ = col >= n ? 0.0f : (transposed ? b[col * ldb + row] : b[row * ldb + col]);
        }
      }
    }
  }
  return packed;
}

BPanelFn RowMajorPanels(const float* b, int64_t ldb, int64_t n) {
  const auto fill = Simd().row_major_panel;
  return [b, ldb, n, fill](int64_t k0, int64_t kc, int64_t col0, float* panel) {
    fill(b, ldb, n, k0, kc, col0, panel);
  };
}

void Sgemm(const GemmArgs& args, const Parallel& parallel) {
  const int64_t m = args.m, n = args.n, k = args.k;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        float v = 0.0f;
        if (args.col_bias) v = v + args.col_bias[j];
        if (args.row_bias) v = v + args.row_bias[i];
        args.c[i * args.ldc + j] = v;
      }
    }
    return;
  }
  const GemmTile t = Tile();
  const KernelFn* kernels = Kernels();
  const int64_t col_panels = (n + t.nr - 1) / t.nr, row_panels = (m + t.mr - 1) / t.mr;
  // Tasks are blocks of column panels (each packs its own B panels), split further by rows when
  // there are fewer column blocks than threads. One task when single-threaded: best locality.
  const int threads = parallel.threads();
  int64_t col_tasks = 1, row_tasks = 1;
  if (threads > 1) {
    col_tasks = std::min<int64_t>(col_panels, 4 * threads);
    if (col_tasks < 2 * threads) row_tasks = std::min<int64_t>(row_panels, 2 * threads);
  }
  parallel.For(col_tasks * row_tasks, [&](int64_t task) {
    const int64_t ct = task / row_tasks, rt = task % row_tasks;
    const int64_t jp0 = col_panels * ct / col_tasks, jp1 = col_panels * (ct + 1) / col_tasks;
    const int64_t ip0 = row_panels * rt / row_tasks, ip1 = row_panels * (rt + 1) / row_tasks;
    float* scratch = args.b ? nullptr : ScratchPanel(static_cast<int64_t>(t.kc) * t.nr);
    for (int64_t k0 = 0; k0 < k; k0 += t.kc) {
      const int64_t kcur = std::min<int64_t>(t.kc, k - k0);
      const bool last = k0 + kcur >= k;
      for (int64_t jp = jp0; jp < jp1; ++jp) {
        const int64_t col0 = jp * t.nr;
        const int cols = static_cast<int>(std::min<int64_t>(t.nr, n - col0));
        const float* bp;
        if (args.b) {
          bp = args.b->Panel(k0, col0);
        } else {
          args.b_panels(k0, kcur, col0, scratch);
          bp = scratch;
        }
        for (int64_t ip = ip0; ip < ip1; ++ip) {
          const int64_t row0 = ip * t.mr;
          const int rows = static_cast<int>(std::min<int64_t>(t.mr, m - row0));
          kernels[rows - 1](kcur, args.a->Panel(k0, row0), bp, args.c + row0 * args.ldc + col0,
                            args.ldc, cols, /*load=*/k0 > 0,
                            last && args.row_bias ? args.row_bias + row0 : nullptr,
                            last && args.col_bias ? args.col_bias + col0 : nullptr);
        }
      }
    }
  });
}

void ReferenceSgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                    int64_t ldb, float* c, int64_t ldc, const float* row_bias,
                    const float* col_bias) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t k0 = 0; k0 < k; k0 += kGemmKBlock) {
        float block = 0.0f;
        for (int64_t p = k0; p < std::min(k, k0 + kGemmKBlock); ++p) {
          block = std::fma(a[i * lda + p], b[p * ldb + j], block);
        }
        acc = k0 == 0 ? block : acc + block;
      }
      if (col_bias) acc = acc + col_bias[j];
      if (row_bias) acc = acc + row_bias[i];
      c[i * ldc + j] = acc;
    }
  }
}

}  // namespace convcheck::interp::fast
