#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

// log-probabilities np.log([[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]), targets [2, 0].
const std::vector<double> kLogP = {std::log(0.1), std::log(0.2), std::log(0.7),
                                   std::log(0.5), std::log(0.3), std::log(0.2)};

TEST(NllLossTest, MeanIsTheDefault) {
  // numpy: (-np.log(0.7) - np.log(0.5)) / 2
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Input<double>({2, 3}, kLogP)
      .Input<int64_t>({2}, {2, 0})
      .ExpectOutput<double>({}, {0.5249110622493389})
      .Run();
}

TEST(NllLossTest, NoneKeepsTargetShape) {
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Attr("reduction", "none")
      .Input<double>({2, 3}, kLogP)
      .Input<int32_t>({2}, {2, 0})
      .ExpectOutput<double>({2}, {0.35667494393873245, 0.6931471805599453})
      .Run();
}

TEST(NllLossTest, WeightedMeanDividesBySumOfWeights) {
  // numpy: (-np.log(0.7) * 3 - np.log(0.5) * 1) / (3 + 1)
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Input<double>({2, 3}, kLogP)
      .Input<int64_t>({2}, {2, 0})
      .Input<double>({3}, {1, 2, 3})
      .ExpectOutput<double>({}, {0.4407930030940357})
      .Run();
}

TEST(NllLossTest, IgnoreIndexDropsEntriesFromSumAndCount) {
  // Only the second entry counts: -np.log(0.5) / 1.
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Attr("ignore_index", int64_t{2})
      .Input<double>({2, 3}, kLogP)
      .Input<int64_t>({2}, {2, 0})
      .ExpectOutput<double>({}, {0.6931471805599453})
      .Run();
}

TEST(NllLossTest, HigherRankInputAndSum) {
  // [N=1, C=2, d=2]: loss = -x[0, t[0], 0] - x[0, t[1], 1] = -(1) - (4).
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Attr("reduction", "sum")
      .Input<float>({1, 2, 2}, {1, 2, 3, 4})
      .Input<int64_t>({1, 2}, {0, 1})
      .ExpectOutput<float>({}, {-5})
      .Run();
}

TEST(NllLossTest, RejectsTargetShapeMismatch) {
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Input<double>({2, 3}, kLogP)
      .Input<int64_t>({3}, {0, 0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "target shape [3] does not match");
}

TEST(NllLossTest, RejectsOutOfRangeTarget) {
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Input<double>({2, 3}, kLogP)
      .Input<int64_t>({2}, {3, 0})
      .ExpectError(StatusCode::kInvalidArgument, "target value 3 at index 0 is outside [0, 3)");
}

TEST(NllLossTest, RejectsUnknownReduction) {
  KernelTester("NegativeLogLikelihoodLoss", /*opset=*/13)
      .Attr("reduction", "max")
      .Input<double>({2, 3}, kLogP)
      .Input<int64_t>({2}, {2, 0})
      .ExpectError(StatusCode::kInvalidArgument, "got 'max'");
}

TEST(SoftmaxCrossEntropyLossTest, SumAndLogProb) {
  // numpy: l = log_softmax([[1, 2, 3], [1, 1, 1]], axis=1); -l[0, 2] - l[1, 0]
  KernelTester("SoftmaxCrossEntropyLoss", /*opset=*/13)
      .Attr("reduction", "sum")
      .Input<double>({2, 3}, {1, 2, 3, 1, 1, 1})
      .Input<int64_t>({2}, {2, 0})
      .ExpectOutput<double>({}, {1.5062182531124901})
      .ExpectOutput<double>({2, 3}, {-2.4076059644443806, -1.4076059644443804,
                                     -0.4076059644443804, -1.0986122886681098,
                                     -1.0986122886681098, -1.0986122886681098})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
