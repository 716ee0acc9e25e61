#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

Tensor F(Shape shape, std::vector<float> values) {
  return Tensor::FromVector<float>(std::move(shape), values);
}

TEST(DftTest, RealInputFullSpectrum) {
  // numpy: np.fft.fft([1, 2, 3, 4]) = [10, -2+2j, -2, -2-2j]
  KernelTester("DFT", 17)
      .Input(F({1, 4, 1}, {1, 2, 3, 4}))
      .ExpectOutput(F({1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2}))
      .Tolerance(1e-5, 1e-5)
      .Run();
}

TEST(DftTest, InverseOfComplexInput) {
  // numpy: np.fft.ifft([1, 2, 3, 4]) = [2.5, -0.5-0.5j, -0.5, -0.5+0.5j]
  KernelTester("DFT", 17)
      .Attr("inverse", int64_t{1})
      .Input(F({1, 4, 2}, {1, 0, 2, 0, 3, 0, 4, 0}))
      .ExpectOutput(F({1, 4, 2}, {2.5f, 0, -0.5f, -0.5f, -0.5f, 0, -0.5f, 0.5f}))
      .Tolerance(1e-5, 1e-5)
      .Run();
}

TEST(DftTest, OnesidedKeepsHalfTheBins) {
  // numpy: np.fft.rfft([1, 2, 3, 4, 5]) = [15, -2.5+3.4409548j, -2.5+0.81229924j]
  KernelTester("DFT", 17)
      .Attr("onesided", int64_t{1})
      .Input(F({1, 5, 1}, {1, 2, 3, 4, 5}))
      .ExpectOutput(F({1, 3, 2}, {15, 0, -2.5f, 3.4409548f, -2.5f, 0.81229924f}))
      .Tolerance(1e-5, 1e-5)
      .Run();
}

TEST(DftTest, DftLengthPadsAndTruncates) {
  // numpy: np.fft.fft([1, 2], n=4) = [3, 1-2j, -1, 1+2j]
  KernelTester("DFT", 17)
      .Input(F({1, 2, 1}, {1, 2}))
      .Input<int64_t>({}, {4})
      .ExpectOutput(F({1, 4, 2}, {3, 0, 1, -2, -1, 0, 1, 2}))
      .Tolerance(1e-5, 1e-5)
      .Run();
  // numpy: np.fft.fft([1, 2, 3], n=1) = [1]
  KernelTester("DFT", 17)
      .Input(F({1, 3, 1}, {1, 2, 3}))
      .Input<int32_t>({}, {1})
      .ExpectOutput(F({1, 1, 2}, {1, 0}))
      .Run();
}

TEST(DftTest, AxisTwoTransformsRows) {
  // numpy: np.fft.fft([[1, 2], [3, 5]], axis=1) = [[3, -1], [8, -2]]
  KernelTester("DFT", 17)
      .Attr("axis", int64_t{2})
      .Input(F({1, 2, 2, 1}, {1, 2, 3, 5}))
      .ExpectOutput(F({1, 2, 2, 2}, {3, 0, -1, 0, 8, 0, -2, 0}))
      .Tolerance(1e-5, 1e-5)
      .Run();
}

TEST(DftTest, RejectsOnesidedComplexInput) {
  KernelTester("DFT", 17)
      .Attr("onesided", int64_t{1})
      .Input(F({1, 2, 2}, {1, 0, 2, 0}))
      .ExpectError(StatusCode::kInvalidArgument, "onesided=1 is not possible for complex input");
}

TEST(DftTest, RejectsBatchAxis) {
  KernelTester("DFT", 17)
      .Attr("axis", int64_t{0})
      .Input(F({1, 2, 1}, {1, 2}))
      .ExpectError(StatusCode::kInvalidArgument, "axis 0 is not a signal axis");
}

TEST(DftTest, RejectsBadLastDimension) {
  KernelTester("DFT", 17)
      .Input(F({1, 2, 3}, {1, 2, 3, 4, 5, 6}))
      .ExpectError(StatusCode::kInvalidArgument, "input must be [batch, signal dims..., 1 or 2]");
}

TEST(StftTest, FramesWithWindow) {
  // numpy: s = np.arange(6.); w = [1, .5, .25, 0]
  //        [np.fft.fft(s[2*f:2*f+4] * w)[:3] for f in range(2)]
  //        = [[1, -0.5-0.5j, 0], [4.5, 1-1.5j, 1.5]]
  KernelTester("STFT", 17)
      .Input(F({1, 6, 1}, {0, 1, 2, 3, 4, 5}))
      .Input<int64_t>({}, {2})
      .Input(F({4}, {1, 0.5f, 0.25f, 0}))
      .ExpectOutput(F({1, 2, 3, 2}, {1, 0, -0.5f, -0.5f, 0, 0, 4.5f, 0, 1, -1.5f, 1.5f, 0}))
      .Tolerance(1e-5, 1e-5)
      .Run();
}

TEST(StftTest, FrameLengthWithoutWindowTwoSided) {
  // numpy: np.fft.fft([1, 2, 0, 0]) = [3, 1-2j, -1, 1+2j]; one frame of 4 from a length-5 signal.
  KernelTester("STFT", 17)
      .Attr("onesided", int64_t{0})
      .Input(F({1, 5, 1}, {1, 2, 0, 0, 9}))
      .Input<int64_t>({}, {4})
      .AbsentInput()
      .Input<int64_t>({}, {4})
      .ExpectOutput(F({1, 1, 4, 2}, {3, 0, 1, -2, -1, 0, 1, 2}))
      .Tolerance(1e-5, 1e-5)
      .Run();
}

TEST(StftTest, RejectsFrameLengthDifferentFromWindow) {
  KernelTester("STFT", 17)
      .Input(F({1, 6, 1}, {0, 1, 2, 3, 4, 5}))
      .Input<int64_t>({}, {2})
      .Input(F({4}, {1, 1, 1, 1}))
      .Input<int64_t>({}, {3})
      .ExpectError(StatusCode::kInvalidArgument, "frame_length is 3 but the window has 4");
}

TEST(StftTest, RequiresWindowOrFrameLength) {
  KernelTester("STFT", 17)
      .Input(F({1, 6, 1}, {0, 1, 2, 3, 4, 5}))
      .Input<int64_t>({}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "either window or frame_length is required");
}

}  // namespace
}  // namespace convcheck::interp
