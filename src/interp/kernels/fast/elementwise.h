//===- interp/kernels/fast/elementwise.h - Fast exp-based float functions --===//
//
// The fast paths of Sigmoid and Softmax on float32 (the reference kernels, activation.cc and
// reduction/softmax.cc, compute them with libm in double and round once). The vector code is in
// transcendental.inc: it gives the reference's float results bit for bit, recomputing with the
// reference's own scalar code the rare elements (or rows) it cannot vouch for. Work is split over
// threads by blocks of elements (rows), never inside a sum.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_ELEMENTWISE_H_
#define CONVCHECK_INTERP_KERNELS_FAST_ELEMENTWISE_H_

#include <cstdint>
#include <functional>

#include "interp/kernels/fast/parallel.h"

namespace convcheck::interp::fast {

/// The exp-based functions with a vector path.
enum class FloatFunction { kSigmoid };

/// y[i] = float(reference(double(x[i]))) for the function `f` that `reference` computes.
void UnaryFunction(FloatFunction f, const float* x, float* y, int64_t n,
                   double (*reference)(double), const Parallel& parallel);

/// Softmax over each of `rows` contiguous rows of `n` floats; `reference_row(r)` computes row r
/// with the reference's code where the vector path declines it.
void SoftmaxRows(const float* x, float* y, int64_t rows, int64_t n,
                 const std::function<void(int64_t row)>& reference_row, const Parallel& parallel);

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_ELEMENTWISE_H_
