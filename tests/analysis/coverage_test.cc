#include "analysis/coverage.h"

#include <gtest/gtest.h>

namespace convcheck::analysis {
namespace {

const CoverageRow* Row(const std::vector<CoverageRow>& rows, const std::string& converter, int n) {
  for (const auto& r : rows) {
    if (r.converter == converter && r.n == n) return &r;
  }
  return nullptr;
}

TEST(CoverageTest, DistinctAndPerModelShares) {
  Corpus of, by;
  of.patterns["c1"] = {{"Conv", 2}, {"Relu", 1}, {"Conv->Relu", 1}, {"Conv->Relu->Add", 1}};
  of.patterns["c2"] = {{"MatMul", 4}};
  by.patterns[""] = {{"Conv", 9}, {"MatMul", 1}, {"Conv->Add", 1}};
  const std::vector<CoverageRow> rows = Coverage(of, by);
  // c1, single operators: Conv reached, Relu not; Conv is in 2 models, Relu in 1.
  const CoverageRow* r = Row(rows, "c1", 1);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->by_converter, "all");  // The generator has no converter c1.
  EXPECT_EQ(r->patterns, 2);
  EXPECT_EQ(r->covered, 1);
  EXPECT_EQ(r->weight, 3);
  EXPECT_EQ(r->weight_covered, 2);
  EXPECT_DOUBLE_EQ(r->share(), 0.5);
  r = Row(rows, "c1", 2);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->patterns, 1);
  EXPECT_EQ(r->covered, 0);
  r = Row(rows, "c1", 3);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->patterns, 1);
  // Every converter together: Conv, Relu, MatMul; MatMul's 4 models count.
  r = Row(rows, "all", 1);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->patterns, 3);
  EXPECT_EQ(r->covered, 2);
  EXPECT_EQ(r->weight, 7);
  EXPECT_EQ(r->weight_covered, 6);
}

TEST(CoverageTest, SameConverterIsComparedWithItself) {
  Corpus of, by;
  of.patterns["c1"] = {{"Conv", 1}};
  by.patterns["c1"] = {{"Relu", 1}};
  by.patterns["c2"] = {{"Conv", 1}};
  const CoverageRow* r = Row(Coverage(of, by), "c1", 1);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->by_converter, "c1");
  EXPECT_EQ(r->covered, 0);  // c2 reaches Conv, c1 does not.
}

TEST(CoverageTest, GeneratedCorpusSpec) {
  StatusOr<GenCorpusSpec> spec = ParseGenCorpus("gen:seed=7,count=20,nodes=3..5,ops=relu+add");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->seed, 7u);
  EXPECT_EQ(spec->count, 20);
  EXPECT_EQ(spec->options.min_nodes, 3);
  EXPECT_EQ(spec->options.max_nodes, 5);
  EXPECT_EQ(spec->options.include, (std::vector<std::string>{"relu", "add"}));
  for (const char* bad : {"gen:count=x", "gen:seeds=1", "gen:ops=no_such_op", "gen:count",
                          "torchvision", "gen:count=-3"}) {
    StatusOr<GenCorpusSpec> parsed = ParseGenCorpus(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().message().find('\n'), std::string::npos);
    }
  }
}

TEST(CoverageTest, GuidedWeightsFavourOperatorsOfMissingPatterns) {
  const auto& lowering = OnnxOpsOfGeneratorOps();
  ASSERT_TRUE(lowering.count("relu"));
  ASSERT_TRUE(lowering.at("relu").count("Relu")) << "relu is written as ONNX Relu";
  // Relu is in both missing patterns; nothing missing holds what add is written as.
  ASSERT_FALSE(lowering.at("add").count("Relu"));
  ASSERT_FALSE(lowering.at("add").count("Sigmoid"));
  const std::map<std::string, int64_t> uses =
      GuidedWeights({"Relu", "Relu->Sigmoid"}, {"relu", "add"});
  EXPECT_LT(uses.at("relu"), uses.at("add"));
  // Nothing missing: no operator is favoured.
  const std::map<std::string, int64_t> none = GuidedWeights({}, {"relu", "add"});
  EXPECT_EQ(none.at("relu"), none.at("add"));
}

TEST(CoverageTest, CurvesGrowAndMeasureAgainstTheTarget) {
  Corpus target;
  target.patterns["c"] = {{"Relu", 3}, {"Add", 1}, {"Relu->Add", 1}, {"Tanh", 1}};
  std::vector<CoveragePoint> curve;
  StatusOr<Corpus> generated =
      LoadCorpus("gen:seed=3,count=12,nodes=3..6,ops=relu+add+sigmoid", &target, true, &curve);
  ASSERT_TRUE(generated.ok()) << generated.status().message();
  EXPECT_EQ(generated->models.at(""), 12);
  ASSERT_EQ(curve.size(), 12u);
  for (size_t i = 0; i < curve.size(); ++i) {
    EXPECT_EQ(curve[i].models, static_cast<int64_t>(i + 1));
    EXPECT_EQ(curve[i].total[0], 3);
    EXPECT_EQ(curve[i].total[1], 1);
    if (i > 0) {
      EXPECT_GE(curve[i].covered[0], curve[i - 1].covered[0]);
    }
  }
  // Tanh is not among the operators allowed: never reached.
  EXPECT_LE(curve.back().covered[0], 2);
}

}  // namespace
}  // namespace convcheck::analysis
