// The fast path's GEMM (kernels/fast/sgemm.h) against its definition (ReferenceSgemm, a plain
// sequential-FMA loop: equal bit for bit) and against the reference kernels' GEMM (OpenBLAS, a
// different summation order: equal within float rounding), for every instruction set this CPU
// has, at one and several threads.
#include "interp/kernels/fast/sgemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "fast_test_util.h"
#include "interp/kernels/common/gemm.h"
#include "interp/kernels/fast/isa.h"
#include "interp/kernels/fast/parallel.h"

namespace convcheck::interp::fast {
namespace {

using ::convcheck::testing::IsaName;
using ::convcheck::testing::TestableIsas;

struct Shape3 {
  int64_t m, n, k;
};

// Around the tiles (8 x 32 and 6 x 16, kc 256) and the shapes of the benchmark's models.
const Shape3 kShapes[] = {{1, 1, 1},     {1, 37, 5},     {5, 1, 9},    {6, 16, 256},
                          {7, 33, 257},  {8, 32, 255},   {9, 31, 513}, {13, 100, 64},
                          {50, 96, 768}, {64, 196, 576}, {3, 2, 1000}, {17, 49, 300}};

std::vector<float> Random(std::mt19937& rng, int64_t count) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(count));
  for (float& x : v) x = normal(rng);
  return v;
}

void ExpectSameBits(const std::vector<float>& expected, const std::vector<float>& actual,
                    const std::string& what) {
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::isnan(expected[i]) && std::isnan(actual[i])) continue;
    ASSERT_EQ(std::signbit(expected[i]), std::signbit(actual[i])) << what << ", element " << i;
    ASSERT_EQ(expected[i], actual[i]) << what << ", element " << i;
  }
}

// Runs C = A B (+ bias) through the fast path in the given form.
std::vector<float> FastGemm(const Shape3& s, const std::vector<float>& a, bool a_transposed,
                            const std::vector<float>& b, bool b_packed, bool b_transposed,
                            const float* row_bias, const float* col_bias, int threads) {
  const PackedA pa = PackA(a.data(), a_transposed ? s.m : s.k, a_transposed, s.m, s.k);
  PackedB pb;
  GemmArgs args;
  args.m = s.m;
  args.n = s.n;
  args.k = s.k;
  args.a = &pa;
  if (b_packed) {
    pb = PackB(b.data(), b_transposed ? s.k : s.n, b_transposed, s.k, s.n);
    args.b = &pb;
  } else {
    args.b_panels = RowMajorPanels(b.data(), s.n, s.n);
  }
  std::vector<float> c(static_cast<size_t>(s.m * s.n), -7.0f);  // Overwritten, not added to.
  args.c = c.data();
  args.ldc = s.n;
  args.row_bias = row_bias;
  args.col_bias = col_bias;
  std::shared_ptr<ThreadPool> pool = MakeThreadPool(threads);
  Sgemm(args, Parallel(pool.get()));
  return c;
}

std::vector<float> Transposed(const std::vector<float>& v, int64_t rows, int64_t cols) {
  std::vector<float> t(v.size());
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) t[j * rows + i] = v[i * cols + j];
  }
  return t;
}

