#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

// Random values cannot be compared with another generator's; these tests check shapes, dtypes,
// ranges and that a seed makes the result reproducible.

TEST(RandomUniformTest, ShapeDtypeAndRange) {
  StatusOr<std::vector<Value>> out = KernelTester("RandomUniform", 1)
                                         .Attr("shape", std::vector<int64_t>{3, 4})
                                         .Attr("low", 2.0f)
                                         .Attr("high", 3.0f)
                                         .Attr("dtype", int64_t{11})
                                         .IgnoreOutput()
                                         .Outputs();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& t = (*out)[0].tensor();
  EXPECT_EQ(t.dtype(), DataType::kFloat64);
  EXPECT_EQ(t.shape(), (Shape{3, 4}));
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    EXPECT_GE(t.GetAsDouble(i), 2.0);
    EXPECT_LT(t.GetAsDouble(i), 3.0);
  }
}

TEST(RandomNormalTest, SeedIsReproducible) {
  auto run = [] {
    return KernelTester("RandomNormal", 1)
        .Attr("shape", std::vector<int64_t>{5})
        .Attr("seed", 3.0f)
        .IgnoreOutput()
        .Outputs();
  };
  StatusOr<std::vector<Value>> a = run(), b = run();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)[0].tensor().DebugString(), (*b)[0].tensor().DebugString());
  EXPECT_EQ((*a)[0].tensor().dtype(), DataType::kFloat32);
}

TEST(RandomNormalLikeTest, TakesShapeAndTypeFromInput) {
  StatusOr<std::vector<Value>> out = KernelTester("RandomNormalLike", 1)
                                         .Input<double>({2, 2}, {0, 0, 0, 0})
                                         .IgnoreOutput()
                                         .Outputs();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].tensor().dtype(), DataType::kFloat64);
  EXPECT_EQ((*out)[0].tensor().shape(), (Shape{2, 2}));
}

TEST(RandomUniformLikeTest, IntegerInputNeedsDtype) {
  KernelTester("RandomUniformLike", 1)
      .Input<int32_t>({2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "output type must be floating-point, got int32");
  StatusOr<std::vector<Value>> out = KernelTester("RandomUniformLike", 1)
                                         .Attr("dtype", int64_t{1})
                                         .Input<int32_t>({2}, {0, 0})
                                         .IgnoreOutput()
                                         .Outputs();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].tensor().dtype(), DataType::kFloat32);
}

TEST(RandomNormalTest, RequiresShape) {
  KernelTester("RandomNormal", 1)
      .ExpectError(StatusCode::kInvalidArgument, "attribute 'shape' is required");
}

TEST(BernoulliTest, ZeroAndOneProbabilitiesAreCertain) {
  KernelTester("Bernoulli", 15)
      .Input<float>({4}, {0, 1, 0, 1})
      .ExpectOutput<float>({4}, {0, 1, 0, 1})
      .Run();
  KernelTester("Bernoulli", 15)
      .Attr("dtype", int64_t{9})
      .Input<double>({2}, {1, 0})
      .ExpectOutput<bool>({2}, {true, false})
      .Run();
}

TEST(MultinomialTest, CertainClassAndShape) {
  // log probabilities: class 1 has all the mass.
  KernelTester("Multinomial", 7)
      .Attr("sample_size", int64_t{3})
      .Input<float>({2, 3}, {-1e9f, 0, -1e9f, -1e9f, -1e9f, 0})
      .ExpectOutput<int32_t>({2, 3}, {1, 1, 1, 2, 2, 2})
      .Run();
  KernelTester("Multinomial", 7)
      .Attr("dtype", int64_t{7})
      .Input<float>({1, 2}, {0, -1e9f})
      .ExpectOutput<int64_t>({1, 1}, {0})
      .Run();
}

TEST(MultinomialTest, RejectsBadDtype) {
  KernelTester("Multinomial", 7)
      .Attr("dtype", int64_t{1})
      .Input<float>({1, 2}, {0, 0})
      .ExpectError(StatusCode::kInvalidArgument, "dtype must be int32 or int64");
}

}  // namespace
}  // namespace convcheck::interp
