// The infer rules of the elementwise, compare, cast, reduce and scan operators: what they refuse
// (ranges that could give NaN or Inf, tie-sensitive ops on tied inputs) and the shapes, dtypes,
// ranges and tie flags they give.
#include <gtest/gtest.h>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

ValueInfo Float(std::vector<int64_t> shape, double lo, double hi, bool may_tie = false) {
  ValueInfo info = ProposeContext::Float(std::move(shape), lo, hi);
  info.may_tie = may_tie;
  return info;
}

ValueInfo Typed(DataType dtype, std::vector<int64_t> shape, double lo, double hi) {
  ValueInfo info = Float(std::move(shape), lo, hi, true);
  info.dtype = dtype;
  return info;
}

StatusOr<std::vector<ValueInfo>> Infer(const std::string& op, const std::vector<ValueInfo>& in,
                                       const Attrs& attrs = {}) {
  const OpSpec* spec = FindOp(op);
  EXPECT_NE(spec, nullptr) << op;
  if (spec == nullptr) return InvalidArgument("no op " + op);
  return spec->infer(in, attrs);
}

TEST(ElementwiseOpsTest, EveryRequestedOpIsInTheCatalog) {
  for (const char* name : {"sigmoid",
                           "tanh",
                           "exp",
                           "log",
                           "sqrt",
                           "rsqrt",
                           "abs",
                           "neg",
                           "sin",
                           "cos",
                           "atan",
                           "floor",
                           "ceil",
                           "round",
                           "reciprocal",
                           "erf",
                           "square",
                           "sign",
                           "gelu",
                           "silu",
                           "elu",
                           "selu",
                           "leaky_relu",
                           "hardtanh",
                           "clamp",
                           "relu6",
                           "softplus",
                           "softsign",
                           "hardswish",
                           "hardsigmoid",
                           "logsigmoid",
                           "mish",
                           "sub",
                           "mul",
                           "div",
                           "pow",
                           "pow_tensor",
                           "maximum",
                           "minimum",
                           "gt",
                           "lt",
                           "ge",
                           "le",
                           "eq",
                           "ne",
                           "where",
                           "logical_and",
                           "logical_or",
                           "logical_xor",
                           "logical_not",
                           "to_int64",
                           "to_float",
                           "add_int_float",
                           "sum",
                           "mean",
                           "amax",
                           "amin",
                           "prod",
                           "logsumexp",
                           "var",
                           "std",
                           "vector_norm",
                           "argmax",
                           "argmin",
                           "softmax",
                           "log_softmax",
                           "cumsum",
                           "topk",
                           "sort",
                           "max_dim"}) {
    EXPECT_NE(FindOp(name), nullptr) << name;
  }
}

TEST(ElementwiseOpsTest, LogRefusesRangesReachingZero) {
  EXPECT_FALSE(Infer("log", {Float({4}, 0, 1)}).ok());
  EXPECT_FALSE(Infer("log", {Float({4}, -1, 1)}).ok());
  auto out = Infer("log", {Float({4}, 0.5, 2)});
  ASSERT_TRUE(out.ok());
  EXPECT_LE((*out)[0].range.lo, std::log(0.5));
  EXPECT_GE((*out)[0].range.hi, std::log(2.0));
}

TEST(ElementwiseOpsTest, DomainRules) {
  EXPECT_FALSE(Infer("exp", {Float({4}, 0, 20)}).ok());
  EXPECT_TRUE(Infer("exp", {Float({4}, -1, 1)}).ok());
  EXPECT_FALSE(Infer("sqrt", {Float({4}, -0.5, 1)}).ok());
  EXPECT_TRUE(Infer("sqrt", {Float({4}, 0, 1)}).ok());
  EXPECT_FALSE(Infer("rsqrt", {Float({4}, 0, 1)}).ok());
  EXPECT_FALSE(Infer("reciprocal", {Float({4}, -1, 1)}).ok());
  EXPECT_FALSE(Infer("reciprocal", {Float({4}, 0.05, 1)}).ok());
  EXPECT_TRUE(Infer("reciprocal", {Float({4}, -2, -0.5)}).ok());
  EXPECT_FALSE(Infer("div", {Float({4}, -1, 1), Float({4}, -1, 1)}).ok());
  EXPECT_TRUE(Infer("div", {Float({4}, -1, 1), Float({4}, 0.5, 1.5)}).ok());
  EXPECT_FALSE(Infer("pow", {Float({4}, -1, 1)}, {{"exponent", 0.5}}).ok());
  EXPECT_FALSE(Infer("pow", {Float({4}, -1, 1)}, {{"exponent", -1.0}}).ok());
  EXPECT_TRUE(Infer("pow", {Float({4}, -1, 1)}, {{"exponent", 3.0}}).ok());
  EXPECT_FALSE(Infer("pow_tensor", {Float({4}, 0, 1), Float({4}, -1, 1)}).ok());
  EXPECT_TRUE(Infer("pow_tensor", {Float({4}, 0.5, 2), Float({4}, -2, 2)}).ok());
  EXPECT_FALSE(Infer("softplus", {Float({4}, 0, 30)}).ok());
  EXPECT_FALSE(Infer("logsumexp", {Float({4}, 0, 100)},
                     {{"dims", std::vector<int64_t>{0}}, {"keepdim", int64_t{0}}})
                   .ok());
}

