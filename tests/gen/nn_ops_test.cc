// The infer rules of the nn and shape operators: output shapes as PyTorch computes them, and
// rejection of what PyTorch would reject (the reducer relies on infer to re-check edited graphs).
#include <gtest/gtest.h>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

ValueInfo F(std::vector<int64_t> shape, double lo = -1, double hi = 1) {
  return ProposeContext::Float(std::move(shape), lo, hi);
}

ValueInfo I64(std::vector<int64_t> shape, double lo, double hi) {
  ValueInfo info;
  info.dtype = DataType::kInt64;
  info.shape = std::move(shape);
  info.range = {lo, hi};
  return info;
}

StatusOr<std::vector<ValueInfo>> Infer(const std::string& op, const std::vector<ValueInfo>& in,
                                       const Attrs& attrs = {}) {
  const OpSpec* spec = FindOp(op);
  EXPECT_NE(spec, nullptr) << op;
  return spec->infer(in, attrs);
}

Attrs ConvAttrs(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> p,
                std::vector<int64_t> d, int64_t groups) {
  return {{"kernel", k}, {"stride", s}, {"padding", p}, {"dilation", d}, {"groups", groups}};
}

TEST(NnOpsTest, AllRegistered) {
  for (const char* name : {"linear",
                           "matmul",
                           "bmm",
                           "conv1d",
                           "conv2d",
                           "conv3d",
                           "conv_transpose1d",
                           "conv_transpose2d",
                           "conv_transpose3d",
                           "max_pool1d",
                           "max_pool2d",
                           "max_pool3d",
                           "avg_pool1d",
                           "avg_pool2d",
                           "avg_pool3d",
                           "adaptive_avg_pool2d",
                           "batch_norm",
                           "layer_norm",
                           "group_norm",
                           "instance_norm",
                           "interpolate",
                           "reshape",
                           "flatten",
                           "transpose",
                           "permute",
                           "squeeze",
                           "unsqueeze",
                           "slice",
                           "concat",
                           "stack",
                           "split",
                           "chunk",
                           "pad",
                           "expand",
                           "repeat",
                           "flip",
                           "gather",
                           "index_select",
                           "scatter",
                           "roll"}) {
    EXPECT_NE(FindOp(name), nullptr) << name;
  }
}

TEST(NnOpsTest, Conv2dShapeAndRange) {
  // [1, 4, 9, 8], kernel 3, stride 2, padding 1, dilation 2, groups 2 -> Cout 6.
  auto out = Infer("conv2d", {F({1, 4, 9, 8}), F({6, 2, 3, 3}, -0.5, 0.5), F({6}, -0.1, 0.1)},
                   ConvAttrs({3, 3}, {2, 2}, {1, 1}, {2, 2}, 2));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{1, 6, 4, 3}));
  // 2 channels * 9 taps * 0.5 * 1 + 0.1.
  EXPECT_DOUBLE_EQ((*out)[0].range.hi, 9.1);
  EXPECT_TRUE((*out)[0].may_tie);  // Padded.
}

TEST(NnOpsTest, ConvRejectsMismatchedChannels) {
  const Attrs attrs = ConvAttrs({3}, {1}, {0}, {1}, 1);
  EXPECT_FALSE(Infer("conv1d", {F({1, 4, 8}), F({6, 3, 3})}, attrs).ok());
  EXPECT_FALSE(Infer("conv1d", {F({1, 4, 8}), F({6, 4, 2})}, attrs).ok());  // Kernel differs.
  EXPECT_FALSE(Infer("conv1d", {F({1, 4, 2}), F({6, 4, 3})}, attrs).ok());  // Too short.
  EXPECT_FALSE(Infer("conv1d", {F({1, 4, 8}), F({6, 4, 3}), F({5})}, attrs).ok());
  EXPECT_FALSE(
      Infer("conv1d", {F({1, 4, 8}), F({6, 2, 3})}, ConvAttrs({3}, {1}, {0}, {1}, 3)).ok());
  EXPECT_TRUE(Infer("conv1d", {F({1, 4, 8}), F({6, 4, 3})}, attrs).ok());
}

