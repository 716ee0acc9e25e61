// The Slurm side without a cluster: the scripts are valid bash that run what they say, and a
// second submission resubmits exactly the shards that did not finish and are not queued.
// (tests/slurm/ runs them on a real one-node Slurm.)
#include "campaign/slurm.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "campaign/merge.h"
#include "campaign/shard.h"
#include "campaign/shard_fixtures.h"
#include "testing/cli_runner.h"

namespace convcheck::campaign {
namespace {

namespace fs = std::filesystem;

SlurmJobOptions Options(const std::string& db) {
  SlurmJobOptions options;
  options.shards = 4;
  options.partition = "cpu";
  options.time = "2:00:00";
  options.mem = "8G";
  options.cpus = 2;
  options.sbatch_args = {"--account=proj"};
  options.convcheck = "/opt/cc/bin/convcheck";
  options.workdir = "/home/me/work";
  options.db_path = db;
  options.run_args = {"--suite",  "dir:models with space", "--opsets", "13,17", "--db",
                      "r.sqlite", "--tolerance",           "it's"};
  return options;
}

TEST(SlurmTest, ShellQuoteLeavesPlainWordsAndQuotesTheRest) {
  EXPECT_EQ(ShellQuote("--opsets"), "--opsets");
  EXPECT_EQ(ShellQuote("dir:/a/b.py"), "dir:/a/b.py");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\"'\"'s'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST(SlurmTest, ArrayListCompressesRuns) {
  EXPECT_EQ(ArrayList({1, 2, 3, 4}), "1-4");
  EXPECT_EQ(ArrayList({4, 1, 2, 7}), "1-2,4,7");
  EXPECT_EQ(ArrayList({3}), "3");
}

TEST(SlurmTest, TheArrayScriptRunsOneShardPerTask) {
  testing::TempDir tmp;
  const std::string script = ArrayScript(Options("/shared/r.sqlite"));
  for (const char* line :
       {"#SBATCH --partition=cpu\n", "#SBATCH --time=2:00:00\n", "#SBATCH --mem=8G\n",
        "#SBATCH --cpus-per-task=2\n", "#SBATCH --account=proj\n",
        "#SBATCH --chdir=/home/me/work\n",
        "#SBATCH --output=/shared/r.sqlite.shards/slurm/logs/shard-%a-of-4-%A.out\n"}) {
    EXPECT_NE(script.find(line), std::string::npos) << line << "\n" << script;
  }
  // Run it with a stand-in convcheck that prints its arguments, one per line, as task 3.
  const std::string fake = tmp.File("fake_convcheck");
  std::ofstream(fake) << "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n";
  fs::permissions(fake, fs::perms::owner_all);
  SlurmJobOptions options = Options("/shared/r.sqlite");
  options.convcheck = fake;
  std::ofstream(tmp.File("array.sh")) << ArrayScript(options);
  auto run = RunCommand({"env", "SLURM_ARRAY_TASK_ID=3", "bash", tmp.File("array.sh")}, 30);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 0) << run->err;
  EXPECT_EQ(run->out,
            "campaign\nrun\n--suite\ndir:models with space\n--opsets\n13,17\n--db\nr.sqlite\n"
            "--tolerance\nit's\n--shard\n3/4\n");
}

TEST(SlurmTest, TheMergeScriptMergesTheShardsThatExist) {
  testing::TempDir tmp;
  const std::string db = tmp.File("r.sqlite");
  fs::create_directories(ShardsDir(db));
  for (int k : {1, 3}) std::ofstream(ShardStorePath(db, {k, 4})) << "";
  const std::string fake = tmp.File("fake_convcheck");
  std::ofstream(fake) << "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n";
  fs::permissions(fake, fs::perms::owner_all);
  SlurmJobOptions options = Options(db);
  options.convcheck = fake;
  const std::string script = MergeScript(options);
  EXPECT_NE(script.find("#SBATCH --cpus-per-task=1\n"), std::string::npos) << script;
  std::ofstream(tmp.File("merge.sh")) << script;
  auto run = RunCommand({"bash", tmp.File("merge.sh")}, 30);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "campaign\nmerge\n" + db + "\n" + ShardStorePath(db, {1, 4}) + "\n" +
                          ShardStorePath(db, {3, 4}) + "\n");
  // No shard at all: a one-line error, exit 2.
  fs::remove_all(ShardsDir(db));
  run = RunCommand({"bash", tmp.File("merge.sh")}, 30);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_NE(run->err.find("no shard of"), std::string::npos) << run->err;
}

