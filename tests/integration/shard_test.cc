// Sharded campaigns on the real workers, without a scheduler: three `campaign run --shard K/3`
// processes and a `campaign merge` give the store an unsharded run gives (the same verdict per
// job key, the same outcome table), and a shard that a live process is running cannot be run
// twice or merged. (tests/slurm/ does the same through a real Slurm.)

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "testing/campaign_compare.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::RunConvcheck;
using testing::TempDir;

int64_t Query(const std::string& db_path, const std::string& sql) {
  return static_cast<int64_t>(testing::QueryNumber(db_path, sql));
}

std::vector<std::string> RunArgs(const std::string& sources, const std::string& db) {
  return {"campaign", "run",        "--suite", "dir:" + sources, "--opsets",
          "13,17",    "--backends", "ort",     "--db",           db};
}

TEST(ShardCampaignTest, ShardsMergeIntoTheUnshardedResult) {
  TempDir dir;
  const std::string sources = dir.File("models");
  fs::create_directories(sources);
  for (const char* name :
       {"cnn.py", "int_relu.py", "lstm.py", "transformer.py", "broken_source.py"}) {
    fs::copy_file(testing::ModelFile(name), sources + "/" + name);
  }
  const std::string unsharded = dir.File("unsharded.sqlite"), sharded = dir.File("sharded.sqlite");
  std::vector<std::string> args = RunArgs(sources, unsharded);
  args.insert(args.end(), {"--jobs", "2"});
  CliRun whole = RunConvcheck(args);
  ASSERT_EQ(whole.exit_code, 1) << "int_relu fails on ORT at opset 17\n" << whole.out << whole.err;

  // The three shards start together, as array tasks do: one of them decides the split.
  std::vector<CliRun> shards(3);
  std::vector<std::thread> threads;
  for (int k = 1; k <= 3; ++k) {
    threads.emplace_back([&, k] {
      std::vector<std::string> shard_args = RunArgs(sources, sharded);
      shard_args.insert(shard_args.end(),
                        {"--shard", std::to_string(k) + "/3", "--cost-from", unsharded});
      shards[k - 1] = RunConvcheck(shard_args);
    });
  }
  for (auto& thread : threads) thread.join();
  for (int k = 1; k <= 3; ++k) {
    const CliRun& shard = shards[k - 1];
    EXPECT_LE(shard.exit_code, 1) << shard.out << shard.err;
    EXPECT_NE(shard.err.find("shard " + std::to_string(k) + "/3: "), std::string::npos)
        << shard.err;
  }
  // The first shard split the plan with the unsharded run's 10 timings.
  nlohmann::json split = testing::ReadJson(sharded + ".shards/split-of-3.json");
  EXPECT_EQ(split["timed_jobs"], 10) << split.dump();

  CliRun merge =
      RunConvcheck({"campaign", "merge", sharded, sharded + ".shards/1-of-3.sqlite",
                    sharded + ".shards/2-of-3.sqlite", sharded + ".shards/3-of-3.sqlite"});
  ASSERT_EQ(merge.exit_code, 0) << merge.out << merge.err;
  EXPECT_NE(merge.out.find("merged 3 of 3 shards"), std::string::npos) << merge.out;
  EXPECT_NE(merge.out.find("complete"), std::string::npos) << merge.out;

  const auto expected = testing::JobVerdicts(unsharded);
  ASSERT_EQ(expected.size(), 10u);
  EXPECT_EQ(testing::JobVerdicts(sharded), expected);
  EXPECT_EQ(Query(sharded, "SELECT count(DISTINCT key) FROM jobs"), 10);
  testing::ExpectSameReport(unsharded, sharded);

  CliRun status = RunConvcheck({"campaign", "status", sharded, "--json", dir.File("s.json")});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("sharded into 3"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("3/3 shards finished"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("merged: 10/10 done from 3 shards"), std::string::npos) << status.out;
  nlohmann::json doc = testing::ReadJson(dir.File("s.json"));
  EXPECT_EQ(doc["splits"][0]["done"], 10);
  EXPECT_EQ(doc["splits"][0]["shards"].size(), 3u);
}

TEST(ShardCampaignTest, AShardBeingRunCannotBeRunTwiceOrMerged) {
  TempDir dir;
  const std::string sources = dir.File("models");
  fs::create_directories(sources);
  std::ofstream(sources + "/slow.py")
      << "import time\nimport torch\nfrom torch import nn\n\ndef make_model():\n"
      << "    time.sleep(60)\n    return nn.Linear(4, 3).eval()\n\n"
      << "def make_inputs():\n    return (torch.randn(2, 4),)\n";
  const std::string db = dir.File("r.sqlite");
  const std::string shard = db + ".shards/1-of-1.sqlite";
  std::vector<std::string> args = RunArgs(sources, db);
  args.insert(args.end(), {"--shard", "1/1"});

  pid_t pid = testing::StartConvcheck(args, dir.File("run.out"), dir.File("run.log"));
  ASSERT_GE(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         Query(shard, "SELECT count(*) FROM jobs WHERE status = 'running'") < 1) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Query(shard, "SELECT count(*) FROM jobs WHERE status = 'running'"), 1);

  CliRun twice = RunConvcheck(args);
  EXPECT_EQ(twice.exit_code, 2) << twice.out << twice.err;
  EXPECT_NE(twice.err.find("is already being run (pid " + std::to_string(pid)), std::string::npos)
      << twice.err;
  CliRun merge = RunConvcheck({"campaign", "merge", db, shard});
  EXPECT_EQ(merge.exit_code, 2) << merge.out << merge.err;
  EXPECT_NE(merge.err.find("is still running (pid " + std::to_string(pid)), std::string::npos)
      << merge.err;
  CliRun status = RunConvcheck({"campaign", "status", db});
  EXPECT_NE(status.out.find("running (pid " + std::to_string(pid)), std::string::npos)
      << status.out;

  // Killed (as a Slurm time limit ends a task): the lock goes with the process, the job stays
  // 'running' in the store, and the merge takes it as pending, with a warning.
  kill(pid, SIGKILL);
  int wait_status = 0;
  waitpid(pid, &wait_status, 0);
  merge = RunConvcheck({"campaign", "merge", db, shard});
  EXPECT_EQ(merge.exit_code, 0) << merge.out << merge.err;
  EXPECT_NE(merge.err.find("left running by a run that ended"), std::string::npos) << merge.err;
  EXPECT_NE(merge.out.find("incomplete"), std::string::npos) << merge.out;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM jobs WHERE status = 'pending'"), 2);
  status = RunConvcheck({"campaign", "status", db});
  EXPECT_NE(status.out.find("unfinished (1 left running by a run that ended)"), std::string::npos)
      << status.out;
}

