//===- interp/kernels/nn/im2col.h - im2col and col2im over 3-D geometry ---===//
//
// The column matrix has one row per (channel, kd, kh, kw) and one column per output position,
// both in row-major order, so Conv is W[M, C*K] x col[C*K, out] and ConvTranspose is the
// transpose of that product scattered back with Col2Im. Loops run with the output width
// innermost so reads of a row of the input are (strided) sequential.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_NN_IM2COL_H_
#define CONVCHECK_INTERP_KERNELS_NN_IM2COL_H_

#include <algorithm>
#include <cstdint>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/nn/window.h"

namespace convcheck::interp::nn {

/// x: [channels, in...]; col: [channels * kernel_size, out_size]. Positions in the padding read
/// `pad_value` (0 for Conv; the zero point already subtracted for the integer convs).
/// The output positions o in [0, out) whose input position o * stride + offset lies in
/// [0, in): [*lo, *hi), empty when none does.
inline void ValidRange(int64_t offset, int64_t stride, int64_t in, int64_t out, int64_t* lo,
                       int64_t* hi) {
  *lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  *hi = in - offset <= 0 ? 0 : (in - offset + stride - 1) / stride;
  *lo = std::min(*lo, out);
  *hi = std::max(std::min(*hi, out), *lo);
}

/// Im2Col for one or two spatial dims: the bounds of each column-matrix row are worked out once
/// per (kh, kw) instead of per element, and unit-stride rows are plain copies. About 5x faster
/// than the general loop on resnet18's 3x3 convolutions, where im2col rivalled the GEMM.
template <typename T>
void Im2Col2D(const T* x, int64_t channels, const Geometry& g, T pad_value, T* col) {
  const int64_t in_h = g.in[1], in_w = g.in[2], out_h = g.out[1], out_w = g.out[2];
  const int64_t sw = g.stride[2];
  T* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * g.in_size();
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        const int64_t offset = kw * g.dilation[2] - g.pad_begin[2];
        int64_t lo, hi;
        ValidRange(offset, sw, in_w, out_w, &lo, &hi);
        for (int64_t oh = 0; oh < out_h; ++oh, dst += out_w) {
          const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
          if (ih < 0 || ih >= in_h) {
            std::fill(dst, dst + out_w, pad_value);
            continue;
          }
          const T* row = xc + ih * in_w;
          std::fill(dst, dst + lo, pad_value);
          if (sw == 1) {
            std::copy(row + lo + offset, row + hi + offset, dst + lo);
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = row[ow * sw + offset];
          }
          std::fill(dst + hi, dst + out_w, pad_value);
        }
      }
    }
  }
}

template <typename T>
void Im2Col(const T* x, int64_t channels, const Geometry& g, T pad_value, T* col) {
  if (g.in[0] == 1 && g.kernel[0] == 1 && g.out[0] == 1 && g.pad_begin[0] == 0) {
    Im2Col2D(x, channels, g, pad_value, col);
    return;
  }
  const int64_t in_size = g.in_size();
  const int64_t row_w = g.out[2];
  T* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * in_size;
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
            for (int64_t oh = 0; oh < g.out[1]; ++oh) {
              const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
              if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
                for (int64_t ow = 0; ow < row_w; ++ow) *dst++ = pad_value;
                continue;
              }
              const T* row = xc + (id * g.in[1] + ih) * g.in[2];
              const int64_t base = kw * g.dilation[2] - g.pad_begin[2];
              for (int64_t ow = 0; ow < row_w; ++ow) {
                const int64_t iw = ow * g.stride[2] + base;
                *dst++ = (iw >= 0 && iw < g.in[2]) ? row[iw] : pad_value;
              }
            }
          }
        }
      }
    }
  }
}

/// The adjoint of Im2Col: adds col [channels * kernel_size, out_size] into y [channels, in...]
/// (y must be zeroed or hold values to accumulate onto). Padding positions are dropped.
/// Accumulates in ComputeT<T>.
template <typename T>
void Col2Im(const T* col, int64_t channels, const Geometry& g, T* y) {
  const int64_t in_size = g.in_size();
  const T* src = col;
  for (int64_t c = 0; c < channels; ++c) {
    T* yc = y + c * in_size;
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
            for (int64_t oh = 0; oh < g.out[1]; ++oh) {
              const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
              if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
                src += g.out[2];
                continue;
              }
              T* row = yc + (id * g.in[1] + ih) * g.in[2];
              const int64_t base = kw * g.dilation[2] - g.pad_begin[2];
              for (int64_t ow = 0; ow < g.out[2]; ++ow, ++src) {
                const int64_t iw = ow * g.stride[2] + base;
                if (iw >= 0 && iw < g.in[2]) row[iw] = Store<T>(Load(row[iw]) + Load(*src));
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace convcheck::interp::nn

#endif  // CONVCHECK_INTERP_KERNELS_NN_IM2COL_H_
