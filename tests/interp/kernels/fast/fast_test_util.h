//===- interp/kernels/fast/fast_test_util.h - Fast path against reference ===//
//
// The fast paths' randomized tests (XNNPACK style): seeded inputs, the same node run by the
// reference kernels and by the fast path (at one and several threads), compared element by
// element. Failures print the seed and the element index.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_TESTS_INTERP_KERNELS_FAST_FAST_TEST_UTIL_H_
#define CONVCHECK_TESTS_INTERP_KERNELS_FAST_FAST_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "interp/kernels/fast/isa.h"
#include "testing/kernel_tester.h"

namespace convcheck::testing {

/// A float tensor of normal(0, 1) values from `rng`.
inline Tensor RandomFloats(std::mt19937& rng, Shape shape) {
  Tensor t(DataType::kFloat32, std::move(shape));
  std::normal_distribution<float> normal;
  float* p = t.MutableData<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = normal(rng);
  return t;
}

/// Same bits everywhere (any NaN matches any NaN).
inline void ExpectSameBits(const Tensor& expected, const Tensor& actual, const std::string& what) {
  ASSERT_EQ(expected.shape(), actual.shape()) << what;
  const float* e = expected.Data<float>();
  const float* a = actual.Data<float>();
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    if (std::isnan(e[i]) && std::isnan(a[i])) continue;
    uint32_t eb, ab;
    std::memcpy(&eb, &e[i], 4);
    std::memcpy(&ab, &a[i], 4);
    ASSERT_EQ(eb, ab) << what << ": element " << i << " is " << a[i] << ", expected " << e[i];
  }
}

/// |actual - expected| <= atol + rtol * |expected| everywhere (NaN matches NaN).
inline void ExpectClose(const Tensor& expected, const Tensor& actual, double atol, double rtol,
                        const std::string& what) {
  ASSERT_EQ(expected.shape(), actual.shape()) << what;
  const float* e = expected.Data<float>();
  const float* a = actual.Data<float>();
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    if (std::isnan(e[i]) && std::isnan(a[i])) continue;
    ASSERT_LE(std::fabs(static_cast<double>(a[i]) - e[i]), atol + rtol * std::fabs(e[i]))
        << what << ": element " << i << " is " << a[i] << ", expected " << e[i];
  }
}

/// Output 0 of the node made by `make`, with the reference kernels or the fast paths.
inline Tensor RunNode(const std::function<KernelTester()>& make, bool fast, int threads) {
  StatusOr<std::vector<interp::Value>> out = make().FastKernels(fast).Threads(threads).Outputs();
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok() || out->empty()) return Tensor();
  return (*out)[0].tensor();
}

/// The instruction sets this CPU can run the fast kernels with (empty: none), each made current
/// in turn by ForEachIsa.
inline std::vector<interp::fast::Isa> TestableIsas() {
  std::vector<interp::fast::Isa> isas;
  interp::fast::ForceIsaForTesting(interp::fast::Isa::kAvx512);
  if (interp::fast::CurrentIsa() == interp::fast::Isa::kAvx512)
    isas.push_back(interp::fast::Isa::kAvx512);
  interp::fast::ForceIsaForTesting(interp::fast::Isa::kAvx2);
  if (interp::fast::CurrentIsa() == interp::fast::Isa::kAvx2)
    isas.push_back(interp::fast::Isa::kAvx2);
  interp::fast::ForceIsaForTesting(interp::fast::Isa::kAvx512);  // Back to the best there is.
  return isas;
}

inline const char* IsaName(interp::fast::Isa isa) {
  return isa == interp::fast::Isa::kAvx512 ? "avx512"
         : isa == interp::fast::Isa::kAvx2 ? "avx2"
                                           : "none";
}

}  // namespace convcheck::testing

#endif  // CONVCHECK_TESTS_INTERP_KERNELS_FAST_FAST_TEST_UTIL_H_