TEST(FastSgemmTest, EqualsSequentialFmaLoopBitForBit) {
  const auto isas = TestableIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  for (Isa isa : isas) {
    ForceIsaForTesting(isa);
    uint32_t seed = 1;
    for (const Shape3& s : kShapes) {
      std::mt19937 rng(seed);
      const std::vector<float> a = Random(rng, s.m * s.k), b = Random(rng, s.k * s.n);
      const std::vector<float> row_bias = Random(rng, s.m), col_bias = Random(rng, s.n);
      std::vector<float> expected(static_cast<size_t>(s.m * s.n));
      ReferenceSgemm(s.m, s.n, s.k, a.data(), s.k, b.data(), s.n, expected.data(), s.n, nullptr,
                     nullptr);
      const std::string what = std::string(IsaName(isa)) + " seed " + std::to_string(seed) +
                               " shape " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                               std::to_string(s.k);
      for (int threads : {1, 2, 3}) {
        ExpectSameBits(expected, FastGemm(s, a, false, b, false, false, nullptr, nullptr, threads),
                       what + " panels, threads " + std::to_string(threads));
        ExpectSameBits(expected, FastGemm(s, a, false, b, true, false, nullptr, nullptr, threads),
                       what + " packed B, threads " + std::to_string(threads));
      }
      ExpectSameBits(expected,
                     FastGemm(s, Transposed(a, s.m, s.k), true, Transposed(b, s.k, s.n), true, true,
                              nullptr, nullptr, 1),
                     what + " transposed operands");
      // With a bias per row, then per column: one more rounded addition.
      ReferenceSgemm(s.m, s.n, s.k, a.data(), s.k, b.data(), s.n, expected.data(), s.n,
                     row_bias.data(), nullptr);
      ExpectSameBits(expected, FastGemm(s, a, false, b, false, false, row_bias.data(), nullptr, 2),
                     what + " row bias");
      ReferenceSgemm(s.m, s.n, s.k, a.data(), s.k, b.data(), s.n, expected.data(), s.n, nullptr,
                     col_bias.data());
      ExpectSameBits(expected, FastGemm(s, a, false, b, true, false, nullptr, col_bias.data(), 1),
                     what + " column bias");
      ++seed;
    }
  }
  ForceIsaForTesting(Isa::kAvx512);
}

TEST(FastSgemmTest, PropagatesInfNanAndSignedZeroAsTheLoopDoes) {
  const auto isas = TestableIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (Isa isa : isas) {
    ForceIsaForTesting(isa);
    const Shape3 s{9, 35, 300};
    std::mt19937 rng(7);
    std::vector<float> a = Random(rng, s.m * s.k), b = Random(rng, s.k * s.n);
    a[3] = inf;             // Row 0: +Inf in the sums, or NaN where it meets an Inf of B.
    a[s.k + 5] = nan;       // Row 1: NaN throughout.
    b[7 * s.n + 2] = -inf;  // Column 2.
    for (int64_t p = 0; p < s.k; ++p) a[4 * s.k + p] = -0.0f;  // Row 4: -0 * x sums to +0.
    std::vector<float> expected(static_cast<size_t>(s.m * s.n));
    ReferenceSgemm(s.m, s.n, s.k, a.data(), s.k, b.data(), s.n, expected.data(), s.n, nullptr,
                   nullptr);
    ExpectSameBits(expected, FastGemm(s, a, false, b, false, false, nullptr, nullptr, 2),
                   IsaName(isa));
  }
  ForceIsaForTesting(Isa::kAvx512);
}

// The reference kernels' GEMM sums in another order; both are float GEMMs, so they agree within
// the usual bound: |error| <= k * eps * sum |a| |b|, with room to spare.
TEST(FastSgemmTest, AgreesWithTheReferenceGemmWithinFloatRounding) {
  if (!Available()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  uint32_t seed = 100;
  for (const Shape3& s : kShapes) {
    std::mt19937 rng(seed);
    const std::vector<float> a = Random(rng, s.m * s.k), b = Random(rng, s.k * s.n);
    std::vector<float> blas(static_cast<size_t>(s.m * s.n));
    Gemm<float>(false, false, s.m, s.n, s.k, 1.0, a.data(), s.k, b.data(), s.n, 0.0, blas.data(),
                s.n);
    const std::vector<float> fast = FastGemm(s, a, false, b, false, false, nullptr, nullptr, 1);
    for (int64_t i = 0; i < s.m; ++i) {
      for (int64_t j = 0; j < s.n; ++j) {
        double magnitude = 0;
        for (int64_t p = 0; p < s.k; ++p) magnitude += std::fabs(a[i * s.k + p] * b[p * s.n + j]);
        const double bound = 2.0 * static_cast<double>(s.k) * 0x1p-24 * magnitude + 1e-30;
        ASSERT_LE(std::fabs(fast[i * s.n + j] - blas[i * s.n + j]), bound)
            << "seed " << seed << " element (" << i << ", " << j << ")";
      }
    }
    ++seed;
  }
}

}  // namespace
}  // namespace convcheck::interp::fast
