//===- interp/kernels/tensor/tensor_util.h - Helpers for data-movement ops -===//
//
// Most tensor-family ops only move elements around (Transpose, Slice, Gather, Pad...), so they
// do not care what an element means, only how wide it is. DispatchMove calls the functor with a
// storage proxy of the element's width (uint8_t..uint64_t, Bytes16 for complex128) or with
// std::string for string tensors, and Elems/MutableElems give typed pointers for either. One
// template then serves all 16 ONNX element types without instantiating the kernel 16 times.
//
// Also: axis normalization and reading small int32/int64 "shape-like" inputs, shared by the
// family. Could move to common/ if other families want them.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_TENSOR_TENSOR_UTIL_H_
#define CONVCHECK_INTERP_KERNELS_TENSOR_TENSOR_UTIL_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "interp/kernel.h"

namespace convcheck::interp::tensor_ops {

/// A 16-byte element (complex128) moved as a unit.
struct Bytes16 {
  uint64_t lo, hi;
};

/// Calls f.template operator()<T>() with T = std::string for kString, else an opaque type of
/// the element's width. InvalidArgument for kUndefined.
template <typename F>
Status DispatchMove(DataType dtype, F&& f) {
  if (dtype == DataType::kString) return f.template operator()<std::string>();
  switch (DataTypeSize(dtype)) {
    case 1: return f.template operator()<uint8_t>();
    case 2: return f.template operator()<uint16_t>();
    case 4: return f.template operator()<uint32_t>();
    case 8: return f.template operator()<uint64_t>();
    case 16: return f.template operator()<Bytes16>();
    default:
      return InvalidArgument("type " + std::string(DataTypeName(dtype)) + " is not supported");
  }
}

/// Element pointers for a T chosen by DispatchMove (or the real element type).
template <typename T>
const T* Elems(const Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>) {
    return t.strings().data();
  } else {
    CC_DCHECK(t.dtype() == DataType::kString || DataTypeSize(t.dtype()) == sizeof(T));
    return reinterpret_cast<const T*>(t.raw_data());
  }
}
template <typename T>
T* MutableElems(Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>) {
    return t.mutable_strings().data();
  } else {
    CC_DCHECK(DataTypeSize(t.dtype()) == sizeof(T));
    return reinterpret_cast<T*>(t.mutable_raw_data());
  }
}

/// Maps `axis` in [-rank, rank) to [0, rank); InvalidArgument "<what> 5 is out of range for
/// rank 2" otherwise. Ops whose axis may equal rank (Flatten, Unsqueeze) pass rank + 1.
StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const std::string& what = "axis");

/// The elements of an int32 or int64 tensor (any shape) as int64; InvalidArgument naming
/// `what` for other dtypes.
StatusOr<std::vector<int64_t>> ReadInt64s(const Tensor& t, const std::string& what);

/// Row-major strides of `shape` (in elements).
std::vector<int64_t> Strides(const Shape& shape);

/// Product of shape[begin:end].
int64_t Product(const Shape& shape, int64_t begin, int64_t end);

/// "[1,2,3]" for a list of integers (error messages).
std::string ListToString(const std::vector<int64_t>& values);

/// Reads the optional `axes` of an op whose axes moved from an attribute to input 1 (Squeeze,
/// Unsqueeze at opset 13, ReduceX at 18): from input `input_index` when `from_input`, else
/// from the attribute. Sets `present` to whether any axes were given.
StatusOr<std::vector<int64_t>> ReadAxes(const KernelContext& ctx, bool from_input,
                                        int input_index, bool* present);

/// out[o] = in[base + sum_d o_d * in_strides[d]] over every index o of `out_shape`, in row-major
/// order: Transpose, Slice and Expand are this loop with different strides (0 to broadcast,
/// negative to walk backwards).
template <typename T>
void StridedCopy(const T* in, int64_t base, const Shape& out_shape,
                 const std::vector<int64_t>& in_strides, T* out) {
  const int64_t n = NumElements(out_shape);
  if (n == 0) return;
  const int64_t rank = static_cast<int64_t>(out_shape.size());
  if (rank == 0) {
    out[0] = in[base];
    return;
  }
  // The innermost dimension runs as a plain loop; the outer ones as an odometer.
  const int64_t inner = out_shape[rank - 1];
  const int64_t inner_stride = in_strides[rank - 1];
  std::vector<int64_t> counter(rank, 0);
  int64_t offset = base;
  for (int64_t o = 0; o < n; o += inner) {
    for (int64_t i = 0; i < inner; ++i) out[o + i] = in[offset + i * inner_stride];
    for (int64_t d = rank - 2; d >= 0; --d) {
      offset += in_strides[d];
      if (++counter[d] < out_shape[d]) break;
      offset -= in_strides[d] * out_shape[d];
      counter[d] = 0;
    }
  }
}

}  // namespace convcheck::interp::tensor_ops

#endif  // CONVCHECK_INTERP_KERNELS_TENSOR_TENSOR_UTIL_H_
