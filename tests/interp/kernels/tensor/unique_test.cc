#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(UniqueTest, SortedFlattened) {
  // numpy: np.unique([2, 1, 1, 3, 4, 3], return_index=True, return_inverse=True,
  //                  return_counts=True)
  KernelTester("Unique", /*opset=*/11)
      .Input<float>({6}, {2, 1, 1, 3, 4, 3})
      .ExpectOutput<float>({4}, {1, 2, 3, 4})
      .ExpectOutput<int64_t>({4}, {1, 0, 3, 4})
      .ExpectOutput<int64_t>({6}, {1, 0, 0, 2, 3, 2})
      .ExpectOutput<int64_t>({4}, {2, 1, 2, 1})
      .Run();
}

TEST(UniqueTest, UnsortedKeepsFirstOccurrenceOrder) {
  KernelTester("Unique", /*opset=*/11)
      .Attr("sorted", int64_t{0})
      .Input<std::string>({4}, {"b", "a", "b", "c"})
      .ExpectOutput<std::string>({3}, {"b", "a", "c"})
      .ExpectOutput<int64_t>({3}, {0, 1, 3})
      .ExpectOutput<int64_t>({4}, {0, 1, 0, 2})
      .ExpectOutput<int64_t>({3}, {2, 1, 1})
      .Run();
}

TEST(UniqueTest, SortedAlongAxis) {
  // numpy: np.unique([[1, 0], [1, 0], [0, 1]], axis=0) == [[0, 1], [1, 0]]
  KernelTester("Unique", /*opset=*/11)
      .Attr("axis", int64_t{-2})
      .Input<int32_t>({3, 2}, {1, 0, 1, 0, 0, 1})
      .ExpectOutput<int32_t>({2, 2}, {0, 1, 1, 0})
      .ExpectOutput<int64_t>({2}, {2, 0})
      .ExpectOutput<int64_t>({3}, {1, 1, 0})
      .ExpectOutput<int64_t>({2}, {1, 2})
      .Run();
}

TEST(UniqueTest, EmptyInput) {
  KernelTester("Unique", /*opset=*/11)
      .Input<float>({0}, {})
      .ExpectOutput<float>({0}, {})
      .Run();
}

TEST(UniqueTest, RejectsAxisOutOfRange) {
  KernelTester("Unique", /*opset=*/11)
      .Attr("axis", int64_t{1})
      .Input<float>({2}, {1, 2})
      .ExpectError(StatusCode::kInvalidArgument, "axis 1 is out of range for rank 1");
}

}  // namespace
}  // namespace convcheck::interp
