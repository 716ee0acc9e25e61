//===- interp/kernels/reduction/reduction_util.h - Axis and shape helpers -===//
//
// Small helpers the reduction family shares: axis normalization with the spec's error wording,
// element counts of dimension ranges, and the [outer, axis, inner] view most kernels here use.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_REDUCTION_REDUCTION_UTIL_H_
#define CONVCHECK_INTERP_KERNELS_REDUCTION_REDUCTION_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core/status.h"
#include "core/tensor.h"

namespace convcheck::interp::reduction {

/// `axis` mapped into [0, rank); InvalidArgument "axis 3 is out of range for rank 2" otherwise.
inline StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const char* name = "axis") {
  if (axis < -rank || axis >= rank) {
    return InvalidArgument(std::string(name) + " " + std::to_string(axis) +
                           " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

/// The product of shape[begin, end).
inline int64_t DimProduct(const Shape& shape, int64_t begin, int64_t end) {
  int64_t n = 1;
  for (int64_t i = begin; i < end; ++i) n *= shape[i];
  return n;
}

/// The input seen as [outer, axis, inner] around one axis.
struct AxisView {
  int64_t outer = 1;
  int64_t axis = 1;
  int64_t inner = 1;
};

inline AxisView MakeAxisView(const Shape& shape, int64_t axis) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  return {DimProduct(shape, 0, axis), shape[axis], DimProduct(shape, axis + 1, rank)};
}

/// `v` rounded half to even (std::nearbyint in the default rounding mode) and clamped into Q's
/// range, as quantization requires; NaN gives 0.
template <typename Q>
Q SaturateRound(double v) {
  if (std::isnan(v)) return Q(0);
  const double r = std::nearbyint(v);
  const double lo = static_cast<double>(std::numeric_limits<Q>::lowest());
  const double hi = static_cast<double>(std::numeric_limits<Q>::max());
  return static_cast<Q>(std::clamp(r, lo, hi));
}

}  // namespace convcheck::interp::reduction

#endif  // CONVCHECK_INTERP_KERNELS_REDUCTION_REDUCTION_UTIL_H_
