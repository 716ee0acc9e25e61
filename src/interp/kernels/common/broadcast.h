//===- interp/kernels/common/broadcast.h - Multidirectional broadcasting --===//
//
// ONNX (numpy-style) broadcasting: shapes are right-aligned, and each dimension pair must be
// equal or contain a 1. BroadcastIndex maps an output element to each input's element by walking
// an odometer with per-input strides (0 along broadcast dimensions), so no index is divided.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_COMMON_BROADCAST_H_
#define CONVCHECK_INTERP_KERNELS_COMMON_BROADCAST_H_

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace convcheck::interp {

/// The broadcast shape of all `shapes`; InvalidArgument naming both shapes when they clash.
StatusOr<Shape> BroadcastShapes(const std::vector<Shape>& shapes);

/// Walks the output of a broadcast op in row-major order and yields each input's flat index.
class BroadcastIndex {
 public:
  BroadcastIndex(const Shape& output, const std::vector<Shape>& inputs);
  /// The flat index into input `k` for the current output element.
  int64_t operator[](size_t k) const { return offsets_[k]; }
  /// Moves to the next output element.
  void Next();

 private:
  Shape output_;
  std::vector<std::vector<int64_t>> strides_;  // [input][output dim]
  std::vector<int64_t> counter_;
  std::vector<int64_t> offsets_;
};

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_KERNELS_COMMON_BROADCAST_H_
