// The elementwise fast paths against the reference kernels, bit for bit: the reference loops
// built for wider vectors (fast/wide.h: Add, Mul, Div, HardSwish, ...) and the exp-based vector
// functions with their scalar fallback (fast/elementwise.h: Sigmoid, Softmax), on seeded random
// inputs, on the values where the formulas change branch or leave float's range, and on a
// sweep over float bit patterns. Also the vector exp's error bound, on which the fallback's
// safety rests.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fast_test_util.h"
#include "interp/kernels/fast/isa.h"
#include "interp/kernels/fast/sgemm.h"
#include "interp/kernels/fast/simd.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::ExpectSameBits;
using ::convcheck::testing::IsaName;
using ::convcheck::testing::KernelTester;
using ::convcheck::testing::RandomFloats;
using ::convcheck::testing::RunNode;
using ::convcheck::testing::TestableIsas;

const float kInf = std::numeric_limits<float>::infinity();
const float kNan = std::numeric_limits<float>::quiet_NaN();

// Values where the formulas branch, saturate or leave float's normal range.
std::vector<float> SpecialValues() {
  std::vector<float> v = {0.0f,    -0.0f,   kInf,    -kInf,   kNan,   1.0f,    -1.0f,
                          1e-45f,  -1e-45f, 1e-38f,  -1e-38f, 3.0f,   -3.0f,   6.0f,
                          -6.0f,   16.6f,   17.0f,   -17.0f,  87.0f,  -87.0f,  88.8f,
                          -88.8f,  103.0f,  -103.9f, -104.0f, 700.0f, -700.0f, 708.0f,
                          -708.0f, 709.0f,  -709.0f, 1e30f,   -1e30f, 3.4e38f, -3.4e38f};
  return v;
}

// Every `stride`-th float bit pattern from 0 to +inf, and their negatives.
std::vector<float> BitSweep(uint32_t stride) {
  std::vector<float> v;
  for (uint64_t bits = 0; bits <= 0x7f800000u; bits += stride) {
    float f;
    const uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&f, &b, 4);
    v.push_back(f);
    v.push_back(-f);
  }
  return v;
}

Tensor FloatTensor(const std::vector<float>& v) {
  return Tensor::FromVector<float>({static_cast<int64_t>(v.size())}, v);
}

void ExpectUnaryMatches(const std::string& op, int opset, const Tensor& x,
                        const std::string& what) {
  auto make = [&] { return KernelTester(op, opset).Input(x).IgnoreOutput(); };
  const Tensor reference = RunNode(make, /*fast=*/false, 1);
  ExpectSameBits(reference, RunNode(make, /*fast=*/true, 1), what);
  ExpectSameBits(reference, RunNode(make, /*fast=*/true, 2), what + ", 2 threads");
}

TEST(FastElementwiseTest, VectorExpIsWithin2ToTheMinus49OfStdExp) {
  const auto isas = TestableIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  for (fast::Isa isa : isas) {
    fast::ForceIsaForTesting(isa);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> uniform(-708.0, 708.0);
    std::vector<double> d;
    for (int i = 0; i < 2000000; ++i) d.push_back(uniform(rng));
    // Around the reduction's breakpoints (multiples of ln2 / 32) and zero.
    for (int k = -32700; k <= 32700; k += 7) {
      const double at = k * 0.021660849392498291;
      for (double delta : {-1e-12, 0.0, 1e-12}) d.push_back(at + delta);
    }
    for (double x : {0.0, -0.0, 1e-300, -1e-300, -708.0, 708.0}) d.push_back(x);
    std::vector<double> out(d.size());
    fast::Simd().exp_for_testing(d.data(), out.data(), static_cast<int64_t>(d.size()));
    double worst = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      const double expected = std::exp(d[i]);
      const double error = std::fabs(out[i] - expected) / expected;
      worst = std::max(worst, error);
      ASSERT_LE(error, 0x1p-49) << IsaName(isa) << " exp(" << d[i] << ")";
    }
    std::cout << IsaName(isa) << ": largest relative error of the vector exp " << worst << "\n";
  }
  fast::ForceIsaForTesting(fast::Isa::kAvx512);
}

