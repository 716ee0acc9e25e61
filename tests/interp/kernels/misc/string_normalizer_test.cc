#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

Tensor S(Shape shape, std::vector<std::string> values) {
  return Tensor::FromVector<std::string>(std::move(shape), values);
}

TEST(StringNormalizerTest, RemovesCaseSensitiveStopwordsThenUppercases) {
  // As test_strnormalizer_export_monday_casesensintive_upper.
  KernelTester("StringNormalizer", 10)
      .Attr("case_change_action", "UPPER")
      .Attr("is_case_sensitive", int64_t{1})
      .Attr("stopwords", std::vector<std::string>{"monday"})
      .Input(S({4}, {"monday", "Monday", "tuesday", "x"}))
      .ExpectOutput(S({3}, {"MONDAY", "TUESDAY", "X"}))
      .Run();
}

TEST(StringNormalizerTest, CaseInsensitiveStopwordsOnARow) {
  KernelTester("StringNormalizer", 10)
      .Attr("case_change_action", "LOWER")
      .Attr("stopwords", std::vector<std::string>{"MONDAY"})
      .Input(S({1, 3}, {"Monday", "TUESDAY", "monday"}))
      .ExpectOutput(S({1, 1}, {"tuesday"}))
      .Run();
}

TEST(StringNormalizerTest, AllRemovedGivesOneEmptyString) {
  KernelTester("StringNormalizer", 10)
      .Attr("stopwords", std::vector<std::string>{"a"})
      .Input(S({2}, {"a", "a"}))
      .ExpectOutput(S({1}, {""}))
      .Run();
  KernelTester("StringNormalizer", 10)
      .Attr("stopwords", std::vector<std::string>{"a"})
      .Input(S({1, 1}, {"a"}))
      .ExpectOutput(S({1, 1}, {""}))
      .Run();
}

TEST(StringNormalizerTest, MapsNonAsciiLettersWithoutALocale) {
  // Python: "Straße Ärger ΣΊΣΥΦΟΣ Москва".upper() / .lower() for these one-to-one letters.
  KernelTester("StringNormalizer", 10)
      .Attr("case_change_action", "UPPER")
      .Input(S({3}, {"ärger", "σοφία", "москва"}))
      .ExpectOutput(S({3}, {"ÄRGER", "ΣΟΦΊΑ", "МОСКВА"}))
      .Run();
  KernelTester("StringNormalizer", 10)
      .Attr("case_change_action", "LOWER")
      .Input(S({3}, {"ÄRGER", "ŁÓDŹ", "ЁЖ"}))
      .ExpectOutput(S({3}, {"ärger", "łódź", "ёж"}))
      .Run();
}

TEST(StringNormalizerTest, InvalidUtf8PassesThrough) {
  KernelTester("StringNormalizer", 10)
      .Attr("case_change_action", "UPPER")
      .Input(S({1}, {std::string("a\xff" "b")}))
      .ExpectOutput(S({1}, {std::string("A\xff" "B")}))
      .Run();
}

TEST(StringNormalizerTest, RejectsUnknownAction) {
  KernelTester("StringNormalizer", 10)
      .Attr("case_change_action", "TITLE")
      .Input(S({1}, {"a"}))
      .ExpectError(StatusCode::kInvalidArgument, "case_change_action is 'TITLE'");
}

TEST(StringNormalizerTest, RejectsWrongShapeAndType) {
  KernelTester("StringNormalizer", 10)
      .Input(S({2, 2}, {"a", "b", "c", "d"}))
      .ExpectError(StatusCode::kInvalidArgument, "must have shape [C] or [1, C], got [2,2]");
  KernelTester("StringNormalizer", 10)
      .Input<float>({1}, {1})
      .ExpectError(StatusCode::kInvalidArgument, "input must be a string tensor");
}

}  // namespace
}  // namespace convcheck::interp
