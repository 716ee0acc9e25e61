#include "analysis/association.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "campaign/sqlite.h"
#include "campaign/store.h"
#include "onnx/patterns.h"

namespace convcheck::analysis {
namespace {

namespace fs = std::filesystem;
using campaign::Database;
using campaign::SqlValue;

class AssociationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cc_analysis_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_path_ = (dir_ / "c.sqlite").string();
    auto store = campaign::Store::Open(db_path_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  Database& db() { return store_->db(); }

  void Job(int64_t id, const std::string& converter, const std::string& verdict,
           const std::vector<std::string>& ops, const std::vector<std::string>& sequences,
           const std::string& source_kind = "torchvision", int64_t failure_id = 0) {
    ASSERT_TRUE(db().Run("INSERT INTO jobs(id, key, suite, kind, source, source_kind, converter, "
                         "backends, status, verdict, failure_id) VALUES (?1, ?2, 's', 'convert', "
                         "?3, ?4, ?5, 'ort', 'done', ?6, ?7)",
                         {id, "k" + std::to_string(id), "src" + std::to_string(id), source_kind,
                          converter, verdict, failure_id == 0 ? SqlValue() : SqlValue(failure_id)})
                    .ok());
    for (const auto& op : ops) {
      ASSERT_TRUE(
          db().Run("INSERT INTO job_ops(job_id, op_type, count) VALUES (?1, ?2, 1)", {id, op})
              .ok());
    }
    for (const auto& s : sequences) {
      const bool source = s.rfind("src:", 0) == 0;
      const std::string pattern = source ? s.substr(4) : s;
      ASSERT_TRUE(db().Run("INSERT INTO job_patterns(job_id, level, n, pattern, count) VALUES "
                           "(?1, ?2, 2, ?3, 1)",
                           {id, source ? "source" : "onnx", pattern})
                      .ok());
    }
  }

  const PatternStat* Find(const Analysis& a, const std::string& converter, const std::string& level,
                          const std::string& outcome, const std::string& pattern) {
    for (const auto& s : a.patterns) {
      if (s.converter == converter && s.level == level && s.outcome == outcome &&
          s.pattern == pattern) {
        return &s;
      }
    }
    return nullptr;
  }

  // Converter c1: jobs 1-4 hold Conv->Relu and three of them mismatch; jobs 5-10 hold
  // MatMul->Relu, one fails at run time; job 11 crashed in the converter (no graph); job 12 is
  // a source error (in no population).
  void Fill() {
    ASSERT_TRUE(db().Run("INSERT INTO failures(id, signature, verdict, count, first_job_id, "
                         "reproducer) VALUES (1, 'sig-a', 'incorrect_behavior', 2, 1, ''), "
                         "(2, 'sig-b', 'incorrect_behavior', 1, 3, '/repro/2')")
                    .ok());
    Job(1, "c1", "incorrect_behavior", {"Conv", "Relu"}, {"Conv->Relu"}, "torchvision", 1);
    Job(2, "c1", "incorrect_behavior", {"Conv", "Relu"}, {"Conv->Relu"}, "torchvision", 1);
    Job(3, "c1", "incorrect_behavior", {"Conv", "Relu", "Add"}, {"Conv->Relu", "Relu->Add"},
        "torchvision", 2);
    Job(4, "c1", "pass", {"Conv", "Relu"}, {"Conv->Relu"});
    for (int64_t id = 5; id <= 9; ++id) Job(id, "c1", "pass", {"MatMul", "Relu"}, {"MatMul->Relu"});
    Job(10, "c1", "runtime_error", {"MatMul", "Relu"}, {"MatMul->Relu"});
    Job(11, "c1", "converter_crash", {}, {});
    Job(12, "c1", "source_error", {}, {});
  }

  fs::path dir_;
  std::string db_path_;
  std::unique_ptr<campaign::Store> store_;
};

TEST_F(AssociationTest, TwoByTwoTablesFollowThePopulationAtRisk) {
  Fill();
  StatusOr<Analysis> a = Analyze(db_path_);
  ASSERT_TRUE(a.ok()) << a.status().message();
  // Mismatch: jobs 1-9 ran (3 mismatches); Conv->Relu is in 4 of them, 3 failing: the table
  // 3 1 / 0 5, Fisher p = 1/21 (exact), odds ratio (3.5 * 5.5) / (1.5 * 0.5) after the zero
  // cell's correction.
  const PatternStat* s = Find(*a, "c1", "onnx", "mismatch", "Conv->Relu");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->models_with, 4);
  EXPECT_EQ(s->failures_with, 3);
  EXPECT_EQ(s->models_without, 5);
  EXPECT_EQ(s->failures_without, 0);
  EXPECT_NEAR(s->p, 1.0 / 21, 1e-12);
  EXPECT_TRUE(s->or_corrected);
  EXPECT_NEAR(s->odds_ratio, 3.5 * 5.5 / (1.5 * 0.5), 1e-9);
  EXPECT_GE(s->q, s->p);
  // The example has a reproducer (job 3's group), though jobs 1 and 2 are smaller.
  EXPECT_EQ(s->example_job, 3);
  EXPECT_EQ(s->reproducer, "/repro/2");
  // Single operators come from job_ops: Conv is in the same 4 jobs.
  const PatternStat* conv = Find(*a, "c1", "onnx", "mismatch", "Conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->models_with, 4);
  EXPECT_EQ(conv->n, 1);
  // Runtime failure: jobs 1-10 (job 10 failed); MatMul->Relu in 6, 1 failing: 1 5 / 0 4.
  s = Find(*a, "c1", "onnx", "runtime_failure", "MatMul->Relu");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->models_with, 6);
  EXPECT_EQ(s->failures_with, 1);
  EXPECT_EQ(s->models_without, 4);
  EXPECT_NEAR(s->p, 1.0, 1e-12);
  // No converter crash has a converted graph: nothing is tested for it at the ONNX level, and
  // no invalid model happened at all.
  for (const PatternStat& stat : a->patterns) {
    EXPECT_NE(stat.outcome, "converter_crash");
    EXPECT_NE(stat.outcome, "invalid_model");
  }
  // q is Benjamini-Hochberg over every test, and the list is ordered by it.
  EXPECT_EQ(a->tests, static_cast<int64_t>(a->patterns.size()));
  for (size_t i = 1; i < a->patterns.size(); ++i) {
    EXPECT_LE(a->patterns[i - 1].q, a->patterns[i].q);
  }
  std::vector<const PatternStat*> top = TopPatterns(*a, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0]->outcome, "mismatch");
  EXPECT_GT(top[0]->odds_ratio, 1);
}