TEST(NnOpsTest, ConvTransposeShape) {
  Attrs attrs = ConvAttrs({3, 2}, {2, 1}, {1, 0}, {1, 1}, 2);
  attrs["output_padding"] = std::vector<int64_t>{1, 0};
  // Weight [Cin, Cout/groups, k...]: Cout = 3 * 2.
  auto out = Infer("conv_transpose2d", {F({2, 4, 5, 3}), F({4, 3, 3, 2})}, attrs);
  ASSERT_TRUE(out.ok()) << out.status().message();
  // (5 - 1) * 2 - 2 + 3 + 1 = 10; (3 - 1) * 1 + 2 = 4.
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{2, 6, 10, 4}));
  attrs["output_padding"] = std::vector<int64_t>{2, 0};  // Not below the stride.
  EXPECT_FALSE(Infer("conv_transpose2d", {F({2, 4, 5, 3}), F({4, 3, 3, 2})}, attrs).ok());
}

TEST(NnOpsTest, PoolShapeAndPaddingLimit) {
  Attrs attrs = {{"kernel", std::vector<int64_t>{3}},
                 {"stride", std::vector<int64_t>{2}},
                 {"padding", std::vector<int64_t>{1}}};
  auto out = Infer("avg_pool1d", {F({1, 2, 7}, 0.5, 1)}, attrs);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ((*out)[0].range.lo, 0);  // Padded zeros are averaged in.
  attrs["padding"] = std::vector<int64_t>{2};
  EXPECT_FALSE(Infer("max_pool1d", {F({1, 2, 7})}, attrs).ok());
  // torch's avg_pool3d refuses inputs smaller than the kernel even when padding would cover.
  const Attrs pool3d = {{"kernel", std::vector<int64_t>{1, 3, 1}},
                        {"stride", std::vector<int64_t>{1, 1, 1}},
                        {"padding", std::vector<int64_t>{0, 1, 0}}};
  EXPECT_FALSE(Infer("avg_pool3d", {F({1, 1, 2, 2, 2})}, pool3d).ok());
  EXPECT_TRUE(Infer("max_pool3d", {F({1, 1, 2, 2, 2})}, pool3d).ok());
}

TEST(NnOpsTest, LinearAndMatmul) {
  auto out = Infer("linear", {F({3, 5, 4}), F({7, 4}, -0.5, 0.5), F({7}, -0.5, 0.5)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{3, 5, 7}));
  EXPECT_DOUBLE_EQ((*out)[0].range.hi, 2.5);
  EXPECT_FALSE(Infer("linear", {F({3, 5}), F({7, 4})}).ok());
  out = Infer("matmul", {F({2, 1, 3, 4}), F({5, 4, 6})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{2, 5, 3, 6}));
  EXPECT_FALSE(Infer("bmm", {F({2, 3, 4}), F({3, 4, 6})}).ok());
}

TEST(NnOpsTest, Norms) {
  EXPECT_TRUE(Infer("batch_norm", {F({2, 3, 4}), F({3}), F({3}, 0.5, 2), F({3}), F({3})}).ok());
  // A running variance that may be zero divides by ~sqrt(eps).
  EXPECT_FALSE(Infer("batch_norm", {F({2, 3, 4}), F({3}), F({3}, 0, 2), F({3}), F({3})}).ok());
  EXPECT_FALSE(Infer("layer_norm", {F({2, 3, 4}), F({3}), F({3})}).ok());
  EXPECT_TRUE(Infer("layer_norm", {F({2, 3, 4}), F({3, 4}), F({3, 4})}).ok());
  EXPECT_FALSE(Infer("group_norm", {F({2, 6, 4}), F({6}), F({6})}, {{"groups", int64_t{4}}}).ok());
  EXPECT_TRUE(Infer("group_norm", {F({2, 6, 4}), F({6}), F({6})}, {{"groups", int64_t{3}}}).ok());
  // Groups of one element: torch refuses them.
  EXPECT_FALSE(Infer("group_norm", {F({1, 2}), F({2}), F({2})}, {{"groups", int64_t{2}}}).ok());
  EXPECT_FALSE(Infer("instance_norm", {F({2, 3, 1}), F({3}), F({3})}).ok());
  // Statistics over large values would cancel catastrophically.
  EXPECT_FALSE(Infer("layer_norm", {F({2, 4}, -1e4, 1e4), F({4}), F({4})}).ok());
}

