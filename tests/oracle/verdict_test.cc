#include "oracle/verdict.h"

#include <gtest/gtest.h>

#include "oracle/tolerance.h"

namespace convcheck::oracle {
namespace {

TEST(VerdictTest, NamesAreTheStableOnesAndRoundTrip) {
  const char* names[] = {"pass",          "source_error",  "converter_crash",
                         "converter_timeout", "invalid_model", "runtime_error",
                         "runtime_crash", "runtime_timeout", "incorrect_behavior"};
  for (const char* name : names) {
    std::optional<Verdict> v = VerdictFromName(name);
    ASSERT_TRUE(v.has_value()) << name;
    EXPECT_EQ(VerdictName(*v), name);
  }
  EXPECT_FALSE(VerdictFromName("wrong_model").has_value());
}

TEST(VerdictTest, SilentWrongAnswersRankWorstAmongBackendVerdicts) {
  EXPECT_EQ(Worse(Verdict::kPass, Verdict::kRuntimeError), Verdict::kRuntimeError);
  EXPECT_EQ(Worse(Verdict::kIncorrectBehavior, Verdict::kRuntimeCrash), Verdict::kIncorrectBehavior);
  EXPECT_EQ(Worse(Verdict::kRuntimeTimeout, Verdict::kRuntimeError), Verdict::kRuntimeTimeout);
}

TEST(VerdictTest, StudySymptoms) {
  EXPECT_EQ(StudySymptom(Verdict::kIncorrectBehavior), "Wrong Model");
  EXPECT_EQ(StudySymptom(Verdict::kConverterTimeout), "Hang");
  EXPECT_EQ(StudySymptom(Verdict::kConverterCrash), "Crash");
  EXPECT_EQ(StudySymptom(Verdict::kPass), "");
}

TEST(ToleranceTest, ProfilesHaveTheDocumentedNumbers) {
  Tolerance study = *ToleranceProfile("study-text");
  EXPECT_EQ(study.atol, 1e-7);
  EXPECT_EQ(study.rtol, 0);
  Tolerance nnsmith = *ToleranceProfile("nnsmith");
  EXPECT_EQ(nnsmith.atol, 1e-3);
  EXPECT_EQ(nnsmith.rtol, 1e-2);
  Tolerance ours = *ToleranceProfile(kDefaultProfile);
  EXPECT_EQ(ours.Describe(), "|a-b| <= 1e-07 + 0.001*|b| + 0.0001*rms(b)");
}

TEST(ToleranceTest, UnknownProfileListsTheKnownOnes) {
  StatusOr<Tolerance> t = ToleranceProfile("loose");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("unknown tolerance profile 'loose'"), std::string::npos);
  EXPECT_NE(t.status().message().find("onnx-backend"), std::string::npos);
}

}  // namespace
}  // namespace convcheck::oracle