TEST(FastElementwiseTest, SigmoidEqualsTheReferenceBitForBit) {
  const auto isas = TestableIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  for (fast::Isa isa : isas) {
    fast::ForceIsaForTesting(isa);
    std::mt19937 rng(11);
    for (float scale : {1.0f, 10.0f, 100.0f}) {
      Tensor x = RandomFloats(rng, {3, 100003});
      float* p = x.MutableData<float>();
      for (int64_t i = 0; i < x.num_elements(); ++i) p[i] *= scale;
      ExpectUnaryMatches("Sigmoid", 13, x,
                         std::string(IsaName(isa)) + " normal x " + std::to_string(scale));
    }
    ExpectUnaryMatches("Sigmoid", 13, FloatTensor(SpecialValues()),
                       std::string(IsaName(isa)) + " special values");
    ExpectUnaryMatches("Sigmoid", 13, FloatTensor(BitSweep(997)),
                       std::string(IsaName(isa)) + " bit sweep");
  }
  fast::ForceIsaForTesting(fast::Isa::kAvx512);
}

TEST(FastElementwiseTest, SoftmaxEqualsTheReferenceBitForBit) {
  const auto isas = TestableIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  for (fast::Isa isa : isas) {
    fast::ForceIsaForTesting(isa);
    std::mt19937 rng(17);
    for (int64_t n : {1, 2, 7, 8, 9, 64, 128, 1000, 4099}) {
      for (float scale : {1.0f, 10.0f, 60.0f}) {
        Tensor x = RandomFloats(rng, {5, 3, n});
        float* p = x.MutableData<float>();
        for (int64_t i = 0; i < x.num_elements(); ++i) p[i] *= scale;
        // Rows with -inf, +inf, NaN, and a spread that makes outputs underflow float.
        if (n > 2) {
          p[1] = -kInf;
          p[n + 1] = kInf;
          p[2 * n] = kNan;
          p[3 * n] = 150.0f;
          p[3 * n + 1] = -150.0f;
        }
        const std::string what = std::string(IsaName(isa)) + " n " + std::to_string(n) + " scale " +
                                 std::to_string(scale);
        auto make = [&] { return KernelTester("Softmax", 13).Input(x).IgnoreOutput(); };
        const Tensor reference = RunNode(make, /*fast=*/false, 1);
        ExpectSameBits(reference, RunNode(make, /*fast=*/true, 1), what);
        ExpectSameBits(reference, RunNode(make, /*fast=*/true, 3), what + ", 3 threads");
      }
    }
  }
  fast::ForceIsaForTesting(fast::Isa::kAvx512);
}

// The reference loops built for wider vectors must not change a bit: IEEE operations only.
TEST(FastElementwiseTest, WideLoopsEqualTheReferenceBitForBit) {
  if (!fast::Available()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  std::mt19937 rng(23);
  Tensor x = RandomFloats(rng, {2, 3, 37, 41});
  float* p = x.MutableData<float>();
  const std::vector<float> special = SpecialValues();
  for (size_t i = 0; i < special.size(); ++i) p[i * 7] = special[i];
  for (const char* op : {"Relu", "HardSwish", "HardSigmoid", "Neg", "Abs", "Sqrt", "Floor"}) {
    ExpectUnaryMatches(op, 14, x, op);
  }
  for (const Shape& b_shape :
       {Shape{2, 3, 37, 41}, Shape{41}, Shape{3, 1, 1}, Shape{1}, Shape{2, 1, 37, 1}}) {
    Tensor b = RandomFloats(rng, b_shape);
    b.MutableData<float>()[0] = -0.0f;
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Pow"}) {
      auto make = [&] { return KernelTester(op, 13).Input(x).Input(b).IgnoreOutput(); };
      const std::string what = std::string(op) + " with b " + ShapeToString(b_shape);
      ExpectSameBits(RunNode(make, /*fast=*/false, 1), RunNode(make, /*fast=*/true, 1), what);
    }
  }
}

}  // namespace
}  // namespace convcheck::interp