TEST(ElementwiseOpsTest, RangesAreSoundBounds) {
  auto sig = Infer("sigmoid", {Float({3}, -2, 3)});
  ASSERT_TRUE(sig.ok());
  EXPECT_LE((*sig)[0].range.lo, 1 / (1 + std::exp(2.0)));
  EXPECT_GE((*sig)[0].range.hi, 1 / (1 + std::exp(-3.0)));
  auto gelu = Infer("gelu", {Float({3}, -3, 3)});
  ASSERT_TRUE(gelu.ok());
  EXPECT_LE((*gelu)[0].range.lo, -0.1699);  // Not monotone: the minimum is inside.
  auto sub = Infer("sub", {Float({3}, 0, 1), Float({3}, -2, 5)});
  ASSERT_TRUE(sub.ok());
  EXPECT_DOUBLE_EQ((*sub)[0].range.lo, -5);
  EXPECT_DOUBLE_EQ((*sub)[0].range.hi, 3);
  auto sum = Infer("sum", {Float({2, 5, 3}, -1, 2)},
                   {{"dims", std::vector<int64_t>{1, 2}}, {"keepdim", int64_t{1}}});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ((*sum)[0].shape, (std::vector<int64_t>{2, 1, 1}));
  EXPECT_LE((*sum)[0].range.lo, -15);
  EXPECT_GE((*sum)[0].range.hi, 30);
  auto cumsum = Infer("cumsum", {Float({2, 5}, 0.5, 1)}, {{"dim", int64_t{1}}});
  ASSERT_TRUE(cumsum.ok());
  EXPECT_LE((*cumsum)[0].range.lo, 0.5);
  EXPECT_GE((*cumsum)[0].range.hi, 5);
}

TEST(ElementwiseOpsTest, TiesAreTracked) {
  // Clamping, rounding and broadcasting make equal elements; plain arithmetic does not.
  EXPECT_TRUE((*Infer("floor", {Float({4}, -3, 3)}))[0].may_tie);
  EXPECT_TRUE((*Infer("clamp", {Float({4}, -3, 3)}, {{"min", -1.0}, {"max", 1.0}}))[0].may_tie);
  EXPECT_FALSE(
      (*Infer("clamp", {Float({4}, -0.5, 0.5)}, {{"min", -1.0}, {"max", 1.0}}))[0].may_tie);
  EXPECT_FALSE((*Infer("neg", {Float({4}, -3, 3)}))[0].may_tie);
  EXPECT_TRUE((*Infer("neg", {Float({4}, -3, 3, true)}))[0].may_tie);
  EXPECT_TRUE((*Infer("mul", {Float({4, 3}, -1, 1), Float({1, 3}, -1, 1)}))[0].may_tie);
  EXPECT_FALSE((*Infer("mul", {Float({4, 3}, -1, 1), Float({4, 3}, -1, 1)}))[0].may_tie);
  // Sigmoid saturates to exactly 1.0 in float32 far out.
  EXPECT_FALSE((*Infer("sigmoid", {Float({4}, -3, 3)}))[0].may_tie);
  EXPECT_TRUE((*Infer("sigmoid", {Float({4}, -3, 30)}))[0].may_tie);
}

TEST(ElementwiseOpsTest, TieSensitiveOpsRefuseTiedInputs) {
  const Attrs arg{{"dims", std::vector<int64_t>{1}}, {"keepdim", int64_t{0}}};
  EXPECT_FALSE(Infer("argmax", {Float({3, 4}, -1, 1, true)}, arg).ok());
  EXPECT_FALSE(Infer("argmin", {Float({3, 4}, -1, 1, true)}, arg).ok());
  EXPECT_FALSE(
      Infer("topk", {Float({3, 4}, -1, 1, true)}, {{"dim", int64_t{1}}, {"k", int64_t{2}}}).ok());
  EXPECT_FALSE(
      Infer("sort", {Float({3, 4}, -1, 1, true)}, {{"dim", int64_t{0}}, {"descending", int64_t{0}}})
          .ok());
  EXPECT_FALSE(
      Infer("max_dim", {Float({3, 4}, -1, 1, true)}, {{"dim", int64_t{0}}, {"keepdim", int64_t{0}}})
          .ok());
  // amax only returns values, which ties do not change.
  EXPECT_TRUE(Infer("amax", {Float({3, 4}, -1, 1, true)}, arg).ok());

  auto argmax = Infer("argmax", {Float({3, 4}, -1, 1)}, arg);
  ASSERT_TRUE(argmax.ok());
  EXPECT_EQ((*argmax)[0].dtype, DataType::kInt64);
  EXPECT_EQ((*argmax)[0].shape, (std::vector<int64_t>{3}));
  EXPECT_DOUBLE_EQ((*argmax)[0].range.lo, 0);
  EXPECT_DOUBLE_EQ((*argmax)[0].range.hi, 3);
  EXPECT_TRUE((*argmax)[0].may_tie);
}

