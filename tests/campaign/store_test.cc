// The results store: planning is idempotent, a job is recorded completely or not at all,
// failures group by signature with one reproducer each, and interrupted jobs come back.
#include "campaign/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "campaign/shard_fixtures.h"
#include "campaign/signature.h"
#include "testing/cli_runner.h"

namespace convcheck::campaign {
namespace {

namespace fs = std::filesystem;
using oracle::Verdict;
using pipeline::JobResult;

using fixtures::Plan;  // Python sources x opsets, as a dir: suite plans them.

JobResult Passing() {
  JobResult result;
  result.verdict = Verdict::kPass;
  pipeline::BackendResult ort;
  ort.backend = "ort";
  oracle::Comparison comparison;
  oracle::OutputComparison output;
  output.name = "out";
  output.max_abs_error = 2e-6;
  output.error_ratio = 0.05;
  output.num_elements = 10;
  comparison.outputs.push_back(output);
  ort.comparison = comparison;
  result.backends.push_back(ort);
  result.timings = {{"total", 1.5}, {"convert", 0.5}};
  result.tool_time = {{"export", 0.4}};
  result.model_info = {{"op_counts", {{"Conv", 3}, {"Relu", 2}}}};
  return result;
}

JobResult ConverterCrash(const std::string& op) {
  JobResult result;
  result.verdict = Verdict::kConverterCrash;
  result.stage = "node_conversion";
  result.error = "Exporting the operator " + op + " to ONNX opset version 17 is not supported";
  result.signature = "UnsupportedOperatorError: Exporting the operator OP to ONNX";
  return result;
}

std::string MakeCase(const std::string& dir) {
  fs::create_directories(dir + "/test_data_set_0");
  std::ofstream(dir + "/model.onnx") << "model";
  return dir;
}

TEST(StoreTest, PlanningTwiceAddsNothing) {
  testing::TempDir tmp;
  auto store = Store::Open(tmp.File("r.sqlite"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto added = (*store)->AddPlanned(Plan(3, {13, 17}));
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, 6);
  added = (*store)->AddPlanned(Plan(4, {13, 17}));  // One new source.
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, 2);
  auto counts = (*store)->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->planned, 8);
  EXPECT_EQ(counts->by_status["pending"], 8);
}

TEST(StoreTest, RecordsAJobWithItsBackendsMetricsTimesAndOps) {
  testing::TempDir tmp;
  auto store = Store::Open(tmp.File("r.sqlite"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->AddPlanned(Plan(1, {17})).ok());
  auto jobs = (*store)->JobsToRun();
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_TRUE((*store)->MarkRunning((*jobs)[0].id).ok());
  RecordedJob recorded;
  recorded.kept_case = MakeCase(tmp.File("kept"));
  auto outcome = (*store)->Record((*jobs)[0], Passing(), recorded);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->failure_id, 0);
  EXPECT_FALSE(fs::exists(tmp.File("kept"))) << "a passing job's case is not kept";

  Database& db = (*store)->db();
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM jobs WHERE status = 'done' AND verdict = 'pass'"),
            1);
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM backend_results"), 1);
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM output_metrics WHERE name = 'out'"), 1);
  EXPECT_EQ(*QueryInt(db, "SELECT sum(count) FROM job_ops"), 5);
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM stage_times WHERE kind = 'tool'"), 1);
  EXPECT_EQ(*QueryInt(db, "SELECT attempts FROM jobs"), 1);
  EXPECT_TRUE((*store)->JobsToRun()->empty());
}

TEST(StoreTest, GroupsFailuresBySignatureAndKeepsOneReproducerEach) {
  testing::TempDir tmp;
  auto store = Store::Open(tmp.File("r.sqlite"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->AddPlanned(Plan(3, {17})).ok());
  auto jobs = *(*store)->JobsToRun();
  const char* ops[] = {"aten::zero", "aten::zero", "aten::unfold"};
  std::vector<RecordOutcome> outcomes;
  for (size_t i = 0; i < jobs.size(); ++i) {
    RecordedJob recorded;
    recorded.kept_case = MakeCase(tmp.File("case" + std::to_string(i)));
    auto outcome = (*store)->Record(jobs[i], ConverterCrash(ops[i]), recorded);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    outcomes.push_back(*outcome);
  }
  EXPECT_TRUE(outcomes[0].new_failure);
  EXPECT_FALSE(outcomes[1].new_failure);
  EXPECT_EQ(outcomes[0].failure_id, outcomes[1].failure_id);
  EXPECT_TRUE(outcomes[2].new_failure) << "another operator is another failure";
  EXPECT_NE(outcomes[2].failure_id, outcomes[0].failure_id);

  Database& db = (*store)->db();
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM failures"), 2);
  EXPECT_EQ(*QueryInt(db, "SELECT count FROM failures WHERE failing_op = 'aten::zero'"), 2);
  EXPECT_TRUE(fs::exists(outcomes[0].reproducer + "/model.onnx"));
  EXPECT_TRUE(outcomes[1].reproducer.empty());
  EXPECT_FALSE(fs::exists(tmp.File("case1"))) << "a second case of a known failure is dropped";
  EXPECT_TRUE(outcomes[0].reproducer.rfind((*store)->artifacts_dir(), 0) == 0);
}

TEST(StoreTest, RerunResetsChosenVerdictsAndDropsEmptyFailureGroups) {
  testing::TempDir tmp;
  auto store = Store::Open(tmp.File("r.sqlite"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->AddPlanned(Plan(3, {17})).ok());
  auto jobs = *(*store)->JobsToRun();
  RecordedJob kept;
  kept.kept_case = MakeCase(tmp.File("case0"));
  auto first = (*store)->Record(jobs[0], ConverterCrash("aten::zero"), kept);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*store)->Record(jobs[1], ConverterCrash("aten::zero"), {}).ok());
  ASSERT_TRUE((*store)->Record(jobs[2], Passing(), {}).ok());
  ASSERT_TRUE(fs::exists(first->reproducer));

  auto reset = (*store)->ResetForRerun({"converter_crash"});
  ASSERT_TRUE(reset.ok()) << reset.status().ToString();
  EXPECT_EQ(*reset, 2);
  Database& db = (*store)->db();
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM jobs WHERE status = 'pending'"), 2);
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), 1);
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM failures"), 0);
  EXPECT_EQ(*QueryInt(db, "SELECT count(*) FROM backend_results"), 1) << "the pass keeps its";
  EXPECT_FALSE(fs::exists(first->reproducer)) << "an empty group's reproducer goes too";
  EXPECT_EQ((*store)->JobsToRun()->size(), 2u);
  EXPECT_EQ(*(*store)->ResetForRerun({"failing"}), 0);
}