TEST(ShapeOpsTest, Shapes) {
  auto out =
      Infer("flatten", {F({2, 3, 4, 5})}, {{"start_dim", int64_t{1}}, {"end_dim", int64_t{2}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{2, 12, 5}));
  EXPECT_FALSE(Infer("reshape", {F({2, 3})}, {{"shape", std::vector<int64_t>{5}}}).ok());
  EXPECT_FALSE(Infer("squeeze", {F({2, 3})}, {{"dim", int64_t{0}}}).ok());
  out = Infer(
      "slice", {F({2, 7})},
      {{"dim", int64_t{1}}, {"start", int64_t{1}}, {"end", int64_t{6}}, {"step", int64_t{2}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{2, 3}));
  // torch.chunk(7 elements, 3): sizes 3, 3, 1.
  out = Infer("chunk", {F({7})}, {{"dim", int64_t{0}}, {"chunks", int64_t{3}}});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[2].shape, (std::vector<int64_t>{1}));
  // torch.chunk(6 elements, 4): sizes 2, 2, 2 - three chunks, not four.
  out = Infer("chunk", {F({6})}, {{"dim", int64_t{0}}, {"chunks", int64_t{4}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 3u);
  out = Infer("concat", {F({2, 3}), F({2, 4})}, {{"dim", int64_t{1}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{2, 7}));
  EXPECT_TRUE((*out)[0].may_tie);
  EXPECT_FALSE(Infer("stack", {F({2, 3}), F({2, 4})}, {{"dim", int64_t{1}}}).ok());
}

TEST(ShapeOpsTest, PadRules) {
  const Attrs reflect = {{"pads", std::vector<int64_t>{2, 0}}, {"mode", std::string("reflect")}};
  EXPECT_FALSE(Infer("pad", {F({2, 2})}, reflect).ok());        // Pad not below the dim.
  EXPECT_FALSE(Infer("pad", {F({2, 2, 3, 4})}, reflect).ok());  // 1 dim of a 4-D input.
  auto out = Infer("pad", {F({2, 3})}, reflect);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{2, 5}));
  out = Infer("pad", {F({2, 3}, 1, 2)},
              {{"pads", std::vector<int64_t>{1, 1, 0, 1}}, {"mode", std::string("constant")}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ((*out)[0].range.lo, 0);
}

TEST(ShapeOpsTest, IndexBounds) {
  EXPECT_TRUE(Infer("gather", {F({3, 4}), I64({3, 6}, 0, 3)}, {{"dim", int64_t{1}}}).ok());
  EXPECT_FALSE(Infer("gather", {F({3, 4}), I64({3, 6}, 0, 4)}, {{"dim", int64_t{1}}}).ok());
  EXPECT_FALSE(Infer("gather", {F({3, 4}), I64({4, 6}, 0, 3)}, {{"dim", int64_t{1}}}).ok());
  EXPECT_FALSE(Infer("index_select", {F({3, 4}), I64({5}, 0, 3)}, {{"dim", int64_t{0}}}).ok());
  // scatter: one index per destination slot, so that no write order matters.
  EXPECT_TRUE(
      Infer("scatter", {F({3, 4}), I64({2, 1}, 0, 3), F({2, 1})}, {{"dim", int64_t{1}}}).ok());
  EXPECT_FALSE(
      Infer("scatter", {F({3, 4}), I64({2, 2}, 0, 3), F({2, 2})}, {{"dim", int64_t{1}}}).ok());
}

}  // namespace
}  // namespace convcheck::gen