TEST(ElementwiseOpsTest, IndexedOpsShapes) {
  auto topk = Infer("topk", {Float({3, 7}, -1, 1)}, {{"dim", int64_t{1}}, {"k", int64_t{2}}});
  ASSERT_TRUE(topk.ok());
  ASSERT_EQ(topk->size(), 2u);
  EXPECT_EQ((*topk)[0].shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ((*topk)[1].dtype, DataType::kInt64);
  EXPECT_DOUBLE_EQ((*topk)[1].range.hi, 6);
  EXPECT_FALSE(
      Infer("topk", {Float({3, 7}, -1, 1)}, {{"dim", int64_t{1}}, {"k", int64_t{8}}}).ok());
  auto max =
      Infer("max_dim", {Float({3, 7}, -1, 1)}, {{"dim", int64_t{0}}, {"keepdim", int64_t{1}}});
  ASSERT_TRUE(max.ok());
  EXPECT_EQ((*max)[0].shape, (std::vector<int64_t>{1, 7}));
  EXPECT_EQ((*max)[1].shape, (std::vector<int64_t>{1, 7}));
}

TEST(ElementwiseOpsTest, ReduceRules) {
  // Unbiased variance of one element is NaN.
  EXPECT_FALSE(Infer("var", {Float({3, 1}, -1, 1)},
                     {{"dims", std::vector<int64_t>{1}}, {"keepdim", int64_t{0}}})
                   .ok());
  EXPECT_FALSE(Infer("sum", {Float({3, 4}, -1, 1)},
                     {{"dims", std::vector<int64_t>{2}}, {"keepdim", int64_t{0}}})
                   .ok());
  auto full = Infer("mean", {Float({3, 4}, -1, 1)},
                    {{"dims", std::vector<int64_t>{0, 1}}, {"keepdim", int64_t{1}}});
  ASSERT_TRUE(full.ok());
  EXPECT_EQ((*full)[0].shape, (std::vector<int64_t>{1, 1}));
  // Rank-0 results are refused until the workers store 0-d outputs as 0-d.
  EXPECT_FALSE(Infer("mean", {Float({3, 4}, -1, 1)},
                     {{"dims", std::vector<int64_t>{0, 1}}, {"keepdim", int64_t{0}}})
                   .ok());
  // A product of 32 values up to 2 in magnitude could reach 4e9.
  EXPECT_FALSE(Infer("prod", {Float({2, 32}, -2, 2)},
                     {{"dims", std::vector<int64_t>{1}}, {"keepdim", int64_t{0}}})
                   .ok());
  EXPECT_TRUE(Infer("prod", {Float({2, 32}, -1, 1)},
                    {{"dims", std::vector<int64_t>{1}}, {"keepdim", int64_t{0}}})
                  .ok());
}

TEST(ElementwiseOpsTest, CompareAndCastDtypes) {
  auto gt = Infer("gt", {Float({2, 3}, -1, 1), Float({3}, -1, 1)});
  ASSERT_TRUE(gt.ok());
  EXPECT_EQ((*gt)[0].dtype, DataType::kBool);
  EXPECT_EQ((*gt)[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE((*gt)[0].may_tie);
  // Float equality is not exact across engines: eq takes int64 only.
  EXPECT_FALSE(Infer("eq", {Float({3}, -1, 1), Float({3}, -1, 1)}).ok());
  EXPECT_TRUE(
      Infer("eq", {Typed(DataType::kInt64, {3}, -5, 5), Typed(DataType::kInt64, {3}, -5, 5)}).ok());
  EXPECT_FALSE(Infer("gt", {Float({2}, -1, 1), Float({3}, -1, 1)}).ok());  // No broadcast.
  auto where = Infer(
      "where", {Typed(DataType::kBool, {2, 1}, 0, 1), Float({2, 3}, -1, 1), Float({3}, 4, 5)});
  ASSERT_TRUE(where.ok());
  EXPECT_EQ((*where)[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_DOUBLE_EQ((*where)[0].range.lo, -1);
  EXPECT_DOUBLE_EQ((*where)[0].range.hi, 5);
  auto to_int = Infer("to_int64", {Float({3}, -2.5, 3.7)});
  ASSERT_TRUE(to_int.ok());
  EXPECT_EQ((*to_int)[0].dtype, DataType::kInt64);
  EXPECT_DOUBLE_EQ((*to_int)[0].range.lo, -2);  // Truncation toward zero.
  EXPECT_DOUBLE_EQ((*to_int)[0].range.hi, 3);
  auto promoted = Infer("add_int_float", {Typed(DataType::kInt64, {3}, -5, 5), Float({3}, 0, 1)});
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ((*promoted)[0].dtype, DataType::kFloat32);
  EXPECT_FALSE(Infer("logical_and", {Float({3}, 0, 1), Float({3}, 0, 1)}).ok());
}

}  // namespace
}  // namespace convcheck::gen