TEST(StoreTest, InterruptedJobsGoBackToPending) {
  testing::TempDir tmp;
  {
    auto store = Store::Open(tmp.File("r.sqlite"));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->AddPlanned(Plan(2, {13})).ok());
    auto jobs = *(*store)->JobsToRun();
    ASSERT_TRUE((*store)->MarkRunning(jobs[0].id).ok());
    // The process dies here: the store is closed with a job marked running.
  }
  auto store = Store::Open(tmp.File("r.sqlite"));
  ASSERT_TRUE(store.ok());
  auto reset = (*store)->ResetInterrupted();
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(*reset, 1);
  EXPECT_EQ((*store)->JobsToRun()->size(), 2u);
}

TEST(StoreTest, RejectsFilesThatAreNotCampaigns) {
  testing::TempDir tmp;
  std::ofstream(tmp.File("garbage.sqlite")) << std::string(4096, 'x');
  auto garbage = Store::Open(tmp.File("garbage.sqlite"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("garbage.sqlite"), std::string::npos);

  auto missing = Store::Open(tmp.File("missing.sqlite"), /*read_only=*/true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  {
    auto db = Database::Open(tmp.File("other.sqlite"), Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x);").ok());
  }
  auto other = Store::Open(tmp.File("other.sqlite"), /*read_only=*/true);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not a convcheck campaign"), std::string::npos);
}

TEST(SignatureTest, FindsTheFailingOperator) {
  EXPECT_EQ(FailingOp(ConverterCrash("aten::zero")), "aten::zero");
  JobResult ort;
  ort.verdict = Verdict::kRuntimeError;
  pipeline::BackendResult backend;
  backend.backend = "ort";
  backend.verdict = Verdict::kRuntimeError;
  backend.error = "Could not find an implementation for Relu(14) node with name '/Relu'";
  ort.backends.push_back(backend);
  EXPECT_EQ(FailingOp(ort), "Relu");
  JobResult invalid;
  invalid.verdict = Verdict::kInvalidModel;
  invalid.node = "/conv/Conv (Conv)";
  EXPECT_EQ(FailingOp(invalid), "Conv");
  EXPECT_EQ(FailureSignature(Passing()), "");
  // The exported operator, not the node its input came from.
  JobResult symbolic;
  symbolic.verdict = Verdict::kConverterCrash;
  symbolic.error =
      "SymbolicValueError: Unsupported: ONNX export of operator adaptive_avg_pool2d, "
      "input size not accessible. [Caused by the value '5 defined in (%5 : "
      "Float(*, *) = onnx::Pad[mode=\"constant\"](%x)'";
  EXPECT_EQ(FailingOp(symbolic), "aten::adaptive_avg_pool2d");
  ort.backends[0].error =
      "ort UNKNOWN: Non-zero status code returned while running "
      "SplitToSequence node. Name:'/SplitToSequence'";
  EXPECT_EQ(FailingOp(ort), "SplitToSequence");
}

TEST(SignatureTest, SameBugInTwoModelsGivesOneSignature) {
  JobResult a, b, c;
  a.verdict = b.verdict = c.verdict = Verdict::kSourceError;
  a.signature = b.signature = c.signature = "source_error";
  a.error = "RuntimeError: shapes (2x5 and 8x4) in '/tmp/a/model.py'";
  b.error = "RuntimeError: shapes (3x7 and 9x1) in '/home/u/b.py'";
  c.error = "ValueError: something else";
  EXPECT_EQ(FailureSignature(a), FailureSignature(b));
  EXPECT_NE(FailureSignature(a), FailureSignature(c));
}

}  // namespace
}  // namespace convcheck::campaign
