// End-to-end tests of `convcheck campaign run|status` on the real torch.onnx and ONNX Runtime:
// a campaign killed with SIGKILL and resumed records every planned job exactly once.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "campaign/sqlite.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using campaign::Database;
using campaign::QueryInt;
using testing::CliRun;
using testing::RunConvcheck;
using testing::TempDir;

// A folder of small python sources; each takes `build_s` to build, so that a campaign over
// them runs long enough to be killed in the middle. Source 0 is the int64 Relu that ONNX
// Runtime refuses at opset 17 (a real failure, for the failure accounting).
void WriteSources(const std::string& dir, int count, double build_s) {
  fs::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    std::ofstream file(dir + "/m" + std::to_string(i) + ".py");
    file << "import time\nimport torch\nfrom torch import nn\n\n";
    if (i == 0) {
      file << "class M(nn.Module):\n    def forward(self, x):\n        return torch.relu(x * 3)\n"
           << "\ndef make_model():\n    time.sleep(" << build_s << ")\n    return M().eval()\n\n"
           << "def make_inputs():\n    return (torch.randint(-5, 5, (2, 3)),)\n";
    } else {
      file << "def make_model():\n    time.sleep(" << build_s << ")\n"
           << "    return nn.Sequential(nn.Linear(4, " << 3 + i << "), nn.Tanh()).eval()\n\n"
           << "def make_inputs():\n    return (torch.randn(2, 4),)\n";
    }
  }
}

std::vector<std::string> CampaignArgs(const std::string& sources, const std::string& db) {
  return {"campaign",     "run",
          "--suite",      "dir:" + sources,
          "--converters", "torch.onnx",
          "--opsets",     "13,17",
          "--backends",   "ort",
          "--jobs",       "2",
          "--db",         db};
}

int64_t Query(const std::string& db_path, const std::string& sql) {
  auto db = Database::Open(db_path, Database::Mode::kReadOnly);
  if (!db.ok()) return -1;
  auto value = QueryInt(**db, sql);
  return value.ok() ? *value : -1;
}

TEST(CampaignTest, KilledCampaignResumesWithEveryJobExactlyOnce) {
  TempDir dir;
  const std::string sources = dir.File("sources"), db = dir.File("results.sqlite");
  WriteSources(sources, 6, 0.4);
  const int kPlanned = 12;  // 6 sources x 2 opsets.

  // Start the campaign in the background, as a user would, and kill -9 it mid-way.
  std::vector<std::string> args = CampaignArgs(sources, db);
  pid_t pid = testing::StartConvcheck(args, dir.File("first.out"), dir.File("first.log"));
  ASSERT_GE(pid, 0);
  int64_t done_at_kill = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(db)) {
      done_at_kill = Query(db, "SELECT count(*) FROM jobs WHERE status = 'done'");
      if (done_at_kill >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  int wait_status = 0;
  waitpid(pid, &wait_status, 0);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "the campaign ended before it could be killed";
  done_at_kill = Query(db, "SELECT count(*) FROM jobs WHERE status = 'done'");
  ASSERT_GE(done_at_kill, 3);
  ASSERT_LT(done_at_kill, kPlanned) << "killed too late to test resuming";
  const int64_t finished_before =
      Query(db, "SELECT count(*) FROM jobs WHERE status = 'done' AND attempts = 1");

  CliRun resumed = RunConvcheck(CampaignArgs(sources, db));
  ASSERT_EQ(resumed.exit_code, 1) << "one source fails on ONNX Runtime\n"
                                  << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("0 new jobs planned"), std::string::npos) << resumed.out;

  EXPECT_EQ(Query(db, "SELECT count(*) FROM jobs"), kPlanned);
  EXPECT_EQ(Query(db, "SELECT count(DISTINCT key) FROM jobs"), kPlanned);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), kPlanned);
  EXPECT_EQ(Query(db, "SELECT count(*) FROM backend_results"), kPlanned) << "one backend a job";
  EXPECT_EQ(Query(db, "SELECT count(DISTINCT job_id) FROM backend_results"), kPlanned);
  // Jobs finished before the kill were not run again.
  EXPECT_EQ(Query(db, "SELECT count(*) FROM jobs WHERE status = 'done' AND attempts = 1"),
            std::max<int64_t>(finished_before, kPlanned - 2))
      << "at most the two jobs in flight at the kill run twice";
  EXPECT_LE(Query(db, "SELECT max(attempts) FROM jobs"), 2);
  // The int64 Relu at opset 17: one unique failure, counted once, with its reproducer.
  EXPECT_EQ(Query(db, "SELECT count(*) FROM jobs WHERE verdict = 'runtime_error'"), 1);
  EXPECT_EQ(Query(db, "SELECT sum(count) FROM failures"),
            Query(db, "SELECT count(*) FROM jobs WHERE verdict <> 'pass'"));
  EXPECT_EQ(Query(db, "SELECT count(*) FROM failures WHERE failing_op = 'Relu'"), 1);
  auto store = Database::Open(db, Database::Mode::kReadOnly);
  ASSERT_TRUE(store.ok());
  auto stmt = (*store)->Prepare("SELECT reproducer FROM failures WHERE failing_op = 'Relu'");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_TRUE(fs::exists(stmt->Text(0) + "/model.onnx")) << stmt->Text(0);
  EXPECT_TRUE(fs::exists(stmt->Text(0) + "/test_data_set_0/input_0.pb"));

  CliRun status = RunConvcheck({"campaign", "status", db});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("12 planned, 12 done"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("complete"), std::string::npos) << status.out;

  // Running a finished campaign again does nothing.
  CliRun again = RunConvcheck(CampaignArgs(sources, db));
  EXPECT_NE(again.out.find("0 run"), std::string::npos) << again.out;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM backend_results"), kPlanned);
}

