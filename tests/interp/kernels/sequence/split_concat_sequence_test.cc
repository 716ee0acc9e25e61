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

Value Seq(std::vector<Tensor> items, DataType elem = DataType::kFloat32) {
  return Value::FromSequence(std::move(items), elem);
}

TEST(SplitToSequenceTest, NoSplitKeepsAxisOfSizeOne) {
  // numpy: np.split(np.arange(6).reshape(3, 2), 3, axis=0)
  KernelTester("SplitToSequence", 11)
      .Input(F({3, 2}, {0, 1, 2, 3, 4, 5}))
      .ExpectOutput(Seq({F({1, 2}, {0, 1}), F({1, 2}, {2, 3}), F({1, 2}, {4, 5})}))
      .Run();
}

TEST(SplitToSequenceTest, NoSplitWithKeepdimsZeroDropsAxis) {
  // numpy: [x[:, i] for i in range(2)] with x = np.arange(6).reshape(3, 2), axis=-1
  KernelTester("SplitToSequence", 11)
      .Attr("axis", int64_t{-1})
      .Attr("keepdims", int64_t{0})
      .Input(F({3, 2}, {0, 1, 2, 3, 4, 5}))
      .ExpectOutput(Seq({F({3}, {0, 2, 4}), F({3}, {1, 3, 5})}))
      .Run();
}

TEST(SplitToSequenceTest, ScalarSplitLeavesShorterLastPiece) {
  // numpy: np.array_split at [2, 4] of np.arange(5)
  KernelTester("SplitToSequence", 11)
      .Attr("keepdims", int64_t{0})  // Ignored when split is given.
      .Input(F({5}, {0, 1, 2, 3, 4}))
      .Input<int64_t>({}, {2})
      .ExpectOutput(Seq({F({2}, {0, 1}), F({2}, {2, 3}), F({1}, {4})}))
      .Run();
}

TEST(SplitToSequenceTest, ListSplitAllowsZeroSizedPieces) {
  KernelTester("SplitToSequence", 11)
      .Input(F({3}, {0, 1, 2}))
      .Input<int32_t>({3}, {1, 0, 2})
      .ExpectOutput(Seq({F({1}, {0}), F({0}, {}), F({2}, {1, 2})}))
      .Run();
}

TEST(SplitToSequenceTest, RejectsSplitNotSummingToAxis) {
  KernelTester("SplitToSequence", 11)
      .Input(F({3}, {0, 1, 2}))
      .Input<int64_t>({2}, {1, 1})
      .ExpectError(StatusCode::kInvalidArgument, "split sizes sum to 2 but axis 0 has length 3");
}

TEST(SplitToSequenceTest, RejectsAxisOutOfRange) {
  KernelTester("SplitToSequence", 11)
      .Attr("axis", int64_t{2})
      .Input(F({3}, {0, 1, 2}))
      .ExpectError(StatusCode::kInvalidArgument, "axis 2 is out of range for rank 1");
}

TEST(SplitToSequenceTest, SplitsStrings) {
  KernelTester("SplitToSequence", 11)
      .Input(Tensor::FromVector<std::string>({2}, {"a", "b"}))
      .ExpectOutput(Seq({Tensor::FromVector<std::string>({1}, {"a"}),
                         Tensor::FromVector<std::string>({1}, {"b"})}))
      .Run();
}

TEST(ConcatFromSequenceTest, ConcatenatesAlongAxis) {
  // numpy: np.concatenate([[[1, 2]], [[3, 4], [5, 6]]], axis=0)
  KernelTester("ConcatFromSequence", 11)
      .Attr("axis", int64_t{0})
      .Input(Seq({F({1, 2}, {1, 2}), F({2, 2}, {3, 4, 5, 6})}))
      .ExpectOutput(F({3, 2}, {1, 2, 3, 4, 5, 6}))
      .Run();
}

TEST(ConcatFromSequenceTest, NegativeAxis) {
  // numpy: np.concatenate([[[1], [2]], [[3], [4]]], axis=-1)
  KernelTester("ConcatFromSequence", 11)
      .Attr("axis", int64_t{-1})
      .Input(Seq({F({2, 1}, {1, 2}), F({2, 1}, {3, 4})}))
      .ExpectOutput(F({2, 2}, {1, 3, 2, 4}))
      .Run();
}

TEST(ConcatFromSequenceTest, NewAxisStacks) {
  // numpy: np.stack([[1, 2], [3, 4]], axis=1); axis may be r (= 1) with new_axis.
  KernelTester("ConcatFromSequence", 11)
      .Attr("axis", int64_t{1})
      .Attr("new_axis", int64_t{1})
      .Input(Seq({F({2}, {1, 2}), F({2}, {3, 4})}))
      .ExpectOutput(F({2, 2}, {1, 3, 2, 4}))
      .Run();
  KernelTester("ConcatFromSequence", 11)
      .Attr("axis", int64_t{-1})
      .Attr("new_axis", int64_t{1})
      .Input(Seq({F({}, {1}), F({}, {2})}))
      .ExpectOutput(F({2}, {1, 2}))
      .Run();
}

TEST(ConcatFromSequenceTest, RejectsMismatchedShapes) {
  KernelTester("ConcatFromSequence", 11)
      .Attr("axis", int64_t{0})
      .Input(Seq({F({1, 2}, {1, 2}), F({1, 3}, {3, 4, 5})}))
      .ExpectError(StatusCode::kInvalidArgument, "element 1 has shape [1,3]");
}

TEST(ConcatFromSequenceTest, RejectsEmptySequence) {
  KernelTester("ConcatFromSequence", 11)
      .Attr("axis", int64_t{0})
      .Input(Seq({}))
      .ExpectError(StatusCode::kInvalidArgument, "empty sequence");
}

TEST(ConcatFromSequenceTest, RejectsAxisOutOfRange) {
  KernelTester("ConcatFromSequence", 11)
      .Attr("axis", int64_t{1})
      .Input(Seq({F({2}, {1, 2})}))
      .ExpectError(StatusCode::kInvalidArgument, "axis 1 is out of range for rank 1");
}

}  // namespace
}  // namespace convcheck::interp