TEST(ShardCampaignTest, SlurmDryRunWritesTheScriptsAndChecksTheFlags) {
  TempDir dir;
  const std::string sources = dir.File("models");
  fs::create_directories(sources);
  fs::copy_file(testing::ModelFile("cnn.py"), sources + "/cnn.py");
  std::ofstream(dir.File("earlier.sqlite")) << "";
  const std::string db = dir.File("r.sqlite");
  std::vector<std::string> args = {"campaign",    "slurm",
                                   "--suite",     "dir:" + sources,
                                   "--opsets",    "13,17",
                                   "--db",        db,
                                   "--shards",    "3",
                                   "--cpus",      "4",
                                   "--cost-from", dir.File("earlier.sqlite"),
                                   "--dry-run"};
  CliRun dry = RunConvcheck(args);
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("2 jobs in 3 shards"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("would submit: sbatch --array=1-3"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("nothing submitted"), std::string::npos) << dry.out;
  std::ifstream script(db + ".shards/slurm/shards-of-3.sbatch");
  std::stringstream text;
  text << script.rdbuf();
  EXPECT_NE(text.str().find("#SBATCH --cpus-per-task=4"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("--cost-from " + dir.File("earlier.sqlite")), std::string::npos);
  EXPECT_TRUE(fs::exists(db + ".shards/slurm/merge-of-3.sbatch"));
  EXPECT_FALSE(fs::exists(db)) << "a dry run plans into a scratch file only";

  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--opsets", "13,x"}, "the campaign does not plan"},
      {{"--shard", "1/2"}, "gives each task its own --shard"},
      {{"--frobnicate"}, "the flags for campaign run"},
      {{"--cost-from", dir.File("missing.sqlite")}, "does not exist"},
  };
  for (const auto& [extra, message] : bad) {
    std::vector<std::string> bad_args = {
        "campaign", "slurm", "--suite", "dir:" + sources, "--db", db, "--shards", "3", "--dry-run"};
    bad_args.insert(bad_args.end(), extra.begin(), extra.end());
    CliRun run = RunConvcheck(bad_args);
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  }
}

TEST(ShardCampaignTest, BadShardFlagsGetOneLineAndExitTwo) {
  TempDir dir;
  const std::string sources = dir.File("models");
  fs::create_directories(sources);
  fs::copy_file(testing::ModelFile("cnn.py"), sources + "/cnn.py");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--shard", "5/4"}, "expected K/N"},
      {{"--shard", "x"}, "expected K/N"},
      {{"--cost-from", dir.File("missing.sqlite"), "--shard", "1/2"}, "does not exist"},
      {{"--cost-from", dir.File("missing.sqlite")}, "needs --shard"},
  };
  for (const auto& [extra, message] : cases) {
    std::vector<std::string> args = RunArgs(sources, dir.File("r.sqlite"));
    args.insert(args.end(), extra.begin(), extra.end());
    CliRun run = RunConvcheck(args);
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  }
}

}  // namespace
}  // namespace convcheck