TEST_F(AssociationTest, SourceLevelCoversConverterCrashes) {
  // Converter c2 on generated sources: the two crashes hold interpolate->add at source level.
  Job(21, "c2", "converter_crash", {}, {"src:interpolate->add"}, "generated");
  Job(22, "c2", "converter_crash", {}, {"src:interpolate->add"}, "generated");
  Job(23, "c2", "pass", {"Add"}, {"src:conv2d->add"}, "generated");
  Job(24, "c2", "pass", {"Add"}, {"src:conv2d->add"}, "generated");
  StatusOr<Analysis> a = Analyze(db_path_);
  ASSERT_TRUE(a.ok()) << a.status().message();
  const PatternStat* s = Find(*a, "c2", "source", "converter_crash", "interpolate->add");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->models_with, 2);
  EXPECT_EQ(s->failures_with, 2);
  EXPECT_NEAR(s->p, 1.0 / 3, 1e-12);  // 2 0 / 0 2: 2 of the C(4, 2) = 6 tables.
}

TEST_F(AssociationTest, OldStoreWithoutPatternsGivesSingleOperatorsAndSaysSo) {
  Fill();
  ASSERT_TRUE(db().Exec("DROP TABLE job_patterns;").ok());
  StatusOr<Analysis> a = Analyze(db_path_);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_FALSE(a->notes.empty());
  EXPECT_NE(a->notes[0].find("job_patterns"), std::string::npos);
  for (const PatternStat& s : a->patterns) EXPECT_EQ(s.n, 1) << s.pattern;
  EXPECT_NE(Find(*a, "c1", "onnx", "mismatch", "Conv"), nullptr);
}

TEST_F(AssociationTest, BadFilesGiveOneLineErrors) {
  StatusOr<Analysis> missing = Analyze((dir_ / "none.sqlite").string());
  EXPECT_FALSE(missing.ok());
  const std::string text = (dir_ / "text.sqlite").string();
  std::ofstream(text) << "not a database at all, just text long enough to be read\n";
  StatusOr<Analysis> garbage = Analyze(text);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message().find('\n'), std::string::npos);
  AnalyzeOptions bad;
  bad.max_n = 4;
  EXPECT_FALSE(Analyze(db_path_, bad).ok());
}

TEST(PathPatternsTest, CountsPathsAlongEdges) {
  // 0 Conv -> 1 Relu -> 2 Add, and 0 Conv -> 2 Add (a residual): Conv->Add is a 2-path, and
  // the 3-path Conv->Relu->Add exists once.
  const std::vector<std::string> ops = {"Conv", "Relu", "Add"};
  const std::vector<std::vector<int>> next = {{1, 2}, {2}, {}};
  auto p = onnxio::PathPatterns(ops, next, 1, 3);
  EXPECT_EQ(p["Conv"], 1);
  EXPECT_EQ(p["Conv->Relu"], 1);
  EXPECT_EQ(p["Conv->Add"], 1);
  EXPECT_EQ(p["Relu->Add"], 1);
  EXPECT_EQ(p["Conv->Relu->Add"], 1);
  EXPECT_EQ(p.size(), 7u);
  auto only2 = onnxio::PathPatterns(ops, next, 2, 2);
  EXPECT_EQ(only2.size(), 3u);
}

TEST(PathPatternsTest, ModelPatternsReadEdgesFromTensorNames) {
  onnx::ModelProto model;
  onnx::GraphProto* g = model.mutable_graph();
  auto node = [&](const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                  const std::string& domain = "") {
    onnx::NodeProto* n = g->add_node();
    n->set_op_type(op);
    n->set_domain(domain);
    for (auto& i : in) n->add_input(i);
    for (auto& o : out) n->add_output(o);
  };
  node("MatMul", {"x", "w"}, {"a"});
  node("Add", {"a", "a"}, {"b"});  // Reads the same producer twice: one edge.
  node("Gelu", {"b"}, {"c"}, "com.microsoft");
  auto p = onnxio::ModelPatterns(model, 2, 3);
  EXPECT_EQ(p["MatMul->Add"], 1);
  EXPECT_EQ(p["Add->com.microsoft:Gelu"], 1);
  EXPECT_EQ(p["MatMul->Add->com.microsoft:Gelu"], 1);
  EXPECT_EQ(p.size(), 3u);
}

}  // namespace
}  // namespace convcheck::analysis
