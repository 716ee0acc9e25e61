//===- interp/kernels/fast/simd.h - The fast path's per-ISA entry points --===//
//
// The vector loops of the fast path are written once (the *.inc files next to this header) and
// compiled twice, in simd_avx512.cc and simd_avx2.cc, each inside a `#pragma GCC target`
// region; Simd() returns the set for the current instruction set (isa.h). Everything else in
// those files has internal linkage, so the linker can never pick code built for one instruction
// set where another is running.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_SIMD_H_
#define CONVCHECK_INTERP_KERNELS_FAST_SIMD_H_

#include <cstdint>

#include "interp/kernels/nn/window.h"

namespace convcheck::interp::fast {

/// The column masks of a depthwise convolution's output rows, the same for every channel and
/// row: per block of 16 output columns and kernel column kw, the lanes whose input column exists
/// (`valid`), and for stride 2 the same lanes as the two halves of a 32-float input window.
struct DepthwiseColumns {
  static constexpr int kMaxBlocks = 64, kMaxKernel = 16;
  int64_t blocks = 0;
  int64_t offset[kMaxKernel];  // Input column of output column 0 for each kw.
  uint32_t valid[kMaxBlocks][kMaxKernel], load0[kMaxBlocks][kMaxKernel],
      load1[kMaxBlocks][kMaxKernel];
  bool interior[kMaxBlocks];  // Every lane valid for every kw: no masks needed.
  /// False when the geometry is beyond the table (wider than 1024 outputs, kernels over 16
  /// columns, strides over 2): the plain loop then.
  bool usable = false;
};
/// The table for `g`.
DepthwiseColumns MakeDepthwiseColumns(const nn::Geometry& g);

struct SimdKernels {
  /// Panel width (columns of B) of this instruction set's GEMM tile.
  int nr;
  /// One depthwise output plane (see convolution.h for the numerics).
  void (*depthwise_plane)(const float* x, const float* w, float bias, bool has_bias, float* y,
                          const nn::Geometry& g, const DepthwiseColumns& columns);
  /// A GEMM panel of rows k0 .. k0 + kc - 1 of B [k, n] row-major (row stride ldb), nr columns
  /// from col0 (zero past n), k-major.
  void (*row_major_panel)(const float* b, int64_t ldb, int64_t n, int64_t k0, int64_t kc,
                          int64_t col0, float* panel);
  /// The same panel of the column matrix (im2col) of one image x [channels, in...].
  void (*column_panel)(const float* x, const nn::Geometry& g, int64_t k0, int64_t kc, int64_t col0,
                       float* panel);
  /// y = sigmoid(x) as the reference computes it (transcendental.inc); `reference` recomputes
  /// the elements the vector path cannot vouch for.
  void (*sigmoid)(const float* x, float* y, int64_t n, double (*reference)(double));
  /// One softmax row; false when the reference must do it. `scratch` holds n doubles.
  bool (*softmax_row)(const float* x, float* y, int64_t n, double* scratch);
  /// For tests: the vector exp on doubles in [-708, 708].
  void (*exp_for_testing)(const double* d, double* out, int64_t n);
};

/// The kernels for CurrentIsa(); only valid when Available().
const SimdKernels& Simd();

extern const SimdKernels kSimdAvx512;
extern const SimdKernels kSimdAvx2;

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_SIMD_H_
