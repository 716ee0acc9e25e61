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

/// Walks the output of a broadcast op in runs: stretches along the innermost dimension, after
/// merging adjacent dimensions that every input walks in step (so [1,50,768] + [768] is 50 runs
/// of 768, and [1,C,H,W] * [1,C,1,1] C runs of H*W). Within a run input k advances by
/// inner_stride(k), 1 or 0 (broadcast), which lets kernels keep per-element index arithmetic
/// out of their inner loop.
class BroadcastRuns {
 public:
  BroadcastRuns(const Shape& output, const std::vector<Shape>& inputs);
  int64_t run_length() const { return run_length_; }
  int64_t num_runs() const { return num_runs_; }
  int64_t inner_stride(size_t k) const { return inner_strides_[k]; }
  /// The flat index into input `k` of the current run's first element.
  int64_t operator[](size_t k) const { return offsets_[k]; }
  /// Moves to the next run.
  void Next();

 private:
  int64_t run_length_ = 1, num_runs_ = 1;
  std::vector<int64_t> inner_strides_;
  Shape outer_;                                // Outer (merged) dimensions.
  std::vector<std::vector<int64_t>> strides_;  // [input][outer dim]
  std::vector<int64_t> counter_;
  std::vector<int64_t> offsets_;
};

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_KERNELS_COMMON_BROADCAST_H_
