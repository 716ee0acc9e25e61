//===- interp/kernels/fast/convolution.h - Fast float32 convolutions ---===//
//
// The fast path of Conv (nn/conv.cc keeps the reference: im2col + OpenBLAS, and a plain
// depthwise loop):
//  - Conv2D: group 1, one or two spatial dims, as the packed GEMM of fast/sgemm.h with the
//    weights packed once and the image's column matrix built one L1-sized panel at a time,
//    never whole. Numerics: those of fast::Sgemm (a sequential FMA chain over c, kh, kw per
//    output, then + bias).
//  - Depthwise2D: one input channel per group (any channel multiplier), one or two spatial
//    dims, vectorised over the output width. Numerics: exactly the reference DepthwiseConv's:
//    y = 0, then y = y + w[kh, kw] * x[...] for kh, then kw, each product and sum rounded to
//    float (no FMA), bias added after; the tests check it bit for bit.
// Both split their work over output channels or column panels, never over a sum.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_CONVOLUTION_H_
#define CONVCHECK_INTERP_KERNELS_FAST_CONVOLUTION_H_

#include <cstdint>

#include "interp/kernels/fast/parallel.h"
#include "interp/kernels/fast/sgemm.h"
#include "interp/kernels/nn/window.h"

namespace convcheck::interp::fast {

/// Whether Conv2D applies: group 1 and no depth dimension (1-D or 2-D).
bool Conv2DApplies(int64_t group, const nn::Geometry& g);

/// y [batch, maps, out...] = conv(x [batch, channels, in...], w) + bias, with w packed by
/// PackA(W as [maps, channels * kernel_size]). `bias` may be null.
void Conv2D(const float* x, const PackedA& w, const float* bias, float* y, int64_t batch,
            int64_t channels, int64_t maps, const nn::Geometry& g, const Parallel& parallel);

/// Whether Depthwise2D applies: group == channels > 1 and no depth dimension.
bool Depthwise2DApplies(int64_t group, int64_t channels, const nn::Geometry& g);

/// Depthwise convolution with maps / channels outputs per input channel; `bias` may be null.
void Depthwise2D(const float* x, const float* w, const float* bias, float* y, int64_t batch,
                 int64_t channels, int64_t maps, const nn::Geometry& g, const Parallel& parallel);

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_CONVOLUTION_H_
