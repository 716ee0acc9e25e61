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


TEST(OptionalTest, WrapsTensor) {
  KernelTester("Optional", 15)
      .Input(F({2}, {1, 2}))
      .ExpectOutput(Value::OptionalOf(Value::FromTensor(F({2}, {1, 2}))))
      .Run();
}

TEST(OptionalTest, WrapsSequence) {
  Value seq = Value::FromSequence({F({1}, {1})}, DataType::kFloat32);
  KernelTester("Optional", 15).Input(seq).ExpectOutput(Value::OptionalOf(seq)).Run();
}

TEST(OptionalTest, RequiresTypeWithoutInput) {
  KernelTester("Optional", 15)
      .ExpectError(StatusCode::kInvalidArgument, "attribute 'type' is required");
}

TEST(OptionalTest, RejectsOptionalInput) {
  KernelTester("Optional", 15)
      .Input(Value::EmptyOptional())
      .ExpectError(StatusCode::kInvalidArgument, "input is already an optional");
}

TEST(OptionalHasElementTest, TrueForFullFalseForEmpty) {
  KernelTester("OptionalHasElement", 15)
      .Input(Value::OptionalOf(Value::FromTensor(F({1}, {1}))))
      .ExpectOutput(Tensor::Scalar<bool>(true))
      .Run();
  KernelTester("OptionalHasElement", 15)
      .Input(Value::EmptyOptional())
      .ExpectOutput(Tensor::Scalar<bool>(false))
      .Run();
}

TEST(OptionalHasElementTest, PlainTensorCountsAsPresent) {
  KernelTester("OptionalHasElement", 15)
      .Input(F({1}, {1}))
      .ExpectOutput(Tensor::Scalar<bool>(true))
      .Run();
}

TEST(OptionalGetElementTest, UnwrapsTensorAndSequence) {
  KernelTester("OptionalGetElement", 15)
      .Input(Value::OptionalOf(Value::FromTensor(F({2}, {3, 4}))))
      .ExpectOutput(F({2}, {3, 4}))
      .Run();
  Value seq = Value::FromSequence({F({1}, {1}), F({1}, {2})}, DataType::kFloat32);
  KernelTester("OptionalGetElement", 15).Input(Value::OptionalOf(seq)).ExpectOutput(seq).Run();
}

TEST(OptionalGetElementTest, RejectsEmptyOptional) {
  KernelTester("OptionalGetElement", 15)
      .Input(Value::EmptyOptional())
      .ExpectError(StatusCode::kInvalidArgument, "input is an empty optional");
}

}  // namespace
}  // namespace convcheck::interp
