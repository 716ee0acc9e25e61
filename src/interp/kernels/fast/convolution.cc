#include "interp/kernels/fast/convolution.h"

#include "interp/kernels/fast/simd.h"
#include "interp/kernels/nn/im2col.h"

namespace convcheck::interp::fast {
namespace {

bool NoDepth(const nn::Geometry& g) {
  return g.in[0] == 1 && g.kernel[0] == 1 && g.out[0] == 1 && g.pad_begin[0] == 0;
}

bool IsPointwise(const nn::Geometry& g) {
  for (int i = 0; i < 3; ++i) {
    if (g.kernel[i] != 1 || g.stride[i] != 1 || g.pad_begin[i] != 0 || g.pad_end[i] != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

DepthwiseColumns MakeDepthwiseColumns(const nn::Geometry& g) {
  DepthwiseColumns t;
  const int64_t out_w = g.out[2], kw_n = g.kernel[2], sw = g.stride[2];
  t.blocks = (out_w + 15) / 16;
  if (t.blocks > DepthwiseColumns::kMaxBlocks || kw_n > DepthwiseColumns::kMaxKernel || sw > 2) {
    return t;
  }
  t.usable = true;
  for (int64_t kw = 0; kw < kw_n; ++kw) {
    t.offset[kw] = kw * g.dilation[2] - g.pad_begin[2];
    int64_t lo, hi;  // Output columns whose input column exists.
    nn::ValidRange(t.offset[kw], sw, g.in[2], out_w, &lo, &hi);
    for (int64_t b = 0; b < t.blocks; ++b) {
      uint32_t valid = 0, load0 = 0, load1 = 0;
      for (int lane = 0; lane < 16; ++lane) {
        const int64_t ow = b * 16 + lane;
        if (ow < lo || ow >= hi) continue;
        valid |= 1u << lane;
        if (2 * lane < 16) {
          load0 |= 1u << (2 * lane);
        } else {
          load1 |= 1u << (2 * lane - 16);
        }
      }
      t.valid[b][kw] = valid;
      t.load0[b][kw] = load0;
      t.load1[b][kw] = load1;
    }
  }
  for (int64_t b = 0; b < t.blocks; ++b) {
    t.interior[b] = (b + 1) * 16 <= out_w;
    for (int64_t kw = 0; kw < kw_n; ++kw) t.interior[b] = t.interior[b] && t.valid[b][kw] == 0xFFFF;
  }
  return t;
}

bool Conv2DApplies(int64_t group, const nn::Geometry& g) {
  return Available() && group == 1 && NoDepth(g);
}

void Conv2D(const float* x, const PackedA& w, const float* bias, float* y, int64_t batch,
            int64_t channels, int64_t maps, const nn::Geometry& g, const Parallel& parallel) {
  const int64_t in_size = g.in_size(), out_size = g.out_size();
  for (int64_t n = 0; n < batch; ++n) {
    const float* xn = x + n * channels * in_size;
    GemmArgs args;
    args.m = maps;
    args.n = out_size;
    args.k = channels * g.kernel_size();
    args.a = &w;
    if (IsPointwise(g)) {
      args.b_panels = RowMajorPanels(xn, in_size, out_size);  // X is its own column matrix.
    } else {
      // The column matrix (im2col), one panel at a time, never whole.
      const auto fill = Simd().column_panel;
      args.b_panels = [xn, &g, fill](int64_t k0, int64_t kc, int64_t col0, float* panel) {
        fill(xn, g, k0, kc, col0, panel);
      };
    }
    args.c = y + n * maps * out_size;
    args.ldc = out_size;
    args.row_bias = bias;
    Sgemm(args, parallel);
  }
}

bool Depthwise2DApplies(int64_t group, int64_t channels, const nn::Geometry& g) {
  return Available() && group > 1 && group == channels && NoDepth(g);
}

void Depthwise2D(const float* x, const float* w, const float* bias, float* y, int64_t batch,
                 int64_t channels, int64_t maps, const nn::Geometry& g, const Parallel& parallel) {
  const int64_t per_channel = maps / channels, in_size = g.in_size(), out_size = g.out_size();
  const int64_t kernel_size = g.kernel[1] * g.kernel[2];
  const auto plane = Simd().depthwise_plane;
  const DepthwiseColumns columns = MakeDepthwiseColumns(g);  // Shared by every channel.
  parallel.For(batch * maps, [&](int64_t task) {
    const int64_t n = task / maps, m = task % maps, c = m / per_channel;
    const float* xc = x + (n * channels + c) * in_size;
    float* ym = y + (n * maps + m) * out_size;
    const float b = bias ? bias[m] : 0.0f;
    plane(xc, w + m * kernel_size, b, bias != nullptr, ym, g, columns);
  });
}

}  // namespace convcheck::interp::fast