TEST(CampaignTest, StatusTellsWhatRemains) {
  TempDir dir;
  WriteSources(dir.File("sources"), 2, 0);
  const std::string db = dir.File("r.sqlite");
  std::vector<std::string> args = CampaignArgs(dir.File("sources"), db);
  args.push_back("--max-jobs");
  args.push_back("1");
  CliRun partial = RunConvcheck(args);
  EXPECT_EQ(partial.exit_code, 1) << partial.out << partial.err;
  CliRun status = RunConvcheck({"campaign", "status", db, "--json", dir.File("s.json")});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("4 planned, 1 done, 3 pending"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("3 jobs remain"), std::string::npos) << status.out;
  nlohmann::json doc = testing::ReadJson(dir.File("s.json"));
  EXPECT_EQ(doc["remaining"], 3);
  EXPECT_EQ(doc["by_status"]["done"], 1);
}

TEST(CampaignTest, OnnxSuiteChecksBackendTestCases) {
  TempDir dir;
  const std::string cases = dir.File("cases");
  fs::create_directories(cases);
  for (const char* name : {"test_abs", "test_relu"}) {
    fs::copy(std::string("/usr/share/libonnx-testdata/data/node/") + name, cases + "/" + name,
             fs::copy_options::recursive);
  }
  CliRun run = RunConvcheck({"campaign", "run", "--suite", "onnx:" + cases, "--backends", "ref,ort",
                             "--db", dir.File("r.sqlite")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Query(dir.File("r.sqlite"),
                  "SELECT count(*) FROM jobs WHERE kind = 'check' AND verdict = 'pass'"),
            2);
  EXPECT_EQ(Query(dir.File("r.sqlite"), "SELECT count(*) FROM backend_results"), 4);
}

TEST(CampaignTest, TorchvisionSuitePlansEveryBuilder) {
  TempDir dir;
  CliRun run =
      RunConvcheck({"campaign", "run", "--suite", "torchvision", "--converters", "torch.onnx",
                    "--opsets", "13,17", "--db", dir.File("r.sqlite"), "--dry-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  // torchvision 0.14 registers 118 builders; two opsets.
  EXPECT_EQ(Query(dir.File("r.sqlite"), "SELECT count(*) FROM jobs"), 236);
  EXPECT_EQ(Query(dir.File("r.sqlite"), "SELECT count(DISTINCT family) FROM jobs"), 6);
  EXPECT_EQ(Query(dir.File("r.sqlite"),
                  "SELECT count(*) FROM jobs WHERE source = 'torchvision:raft_small'"),
            2);
  CliRun some = RunConvcheck({"campaign", "run", "--suite", "torchvision:resnet18,alexnet",
                              "--suite", "torchvision:optical_flow", "--converters", "torch.onnx",
                              "--opsets", "17", "--db", dir.File("some.sqlite"), "--dry-run"});
  ASSERT_EQ(some.exit_code, 0) << some.out << some.err;
  EXPECT_EQ(Query(dir.File("some.sqlite"), "SELECT count(*) FROM jobs"), 4);
}

TEST(CampaignTest, BadInputGetsOneLineAndExitTwo) {
  TempDir dir;
  std::ofstream(dir.File("garbage.sqlite")) << std::string(2048, 'g');
  const std::vector<std::vector<std::string>> cases = {
      {"campaign", "run", "--suite", "nosuch", "--db", dir.File("a.sqlite")},
      {"campaign", "run", "--suite", "dir:" + dir.File("missing"), "--db", dir.File("a.sqlite")},
      {"campaign", "run", "--suite", "torchvision:Cars!", "--db", dir.File("a.sqlite")},
      {"campaign", "run", "--suite", "torchvision:resnet18,nosuchnet", "--converters", "torch.onnx",
       "--db", dir.File("b.sqlite")},
      {"campaign", "run", "--suite", "torchvision", "--backends", "tvm", "--db",
       dir.File("a.sqlite")},
      {"campaign", "run", "--suite", "torchvision", "--db", dir.File("garbage.sqlite")},
      {"campaign", "status", dir.File("missing.sqlite")},
      {"campaign", "status", dir.File("garbage.sqlite")},
  };
  for (const auto& args : cases) {
    CliRun run = RunConvcheck(args);
    EXPECT_EQ(run.exit_code, 2) << args[3] << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_NE(run.err.find("error"), std::string::npos) << run.err;
    // Fast, and never a hang: a model name is checked against the builders the converter's
    // environment lists, which costs one torch import (seconds on a busy machine).
    EXPECT_LT(run.wall_s, 60) << run.err;
  }
  EXPECT_FALSE(fs::exists(dir.File("a.sqlite"))) << "nothing is planned from a bad command";
}

}  // namespace
}  // namespace convcheck
