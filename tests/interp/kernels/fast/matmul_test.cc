// MatMul's and Gemm's fast path (kernels/fast/matrix_product.h) against the reference kernels
// (OpenBLAS per batch) on seeded random shapes: within float rounding of the reference, the same
// bits at every thread count, and the forms the fast path does not take (Gemm with a full C, alpha
// or beta other than 1) still right.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "fast_test_util.h"
#include "interp/kernels/fast/sgemm.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::ExpectClose;
using ::convcheck::testing::ExpectSameBits;
using ::convcheck::testing::KernelTester;
using ::convcheck::testing::RandomFloats;
using ::convcheck::testing::RunNode;

void ExpectFastMatchesReference(const std::function<KernelTester()>& make, int64_t k,
                                const std::string& what) {
  const Tensor reference = RunNode(make, /*fast=*/false, 1);
  const Tensor fast1 = RunNode(make, /*fast=*/true, 1);
  // Two float sums of k products in different orders: k * 2^-24 relative to the magnitudes
  // (inputs are N(0, 1), so sums are about sqrt(k)), with room to spare.
  const double atol = 4e-7 * static_cast<double>(k);
  ExpectClose(reference, fast1, atol, 1e-5, what);
  ExpectSameBits(fast1, RunNode(make, /*fast=*/true, 2), what + ", 2 threads");
  ExpectSameBits(fast1, RunNode(make, /*fast=*/true, 3), what + ", 3 threads");
}

TEST(FastMatMulTest, AgreesWithTheReferenceOnRandomShapes) {
  if (!fast::Available()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  struct Case {
    Shape a, b;
    bool b_constant;
  };
  const std::vector<Case> cases = {
      {{50, 768}, {768, 96}, true},           // a Linear layer
      {{1, 50, 64}, {64, 200}, true},         // batched rows against one weight
      {{3, 17, 33}, {33, 40}, true},          // stacked batches, odd sizes
      {{2, 4, 9, 16}, {2, 4, 16, 9}, false},  // attention scores
      {{2, 4, 9, 9}, {2, 4, 9, 16}, false},   // attention times values
      {{4, 1, 5, 7}, {3, 7, 6}, false},       // broadcast batches
      {{7}, {7, 5}, true},                    // vector times matrix
      {{6, 7}, {7}, false},                   // matrix times vector
      {{1, 300}, {300, 1000}, true},          // a classifier
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    std::mt19937 rng(seed++);
    const Tensor a = RandomFloats(rng, c.a), b = RandomFloats(rng, c.b);
    auto make = [&] {
      KernelTester t("MatMul", 13);
      t.Input(a).Input(b);
      if (c.b_constant) t.AsInitializer();
      t.IgnoreOutput();
      return t;
    };
    ExpectFastMatchesReference(make, c.a.back(),
                               "MatMul " + ShapeToString(c.a) + " x " + ShapeToString(c.b));
  }
}

TEST(FastGemmTest, AgreesWithTheReferenceInEveryForm) {
  if (!fast::Available()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  uint32_t seed = 50;
  for (int trans_a : {0, 1}) {
    for (int trans_b : {0, 1}) {
      for (const Shape& c_shape : {Shape{}, Shape{33}, Shape{1, 33}, Shape{19, 33}, Shape{1}}) {
        for (float beta : {1.0f, 0.5f}) {
          for (float alpha : {1.0f, 2.0f}) {
            std::mt19937 rng(seed++);
            const int64_t m = 19, k = 45, n = 33;
            const Tensor a = RandomFloats(rng, trans_a ? Shape{k, m} : Shape{m, k});
            const Tensor b = RandomFloats(rng, trans_b ? Shape{n, k} : Shape{k, n});
            const Tensor c = RandomFloats(rng, c_shape);
            const bool has_c = !c_shape.empty();
            auto make = [&] {
              KernelTester t("Gemm", 13);
              t.Attr("transA", int64_t{trans_a})
                  .Attr("transB", int64_t{trans_b})
                  .Attr("alpha", alpha)
                  .Attr("beta", beta)
                  .Input(a)
                  .Input(b)
                  .AsInitializer();
              if (has_c) t.Input(c).AsInitializer();
              t.IgnoreOutput();
              return t;
            };
            ExpectFastMatchesReference(make, k,
                                       "Gemm transA " + std::to_string(trans_a) + " transB " +
                                           std::to_string(trans_b) + " C " +
                                           ShapeToString(c_shape) + " alpha " +
                                           std::to_string(alpha) + " beta " + std::to_string(beta));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace convcheck::interp
