#include "pipeline/blame.h"

#include <gtest/gtest.h>

namespace convcheck::pipeline {
namespace {

using oracle::Verdict;

TEST(BlameTest, PassHasNoBlame) {
  EXPECT_EQ(DecideBlame(Verdict::kPass, {{"ort", Verdict::kPass}}, {}, true).who, "");
}

TEST(BlameTest, SourceErrorIsTheSource) {
  EXPECT_EQ(DecideBlame(Verdict::kSourceError, {}, {}, true).who, "source");
}

TEST(BlameTest, ConverterStagesBlameTheConverter) {
  for (Verdict v : {Verdict::kConverterCrash, Verdict::kConverterTimeout, Verdict::kInvalidModel}) {
    EXPECT_EQ(DecideBlame(v, {}, {}, true).who, "converter") << oracle::VerdictName(v);
  }
}

TEST(BlameTest, AnEngineThatPassesPutsTheFaultOnTheOthers) {
  Blame b = DecideBlame(Verdict::kIncorrectBehavior,
                        {{"ort", Verdict::kIncorrectBehavior},
                         {"ref", Verdict::kPass},
                         {"openvino", Verdict::kRuntimeError}},
                        {}, true);
  EXPECT_EQ(b.who, "runtime:ort,openvino");
  EXPECT_NE(b.reason.find("runs right on ref"), std::string::npos) << b.reason;
}

TEST(BlameTest, AgreeingEnginesThatMismatchBlameTheConverter) {
  EXPECT_EQ(
      DecideBlame(Verdict::kIncorrectBehavior,
                  {{"ort", Verdict::kIncorrectBehavior}, {"ref", Verdict::kIncorrectBehavior}},
                  {{"ort", "ref", true}}, true)
          .who,
      "converter");
}

TEST(BlameTest, DisagreeingEnginesAreUndetermined) {
  Blame b =
      DecideBlame(Verdict::kIncorrectBehavior,
                  {{"ort", Verdict::kIncorrectBehavior}, {"ref", Verdict::kIncorrectBehavior}},
                  {{"ort", "ref", false}}, true);
  EXPECT_EQ(b.who, "undetermined");
  EXPECT_NE(b.reason.find("disagree"), std::string::npos);
}

TEST(BlameTest, OneEngineIsUndetermined) {
  Blame b =
      DecideBlame(Verdict::kIncorrectBehavior, {{"ort", Verdict::kIncorrectBehavior}}, {}, true);
  EXPECT_EQ(b.who, "undetermined");
  EXPECT_NE(b.reason.find("one engine only"), std::string::npos);
}

TEST(BlameTest, EveryEngineRefusingBlamesTheConverter) {
  EXPECT_EQ(
      DecideBlame(Verdict::kRuntimeError,
                  {{"ort", Verdict::kRuntimeError}, {"ref", Verdict::kRuntimeError}}, {}, true)
          .who,
      "converter");
}

TEST(BlameTest, ACrashAndARefusalAreUndetermined) {
  EXPECT_EQ(
      DecideBlame(Verdict::kRuntimeCrash,
                  {{"ort", Verdict::kRuntimeError}, {"ref", Verdict::kRuntimeCrash}}, {}, true)
          .who,
      "undetermined");
}

TEST(BlameTest, WithoutAConverterTheModelIsAtFault) {
  EXPECT_EQ(
      DecideBlame(Verdict::kIncorrectBehavior,
                  {{"ort", Verdict::kIncorrectBehavior}, {"ref", Verdict::kIncorrectBehavior}},
                  {{"ort", "ref", true}}, false)
          .who,
      "model");
}

}  // namespace
}  // namespace convcheck::pipeline
