// The string ops of opset 20 and DFT 20 (axis input, IRFFT).

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

TEST(StringConcatTest, Broadcasts) {
  KernelTester("StringConcat", 20)
      .Input<std::string>({2}, {"a", "b"})
      .Input<std::string>({}, {"!"})
      .ExpectOutput<std::string>({2}, {"a!", "b!"})
      .Run();
}

TEST(StringSplitTest, DelimiterAndWhitespace) {
  // Python: "a,,b".split(",") = ['a', '', 'b']; "x".split(",") = ['x'].
  KernelTester("StringSplit", 20)
      .Attr("delimiter", ",")
      .Input<std::string>({2}, {"a,,b", "x"})
      .ExpectOutput<std::string>({2, 3}, {"a", "", "b", "x", "", ""})
      .ExpectOutput<int64_t>({2}, {3, 1})
      .Run();
  // Python: "  a b ".split() = ['a', 'b']; "".split() = []; maxsplit 1 keeps the rest.
  KernelTester("StringSplit", 20)
      .Attr("maxsplit", int64_t{1})
      .Input<std::string>({3}, {"  a b ", "", "c d e"})
      .ExpectOutput<std::string>({3, 2}, {"a", "b", "", "", "c", "d e"})
      .ExpectOutput<int64_t>({3}, {2, 0, 2})
      .Run();
}

TEST(RegexFullMatchTest, WholeStringOnly) {
  KernelTester("RegexFullMatch", 20)
      .Attr("pattern", "[a-z]+@[a-z]+\\.com")
      .Input<std::string>({2}, {"ab@cd.com", "ab@cd.com!"})
      .ExpectOutput<bool>({2}, {true, false})
      .Run();
  KernelTester("RegexFullMatch", 20)
      .Attr("pattern", "(")
      .Input<std::string>({1}, {"a"})
      .ExpectError(StatusCode::kInvalidArgument, "pattern '('");
}

TEST(DftTest, Opset20AxisInput) {
  // A length-2 real signal along axis 1 of [1,2,1]: bins {1+2, 1-2}.
  KernelTester("DFT", 20)
      .Input<float>({1, 2, 1}, {1, 2})
      .AbsentInput()
      .Input<int64_t>({}, {1})
      .ExpectOutput<float>({1, 2, 2}, {3, 0, -1, 0})
      .Run();
  KernelTester("DFT", 17)
      .Input<float>({1, 2, 1}, {1, 2})
      .AbsentInput()
      .Input<int64_t>({}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "has 3 inputs");
}

TEST(DftTest, InverseOnesidedIsIrfft) {
  // Bins {3, -1} of the real signal {1, 2} (n = 2 (2 - 1) = 2): back to {1, 2}, real-valued.
  KernelTester("DFT", 20)
      .Attr("inverse", int64_t{1})
      .Attr("onesided", int64_t{1})
      .Input<float>({1, 2, 2}, {3, 0, -1, 0})
      .ExpectOutput<float>({1, 2, 1}, {1, 2})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
