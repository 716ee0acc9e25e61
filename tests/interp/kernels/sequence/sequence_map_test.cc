#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;
using ::convcheck::testing::MakeGraph;
using ::convcheck::testing::MakeNode;

Tensor F(Shape shape, std::vector<float> values) {
  return Tensor::FromVector<float>(std::move(shape), values);
}

Value Seq(std::vector<Tensor> items, DataType elem = DataType::kFloat32) {
  return Value::FromSequence(std::move(items), elem);
}

onnx::GraphProto AddBody() {
  return MakeGraph("add", {MakeNode("Add", {"a", "b"}, {"c"})},
                   {{"a", DataType::kFloat32}, {"b", DataType::kFloat32}},
                   {{"c", DataType::kFloat32}});
}

TEST(SequenceMapTest, AddsTwoSequencesElementwise) {
  // python: [a + b for a, b in zip(x, y)]
  KernelTester("SequenceMap", 17)
      .Attr("body", AddBody())
      .Input(Seq({F({2}, {1, 2}), F({1}, {3})}))
      .Input(Seq({F({2}, {10, 20}), F({1}, {30})}))
      .ExpectOutput(Seq({F({2}, {11, 22}), F({1}, {33})}))
      .Run();
}

TEST(SequenceMapTest, TensorInputIsSharedByEveryIteration) {
  KernelTester("SequenceMap", 17)
      .Attr("body", AddBody())
      .Input(Seq({F({2}, {1, 2}), F({2}, {3, 4})}))
      .Input(F({1}, {100}))
      .ExpectOutput(Seq({F({2}, {101, 102}), F({2}, {103, 104})}))
      .Run();
}

TEST(SequenceMapTest, MultipleOutputsAndShapes) {
  // The body returns x and Shape(x): two output sequences.
  onnx::GraphProto body =
      MakeGraph("shapes", {MakeNode("Identity", {"x"}, {"y"}), MakeNode("Shape", {"x"}, {"s"})},
                {{"x", DataType::kFloat32}}, {{"y", DataType::kFloat32}, {"s", DataType::kInt64}});
  // Shape is another family's kernel: skip if it is not registered yet.
  KernelTester tester("SequenceMap", 17);
  tester.Attr("body", body)
      .Input(Seq({F({1, 2}, {1, 2}), F({3}, {3, 4, 5})}))
      .ExpectOutput(Seq({F({1, 2}, {1, 2}), F({3}, {3, 4, 5})}))
      .ExpectOutput(Seq({Tensor::FromVector<int64_t>({2}, {1, 2}),
                         Tensor::FromVector<int64_t>({1}, {3})}));
  StatusOr<std::vector<Value>> probe = tester.Outputs();
  if (!probe.ok() && probe.status().code() == StatusCode::kUnimplemented) {
    GTEST_SKIP() << probe.status().ToString();
  }
  tester.Run();
}

TEST(SequenceMapTest, EmptySequenceGivesEmptyOutputOfDeclaredType) {
  StatusOr<std::vector<Value>> out = KernelTester("SequenceMap", 17)
                                         .Attr("body", AddBody())
                                         .Input(Seq({}))
                                         .Input(F({1}, {1}))
                                         .IgnoreOutput()
                                         .Outputs();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE((*out)[0].sequence().empty());
  EXPECT_EQ((*out)[0].sequence_elem_type(), DataType::kFloat32);
}

TEST(SequenceMapTest, RejectsSequencesOfDifferentLengths) {
  KernelTester("SequenceMap", 17)
      .Attr("body", AddBody())
      .Input(Seq({F({1}, {1}), F({1}, {2})}))
      .Input(Seq({F({1}, {1})}))
      .ExpectError(StatusCode::kInvalidArgument,
                   "input 1 is a sequence of 1 elements but input 0 has 2");
}

TEST(SequenceMapTest, RejectsBodyWithWrongArity) {
  KernelTester("SequenceMap", 17)
      .Attr("body", AddBody())
      .Input(Seq({F({1}, {1})}))
      .ExpectError(StatusCode::kInvalidArgument, "body has 2 inputs but the node has 1");
}

TEST(SequenceMapTest, RejectsTensorAsFirstInput) {
  KernelTester("SequenceMap", 17)
      .Attr("body", AddBody())
      .Input(F({1}, {1}))
      .Input(F({1}, {1}))
      .ExpectError(StatusCode::kInvalidArgument, "input 0 must be a sequence");
}

}  // namespace
}  // namespace convcheck::interp
