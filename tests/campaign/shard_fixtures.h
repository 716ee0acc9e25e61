//===- campaign/shard_fixtures.h - Shard stores made without workers -------===//
//
// The shard and merge tests build real shard stores through the library's own path (the shard
// selector of `campaign run --shard`, then Store::Record) with made-up job results, so that they
// run in milliseconds and know exactly what each job's verdict is.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_TESTS_CAMPAIGN_SHARD_FIXTURES_H_
#define CONVCHECK_TESTS_CAMPAIGN_SHARD_FIXTURES_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "campaign/plan.h"
#include "campaign/shard.h"
#include "campaign/store.h"

namespace convcheck::campaign::fixtures {

/// `sources` python sources x `opsets`, as PlanJobs would plan a dir: suite.
inline std::vector<PlannedJob> Plan(int sources, const std::vector<int>& opsets,
                                    const std::string& suite = "dir:/models") {
  std::vector<PlannedJob> jobs;
  for (int s = 0; s < sources; ++s) {
    for (int opset : opsets) {
      PlannedJob job;
      job.suite = suite;
      job.kind = "convert";
      job.source = "python:/models/m" + std::to_string(s) + ".py";
      job.source_kind = "python";
      job.converter.name = "torch.onnx@1.13";
      job.converter.opset = opset;
      job.num_sets = 2;
      job.backends = "ort,ref";
      job.tolerance = "convcheck";
      job.key = JobKey(job);
      jobs.push_back(job);
    }
  }
  return jobs;
}

inline pipeline::JobResult Pass() {
  pipeline::JobResult result;
  result.verdict = oracle::Verdict::kPass;
  pipeline::BackendResult ort;
  ort.backend = "ort";
  result.backends.push_back(ort);
  result.timings = {{"total", 1.0}};
  result.model_info = {{"op_counts", {{"Gemm", 1}, {"Tanh", 1}}}};
  return result;
}

inline pipeline::JobResult Crash(const std::string& op) {
  pipeline::JobResult result;
  result.verdict = oracle::Verdict::kConverterCrash;
  result.stage = "node_conversion";
  result.error = "Exporting the operator " + op + " to ONNX opset version 17 is not supported";
  result.signature = "UnsupportedOperatorError: Exporting the operator OP to ONNX";
  result.timings = {{"total", 0.5}};
  return result;
}

/// A case folder in the backend-test layout.
inline std::string MakeCase(const std::string& dir) {
  std::filesystem::create_directories(dir + "/test_data_set_0");
  std::ofstream(dir + "/model.onnx") << "model of " << dir;
  std::ofstream(dir + "/test_data_set_0/input_0.pb") << "input";
  return dir;
}

/// Runs shard `id` of `plan` for the campaign `db` as `campaign run --shard` would, recording
/// `result(job)` for each of its jobs (every failure with a case), each taking `wall_s(job)`.
/// With `finish` false the jobs are planned but not run.
inline void RunShard(const std::string& db, const std::vector<PlannedJob>& plan, ShardId id,
                     const std::function<pipeline::JobResult(const PlannedJob&)>& result,
                     bool finish = true, const std::vector<std::string>& cost_from = {},
                     const std::function<double(const PlannedJob&)>& wall_s = nullptr) {
  std::filesystem::create_directories(ShardsDir(db));
  auto store = Store::Open(ShardStorePath(db, id));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::ostringstream notes;
  auto mine = MakeShardSelector(db, id, cost_from, notes)(plan, **store);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_TRUE((*store)->AddPlanned(*mine).ok());
  if (!finish) return;
  auto jobs = (*store)->JobsToRun();
  ASSERT_TRUE(jobs.ok());
  for (const PlannedJob& job : *jobs) {
    ASSERT_TRUE((*store)->MarkRunning(job.id).ok());
    pipeline::JobResult outcome = result(job);
    RecordedJob recorded;
    recorded.started_at = UtcNow();
    recorded.wall_s = wall_s ? wall_s(job) : 1.0;
    if (outcome.verdict != oracle::Verdict::kPass) {
      recorded.kept_case =
          MakeCase((*store)->artifacts_dir() + "/tmp/job-" + std::to_string(job.id));
    }
    auto recorded_ok = (*store)->Record(job, outcome, recorded);
    ASSERT_TRUE(recorded_ok.ok()) << recorded_ok.status().ToString();
  }
}

}  // namespace convcheck::campaign::fixtures

#endif  // CONVCHECK_TESTS_CAMPAIGN_SHARD_FIXTURES_H_
