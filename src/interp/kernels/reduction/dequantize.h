//===- interp/kernels/reduction/dequantize.h - The dequantization loop ----===//
//
// y = (x - zero_point) * scale, shared by DequantizeLinear 10-18 and 19+, which differ only in
// the types they admit and in which scale element an element of x uses. In double, rounded once.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_REDUCTION_DEQUANTIZE_H_
#define CONVCHECK_INTERP_KERNELS_REDUCTION_DEQUANTIZE_H_

#include <cstdint>

#include "core/tensor.h"

namespace convcheck::interp::reduction {

/// `param_index(i)` is the scale / zero-point element for element i of x; `zero_point` may be
/// null (0).
template <typename ParamIndex>
void Dequantize(const Tensor& x, const Tensor& scale, const Tensor* zero_point,
                const ParamIndex& param_index, Tensor& y) {
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t p = param_index(i);
    const double z = zero_point != nullptr ? zero_point->GetAsDouble(p) : 0.0;
    y.SetFromDouble(i, (x.GetAsDouble(i) - z) * scale.GetAsDouble(p));
  }
}

}  // namespace convcheck::interp::reduction

#endif  // CONVCHECK_INTERP_KERNELS_REDUCTION_DEQUANTIZE_H_
