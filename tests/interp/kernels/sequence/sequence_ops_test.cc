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

TEST(SequenceConstructTest, KeepsInputsInOrder) {
  KernelTester("SequenceConstruct", /*opset=*/11)
      .Input(F({2}, {1, 2}))
      .Input(F({1}, {3}))
      .ExpectOutput(Seq({F({2}, {1, 2}), F({1}, {3})}))
      .Run();
}

TEST(SequenceConstructTest, RejectsMixedTypes) {
  KernelTester("SequenceConstruct", /*opset=*/11)
      .Input(F({1}, {1}))
      .Input<int64_t>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "input 1 is int64 but input 0 is float32");
}

TEST(SequenceEmptyTest, DefaultsToFloat) {
  KernelTester("SequenceEmpty", /*opset=*/11).ExpectOutput(Seq({}, DataType::kFloat32)).Run();
  StatusOr<std::vector<Value>> out = KernelTester("SequenceEmpty", 11).IgnoreOutput().Outputs();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].sequence_elem_type(), DataType::kFloat32);
}

TEST(SequenceEmptyTest, UsesDtypeAttribute) {
  StatusOr<std::vector<Value>> out = KernelTester("SequenceEmpty", 11)
                                         .Attr("dtype", int64_t{7})
                                         .IgnoreOutput()
                                         .Outputs();
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE((*out)[0].sequence().empty());
  EXPECT_EQ((*out)[0].sequence_elem_type(), DataType::kInt64);
}

TEST(SequenceEmptyTest, RejectsUnknownDtype) {
  KernelTester("SequenceEmpty", 11)
      .Attr("dtype", int64_t{99})
      .ExpectError(StatusCode::kInvalidArgument, "dtype 99");
}

TEST(SequenceAtTest, NegativePositionCountsFromTheBack) {
  // python: [a, b, c][-1]
  KernelTester("SequenceAt", 11)
      .Input(Seq({F({1}, {1}), F({1}, {2}), F({1}, {3})}))
      .Input<int32_t>({}, {-1})
      .ExpectOutput(F({1}, {3}))
      .Run();
}

TEST(SequenceAtTest, RejectsOutOfRangePosition) {
  KernelTester("SequenceAt", 11)
      .Input(Seq({F({1}, {1})}))
      .Input<int64_t>({}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "position 1 is out of range for a sequence of 1");
}

TEST(SequenceAtTest, RejectsTensorInput) {
  KernelTester("SequenceAt", 11)
      .Input(F({1}, {1}))
      .Input<int64_t>({}, {0})
      .ExpectError(StatusCode::kInvalidArgument, "expected a sequence");
}

TEST(SequenceInsertTest, AppendsWithoutPosition) {
  KernelTester("SequenceInsert", 11)
      .Input(Seq({F({1}, {1})}))
      .Input(F({1}, {2}))
      .ExpectOutput(Seq({F({1}, {1}), F({1}, {2})}))
      .Run();
}

TEST(SequenceInsertTest, InsertsAtFrontAndAtEnd) {
  KernelTester("SequenceInsert", 11)
      .Input(Seq({F({1}, {1}), F({1}, {2})}))
      .Input(F({1}, {0}))
      .Input<int64_t>({}, {0})
      .ExpectOutput(Seq({F({1}, {0}), F({1}, {1}), F({1}, {2})}))
      .Run();
  // Position == length appends; -1 inserts before the last element (python list.insert).
  KernelTester("SequenceInsert", 11)
      .Input(Seq({F({1}, {1}), F({1}, {2})}))
      .Input(F({1}, {9}))
      .Input<int64_t>({}, {-1})
      .ExpectOutput(Seq({F({1}, {1}), F({1}, {9}), F({1}, {2})}))
      .Run();
}

TEST(SequenceInsertTest, InsertsIntoEmptySequence) {
  KernelTester("SequenceInsert", 11)
      .Input(Seq({}, DataType::kInt64))
      .Input<int64_t>({2}, {4, 5})
      .ExpectOutput(Seq({Tensor::FromVector<int64_t>({2}, {4, 5})}))
      .Run();
}

TEST(SequenceInsertTest, RejectsWrongElementType) {
  KernelTester("SequenceInsert", 11)
      .Input(Seq({F({1}, {1})}))
      .Input<int64_t>({1}, {2})
      .ExpectError(StatusCode::kInvalidArgument,
                   "tensor of type int64 does not match the sequence element type float32");
}

TEST(SequenceInsertTest, RejectsPositionPastTheEnd) {
  KernelTester("SequenceInsert", 11)
      .Input(Seq({F({1}, {1})}))
      .Input(F({1}, {2}))
      .Input<int64_t>({}, {2})
      .ExpectError(StatusCode::kInvalidArgument, "valid: [-1, 1]");
}

TEST(SequenceEraseTest, ErasesLastByDefault) {
  KernelTester("SequenceErase", 11)
      .Input(Seq({F({1}, {1}), F({1}, {2})}))
      .ExpectOutput(Seq({F({1}, {1})}))
      .Run();
}

TEST(SequenceEraseTest, NegativePosition) {
  KernelTester("SequenceErase", 11)
      .Input(Seq({F({1}, {1}), F({1}, {2}), F({1}, {3})}))
      .Input<int64_t>({}, {-3})
      .ExpectOutput(Seq({F({1}, {2}), F({1}, {3})}))
      .Run();
}

TEST(SequenceEraseTest, RejectsEmptySequence) {
  KernelTester("SequenceErase", 11)
      .Input(Seq({}))
      .ExpectError(StatusCode::kInvalidArgument, "out of range for a sequence of 0");
}

TEST(SequenceLengthTest, CountsElements) {
  KernelTester("SequenceLength", 11)
      .Input(Seq({F({1}, {1}), F({2}, {2, 3})}))
      .ExpectOutput(Tensor::Scalar<int64_t>(2))
      .Run();
  KernelTester("SequenceLength", 11)
      .Input(Seq({}))
      .ExpectOutput(Tensor::Scalar<int64_t>(0))
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
