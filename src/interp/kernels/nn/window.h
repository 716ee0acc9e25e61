//===- interp/kernels/nn/window.h - Sliding-window geometry for conv/pool -===//
//
// Conv, ConvTranspose, ConvInteger, QLinearConv and the pools all slide a window over the
// spatial dimensions of an [N, C, D1, ..., Dr] tensor and share the same attributes:
// kernel_shape, strides, dilations, pads ([b1..br, e1..er]) and auto_pad. This header reads
// and validates them and computes the output extent, so every kernel agrees on the rules:
//
//   NOTSET:      out = floor((in + pb + pe - ((k - 1) * d + 1)) / s) + 1   (ceil with ceil_mode)
//   VALID:       pads are 0, same formula
//   SAME_UPPER:  out = ceil(in / s); total pad = max(0, (out - 1) * s + (k - 1) * d + 1 - in),
//                the odd unit going to the end; SAME_LOWER puts it at the beginning.
//
// With ceil_mode a window that would start inside the end padding is dropped (PyTorch and
// onnxruntime do the same; the ONNX reference never produces such a window in its tests).
//
// Geometry is kept for up to 3 spatial dimensions, padded at the front with size-1 dimensions
// (kernel 1, stride 1, no pads), so kernels have one 3-D loop nest instead of one per rank.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_NN_WINDOW_H_
#define CONVCHECK_INTERP_KERNELS_NN_WINDOW_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "interp/kernel.h"

namespace convcheck::interp::nn {

inline constexpr int kMaxSpatialRank = 3;

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

/// Window attributes as written on the node, validated against the spatial rank.
struct WindowAttrs {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: 2 * rank entries.
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;
};

/// 3-D geometry: index 0..2 are D, H, W after front-padding with size-1 dimensions.
struct Geometry {
  int rank = 0;  // Spatial rank as given (1..3).
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1},
      dilation{1, 1, 1}, pad_begin{0, 0, 0}, pad_end{0, 0, 0};
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  /// The output spatial dims in the original rank.
  std::vector<int64_t> OutDims() const {
    return std::vector<int64_t>(out.begin() + (3 - rank), out.end());
  }
};

/// Joins a vector of ints as "[1,2,3]" for messages.
inline std::string IntsToString(const std::vector<int64_t>& v) { return ShapeToString(v); }

/// Reads kernel_shape (or takes `kernel_from_weights` when the attribute is absent and that is
/// non-empty), strides, dilations, pads, auto_pad and (if `allow_ceil`) ceil_mode.
Status ReadWindowAttrs(const KernelContext& ctx, int rank,
                       const std::vector<int64_t>& kernel_from_weights, bool allow_ceil,
                       WindowAttrs* attrs);

/// Output extent and effective pads for a forward window (conv, pools).
StatusOr<Geometry> ForwardGeometry(const std::vector<int64_t>& in_spatial,
                                   const WindowAttrs& attrs);

/// Checks that `shape` is [N, C, D1..Dr] with 1 <= r <= 3 and returns r.
StatusOr<int> SpatialRank(const Shape& shape, const char* what);

}  // namespace convcheck::interp::nn

#endif  // CONVCHECK_INTERP_KERNELS_NN_WINDOW_H_
