#include <gtest/gtest.h>

#include <cstdint>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(ReverseSequenceTest, TimeMajor) {
  // x[t, b]: batch 0 reverses 3 steps, batch 1 reverses 1 (a no-op).
  KernelTester("ReverseSequence", /*opset=*/10)
      .Input<float>({3, 2}, {0, 10, 1, 11, 2, 12})
      .Input<int64_t>({2}, {3, 1})
      .ExpectOutput<float>({3, 2}, {2, 10, 1, 11, 0, 12})
      .Run();
}

TEST(ReverseSequenceTest, BatchMajor) {
  KernelTester("ReverseSequence", /*opset=*/10)
      .Attr("batch_axis", int64_t{0})
      .Attr("time_axis", int64_t{1})
      .Input<int32_t>({2, 3}, {0, 1, 2, 3, 4, 5})
      .Input<int64_t>({2}, {2, 0})
      .ExpectOutput<int32_t>({2, 3}, {1, 0, 2, 3, 4, 5})
      .Run();
}

TEST(ReverseSequenceTest, LengthBeyondTimeIsAComputeError) {
  KernelTester("ReverseSequence", /*opset=*/10)
      .Input<float>({2, 1}, {0, 1})
      .Input<int64_t>({1}, {3})
      .ExpectError(StatusCode::kInvalidArgument, "sequence_lens[0] = 3 is out of range [0, 2]");
}

TEST(ReverseSequenceTest, RejectsSameAxes) {
  KernelTester("ReverseSequence", /*opset=*/10)
      .Attr("batch_axis", int64_t{0})
      .Input<float>({2, 1}, {0, 1})
      .Input<int64_t>({2}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "must be 0 and 1 in some order");
}

}  // namespace
}  // namespace convcheck::interp
