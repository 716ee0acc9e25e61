#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(HannWindowTest, PeriodicAndSymmetric) {
  // numpy: 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(4) / 4); np.hanning(5)
  KernelTester("HannWindow", 17)
      .Input<int32_t>({}, {4})
      .ExpectOutput<float>({4}, {0, 0.5f, 1, 0.5f})
      .Tolerance(1e-7, 1e-6)
      .Run();
  KernelTester("HannWindow", 17)
      .Attr("periodic", int64_t{0})
      .Input<int64_t>({}, {5})
      .ExpectOutput<float>({5}, {0, 0.5f, 1, 0.5f, 0})
      .Tolerance(1e-7, 1e-6)
      .Run();
}

TEST(HammingWindowTest, UsesOnnxCoefficients) {
  // ONNX: 25/46 - 21/46 * cos(2 pi n / 3) for n in 0..3 (numpy's hamming uses 0.54/0.46).
  KernelTester("HammingWindow", 17)
      .Attr("periodic", int64_t{0})
      .Input<int32_t>({}, {4})
      .ExpectOutput<float>({4}, {4.0f / 46, 35.5f / 46, 35.5f / 46, 4.0f / 46})
      .Run();
}

TEST(BlackmanWindowTest, SymmetricMatchesNumpyAndDtypeAttribute) {
  // numpy: np.blackman(5) = [0, 0.34, 1, 0.34, 0], as float64.
  KernelTester("BlackmanWindow", 17)
      .Attr("periodic", int64_t{0})
      .Attr("output_datatype", int64_t{11})
      .Input<int64_t>({}, {5})
      .ExpectOutput<double>({5}, {0, 0.34, 1, 0.34, 0})
      .Tolerance(1e-12, 1e-12)
      .Run();
}

TEST(HannWindowTest, SizeOneAndZero) {
  // numpy: np.hanning(1) = [1]
  KernelTester("HannWindow", 17)
      .Attr("periodic", int64_t{0})
      .Input<int64_t>({}, {1})
      .ExpectOutput<float>({1}, {1})
      .Run();
  KernelTester("HannWindow", 17).Input<int64_t>({}, {0}).ExpectOutput<float>({0}, {}).Run();
}

TEST(HannWindowTest, RejectsFloatSizeAndBadDtype) {
  KernelTester("HannWindow", 17)
      .Input<float>({}, {4})
      .ExpectError(StatusCode::kInvalidArgument, "size must be an int32 or int64 scalar");
  KernelTester("HannWindow", 17)
      .Attr("output_datatype", int64_t{8})
      .Input<int64_t>({}, {4})
      .ExpectError(StatusCode::kInvalidArgument, "output_datatype 8 is not a numeric");
}

TEST(MelWeightMatrixTest, SmallFilterBank) {
  // The reference of onnx/backend/test/case/node/melweightmatrix.py with num_mel_bins=2,
  // dft_length=8, sample_rate=8000, edges 0 and 4000 Hz: bins [0, 0, 1, 2].
  KernelTester("MelWeightMatrix", 17)
      .Input<int32_t>({}, {2})
      .Input<int32_t>({}, {8})
      .Input<int32_t>({}, {8000})
      .Input<float>({}, {0})
      .Input<float>({}, {4000})
      .ExpectOutput<float>({5, 2}, {1, 0, 0, 1, 0, 0, 0, 0, 0, 0})
      .Run();
}

TEST(MelWeightMatrixTest, RejectsUpperEdgeBeyondSpectrum) {
  KernelTester("MelWeightMatrix", 17)
      .Input<int32_t>({}, {2})
      .Input<int32_t>({}, {8})
      .Input<int32_t>({}, {8000})
      .Input<float>({}, {0})
      .Input<float>({}, {16000})
      .ExpectError(StatusCode::kInvalidArgument, "beyond the 5 bins");
}

}  // namespace
}  // namespace convcheck::interp
