#include "interp/kernels/fast/matrix_product.h"

namespace convcheck::interp::fast {

void MatMul2D(const float* a, int64_t lda, bool a_transposed, int64_t m, int64_t k, const float* b,
              int64_t ldb, bool b_transposed, int64_t n, const PackedB* packed_b,
              const float* col_bias, float* c, const Parallel& parallel) {
  const PackedA packed_a = PackA(a, lda, a_transposed, m, k);
  PackedB packed_here;
  GemmArgs args;
  args.m = m;
  args.n = n;
  args.k = k;
  args.a = &packed_a;
  if (packed_b) {
    args.b = packed_b;
  } else if (!b_transposed) {
    args.b_panels = RowMajorPanels(b, ldb, n);
  } else {
    packed_here = PackB(b, ldb, /*transposed=*/true, k, n);
    args.b = &packed_here;
  }
  args.c = c;
  args.ldc = n;
  args.col_bias = col_bias;
  Sgemm(args, parallel);
}

void BatchedMatMul(const float* a, const std::vector<int64_t>& a_offsets, const float* b,
                   const std::vector<int64_t>& b_offsets, int64_t m, int64_t n, int64_t k, float* c,
                   const Parallel& parallel) {
  const int64_t batches = static_cast<int64_t>(a_offsets.size());
  auto one = [&](int64_t i, const Parallel& inner) {
    const PackedA packed_a = PackA(a + a_offsets[i], k, false, m, k);
    GemmArgs args;
    args.m = m;
    args.n = n;
    args.k = k;
    args.a = &packed_a;
    args.b_panels = RowMajorPanels(b + b_offsets[i], n, n);
    args.c = c + i * m * n;
    args.ldc = n;
    Sgemm(args, inner);
  };
  // Whole batches per thread when there are enough of them (attention heads); else each
  // product split.
  if (batches >= 2 * parallel.threads()) {
    parallel.For(batches, [&](int64_t i) { one(i, Parallel()); });
  } else {
    for (int64_t i = 0; i < batches; ++i) one(i, parallel);
  }
}

}  // namespace convcheck::interp::fast