TEST(SlurmTest, RunCommandCapturesOutputAndReportsMissingPrograms) {
  auto echo = RunCommand({"sh", "-c", "echo out; echo err >&2; exit 3"}, 30);
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->exit_code, 3);
  EXPECT_EQ(echo->out, "out\n");
  EXPECT_EQ(echo->err, "err\n");
  auto missing = RunCommand({"no-such-program-convcheck"}, 30);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto slow = RunCommand({"sleep", "30"}, 0.3);
  EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(SlurmTest, ResubmitsOnlyShardsThatDidNotFinishAndAreNotQueued) {
  testing::TempDir tmp;
  const std::string db = tmp.File("r.sqlite");
  const std::vector<PlannedJob> plan = fixtures::Plan(8, {17});
  auto pass = [](const PlannedJob&) { return fixtures::Pass(); };
  fixtures::RunShard(db, plan, {1, 4}, pass);                    // finished
  fixtures::RunShard(db, plan, {2, 4}, pass, /*finish=*/false);  // killed before any job
  fixtures::RunShard(db, plan, {3, 4}, pass, /*finish=*/false);  // still running in Slurm
  // Shard 4 never started.
  const std::vector<Submission> submissions = {{"t0", 4, "40", {1, 2, 3, 4}, "41"}};
  const std::map<std::string, std::string> queue = {
      {"40_3", "RUNNING"}, {"40_2", "CANCELLED"}, {"41", "PENDING"}};
  auto plan_out = PlanSubmission(db, 4, submissions, queue);
  ASSERT_TRUE(plan_out.ok()) << plan_out.status().ToString();
  EXPECT_EQ(plan_out->to_submit, (std::vector<int>{2, 4}));
  ASSERT_EQ(plan_out->shards.size(), 4u);
  EXPECT_EQ(plan_out->shards[0].state, "finished");
  EXPECT_EQ(plan_out->shards[1].state, "unfinished");
  EXPECT_EQ(plan_out->shards[2].state, "running");
  EXPECT_NE(plan_out->shards[2].detail.find("slurm job 40_3 RUNNING"), std::string::npos);
  EXPECT_EQ(plan_out->shards[3].state, "not started");
  EXPECT_EQ(plan_out->live_arrays, (std::vector<std::string>{"40"}));
  EXPECT_TRUE(plan_out->submit_merge);
  EXPECT_EQ(plan_out->stale_merges, (std::vector<std::string>{"41"}))
      << "the old merge would run before the resubmitted shards";

  // Everything in the queue already: nothing new, the queued merge stays.
  const std::vector<Submission> both = {submissions[0], {"t1", 4, "50", {2, 4}, "51"}};
  auto waiting = PlanSubmission(
      db, 4, both,
      {{"40_3", "RUNNING"}, {"50_2", "PENDING"}, {"50_4", "RUNNING"}, {"51", "PENDING"}});
  ASSERT_TRUE(waiting.ok());
  EXPECT_TRUE(waiting->to_submit.empty());
  EXPECT_FALSE(waiting->submit_merge);
  EXPECT_TRUE(waiting->stale_merges.empty());
  EXPECT_EQ(QueuedTasks(both, 4, {{"40_3", "RUNNING"}, {"50_2", "PENDING"}}),
            (std::map<int, std::string>{{2, "50_2 PENDING"}, {3, "40_3 RUNNING"}}));
  EXPECT_TRUE(QueuedTasks(both, 2, {{"40_3", "RUNNING"}}).empty()) << "another N";

  // All finished, not merged, no merge queued: only a merge.
  fixtures::RunShard(db, plan, {2, 4}, pass);
  fixtures::RunShard(db, plan, {3, 4}, pass);
  fixtures::RunShard(db, plan, {4, 4}, pass);
  auto merge_only = PlanSubmission(db, 4, both, {});
  ASSERT_TRUE(merge_only.ok());
  EXPECT_TRUE(merge_only->to_submit.empty());
  EXPECT_TRUE(merge_only->submit_merge);
  EXPECT_FALSE(merge_only->merged);

  // Merged: nothing at all.
  std::vector<std::string> shards;
  for (int k = 1; k <= 4; ++k) shards.push_back(ShardStorePath(db, {k, 4}));
  ASSERT_TRUE(MergeShards({db, shards, false, "test"}).ok());
  auto done = PlanSubmission(db, 4, both, {});
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->merged);
  EXPECT_TRUE(done->to_submit.empty());
  EXPECT_FALSE(done->submit_merge);
}

}  // namespace
}  // namespace convcheck::campaign
