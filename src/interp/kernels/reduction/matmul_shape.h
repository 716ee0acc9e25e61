//===- interp/kernels/reduction/matmul_shape.h - numpy matmul geometry -----===//
//
// The shape rule MatMul, MatMulInteger and QLinearMatMul share (numpy.matmul): a 1-D first
// operand gets a 1 prepended and a 1-D second operand a 1 appended (both removed from the
// result), the last two dimensions multiply as [M, K] x [K, N], and the leading (batch)
// dimensions broadcast. Prepare computes, per output batch, the element offset of each operand's
// matrix, so Compute is a plain loop of GEMM calls.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_REDUCTION_MATMUL_SHAPE_H_
#define CONVCHECK_INTERP_KERNELS_REDUCTION_MATMUL_SHAPE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "interp/kernels/common/broadcast.h"

namespace convcheck::interp::reduction {

struct MatMulGeometry {
  int64_t m = 0, k = 0, n = 0;
  Shape out_shape;
  std::vector<int64_t> a_offsets, b_offsets;  // Per output batch, in elements.
  std::vector<int64_t> a_batch, b_batch;      // Per output batch, the operand's batch number.
};

/// The geometry of numpy.matmul(a, b); InvalidArgument for scalars, a K mismatch or batch
/// dimensions that do not broadcast.
inline StatusOr<MatMulGeometry> MakeMatMulGeometry(const Shape& a_shape, const Shape& b_shape) {
  if (a_shape.empty() || b_shape.empty()) {
    return InvalidArgument("matmul operands must have rank >= 1, got shapes " +
                           ShapeToString(a_shape) + " and " + ShapeToString(b_shape));
  }
  Shape a = a_shape, b = b_shape;
  const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
  if (a_vector) a.insert(a.begin(), 1);
  if (b_vector) b.push_back(1);
  MatMulGeometry g;
  g.m = a[a.size() - 2];
  g.k = a[a.size() - 1];
  g.n = b[b.size() - 1];
  if (b[b.size() - 2] != g.k) {
    return InvalidArgument("inner dimensions differ: shapes " + ShapeToString(a_shape) + " and " +
                           ShapeToString(b_shape) + " (" + std::to_string(g.k) + " vs " +
                           std::to_string(b[b.size() - 2]) + ")");
  }
  const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  CC_ASSIGN_OR_RETURN(Shape batch, BroadcastShapes({a_batch, b_batch}));
  g.out_shape = batch;
  if (!a_vector) g.out_shape.push_back(g.m);
  if (!b_vector) g.out_shape.push_back(g.n);
  const int64_t batches = NumElements(batch);
  BroadcastIndex index(batch, {a_batch, b_batch});
  for (int64_t i = 0; i < batches; ++i) {
    g.a_batch.push_back(index[0]);
    g.b_batch.push_back(index[1]);
    g.a_offsets.push_back(index[0] * g.m * g.k);
    g.b_offsets.push_back(index[1] * g.k * g.n);
    index.Next();
  }
  return g;
}

}  // namespace convcheck::interp::reduction

#endif  // CONVCHECK_INTERP_KERNELS_REDUCTION_MATMUL_SHAPE_H_
