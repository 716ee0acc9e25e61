//===- interp/kernels/sequence/tensor_blocks.h - Slicing and joining along an axis ===//
//
// Dtype-agnostic helpers shared by the sequence and control-flow kernels (SplitToSequence,
// ConcatFromSequence, Loop and Scan): they move whole elements (bytes, or strings for kString)
// between row-major tensors seen as [outer, axis, inner] blocks, so no kernel needs a dtype
// dispatch just to copy.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_SEQUENCE_TENSOR_BLOCKS_H_
#define CONVCHECK_INTERP_KERNELS_SEQUENCE_TENSOR_BLOCKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace convcheck::interp::tensor_blocks {

/// `axis` in [-rank, rank) mapped to [0, rank), or InvalidArgument naming `what`.
StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const std::string& what);

/// Elements [start, start + length) of `tensor` along `axis` (length may be 0). CC_CHECKs bounds.
Tensor SliceAxis(const Tensor& tensor, int64_t axis, int64_t start, int64_t length);

/// Element `index` along `axis`, with that axis removed. CC_CHECKs bounds.
Tensor TakeAlongAxis(const Tensor& tensor, int64_t axis, int64_t index);

/// Concatenation along `axis`; the caller has checked that dtypes and all other dimensions agree.
/// `items` must not be empty.
Tensor ConcatAxis(const std::vector<const Tensor*>& items, int64_t axis);

/// Stacks equal-shaped tensors along a new axis `axis` (in [0, rank]). `items` must not be empty.
Tensor StackAxis(const std::vector<const Tensor*>& items, int64_t axis);

/// "" if the tensors share a dtype and all dimensions except `except_axis` (-1: none), else a
/// message naming the first mismatch.
std::string CheckCompatible(const std::vector<const Tensor*>& items, int64_t except_axis);

}  // namespace convcheck::interp::tensor_blocks

#endif  // CONVCHECK_INTERP_KERNELS_SEQUENCE_TENSOR_BLOCKS_H_
