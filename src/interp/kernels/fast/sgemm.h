//===- interp/kernels/fast/sgemm.h - The fast path's float32 GEMM ---------===//
//
// C[m, n] = A[m, k] * B[k, n] (+ a bias per row or per column) in float32, for the fast paths
// of Conv, MatMul and Gemm (house style 8.2: reference kernels stay plain, anything faster lives
// apart, tested against the reference and justified by a benchmark; see bench/README.md).
//
// Why not OpenBLAS, the reference's GEMM: OpenBLAS repacks both operands on every call, so a
// model's constant weights are repacked on every run (a fifth of resnet18's time and more of
// ViT's, where M is 50 tokens), and a convolution's im2col matrix is written out whole and then
// packed again. Here a constant operand is packed once (PackA/PackB, kept by the kernel), and
// the other side is packed one L1-sized panel at a time by a callback, which for Conv builds the
// panel straight from the image (im2col and packing in one pass).
//
// Numerics, the same on every CPU, thread count and tiling: K is cut into blocks of
// kGemmKBlock (256); in each, the sequential fused multiply-add chain s = fma(a[i,p], b[p,j], s)
// in order of p from s = 0; the blocks' sums are added in order (c = s_0, then c = c + s_1, ...)
// in float32, then one rounding add of the bias if there is one. The blocks keep the rounding
// error of long sums (K up to 4608 in resnet18) near OpenBLAS's, which sums in blocks too.
// ReferenceSgemm below is that definition as a plain loop; the tests check the vector kernels
// against it bit for bit, and against OpenBLAS (a different but equally valid summation)
// within float tolerance. Inf and NaN propagate as in that loop; padding rows and columns of
// packed panels are zero and never stored.
//
// Kernels: AVX-512F (8 x 32 tile) or AVX2 + FMA (6 x 16 tile), chosen at run time; the binary
// itself stays baseline x86-64. Without AVX2 + FMA, Available() is false and callers keep the
// reference path.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_SGEMM_H_
#define CONVCHECK_INTERP_KERNELS_FAST_SGEMM_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "interp/kernels/fast/parallel.h"

namespace convcheck::interp::fast {

/// The K block of the numerics (above) and of the packed panels.
inline constexpr int kGemmKBlock = 256;

/// Whether the fast float32 kernels run on this CPU (AVX2 and FMA at least).
bool Available();

/// The kernel's tile: rows of A (mr) and columns of B (nr) per micro-kernel call, and the
/// block of K (kc) a packed panel holds.
struct GemmTile {
  int mr = 0, nr = 0, kc = 0;
};
GemmTile Tile();

/// A 64-byte aligned float buffer.
struct AlignedFloats {
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], Free> data;
  int64_t size = 0;
  static AlignedFloats Make(int64_t count);
};

/// A packed into panels of tile.mr rows: for each K block of tile.kc, for each row panel,
/// kc x mr floats (k-major); rows past m are zero.
struct PackedA {
  int64_t m = 0, k = 0;
  AlignedFloats buffer;
  const float* Panel(int64_t k0, int64_t row0) const;
};

/// B packed into panels of tile.nr columns: for each K block, for each column panel, kc x nr
/// floats (k-major); columns past n are zero.
struct PackedB {
  int64_t k = 0, n = 0;
  AlignedFloats buffer;
  const float* Panel(int64_t k0, int64_t col0) const;
};

/// Packs A [m, k] stored row-major with row stride lda, or transposed (A^T stored [k, m]).
PackedA PackA(const float* a, int64_t lda, bool transposed, int64_t m, int64_t k);
/// Packs B [k, n] stored row-major with row stride ldb, or transposed (B^T stored [n, k]).
PackedB PackB(const float* b, int64_t ldb, bool transposed, int64_t k, int64_t n);

/// Fills one panel of B: rows k0 .. k0+kc-1, columns col0 .. col0+tile.nr-1, as kc x nr floats
/// (k-major), zero past column n.
using BPanelFn = std::function<void(int64_t k0, int64_t kc, int64_t col0, float* panel)>;

/// A panel source that reads B [k, n] row-major (row stride ldb) as it goes.
BPanelFn RowMajorPanels(const float* b, int64_t ldb, int64_t n);

struct GemmArgs {
  int64_t m = 0, n = 0, k = 0;
  const PackedA* a = nullptr;
  // B: packed, or a panel source.
  const PackedB* b = nullptr;
  BPanelFn b_panels;
  float* c = nullptr;
  int64_t ldc = 0;
  const float* row_bias = nullptr;  // c[i, j] = sum + row_bias[i]
  const float* col_bias = nullptr;  // c[i, j] = sum + col_bias[j]
};

/// C = A * B (+ bias), split over `threads` (each C element is computed by one thread).
void Sgemm(const GemmArgs& args, const Parallel& parallel);

/// The definition the fast kernels implement, as a plain loop (for tests).
void ReferenceSgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                    int64_t ldb, float* c, int64_t ldc, const float* row_bias,
                    const float* col_bias);

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_SGEMM_H_
