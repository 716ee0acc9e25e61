// End-to-end tests of `convcheck gen`, `fuzz` and `reduce` on the real torch 1.13, torch.onnx
// and ONNX Runtime: generated models run in PyTorch, the directly written ONNX computes what
// PyTorch computes, fuzzing records failures with reproducers and resumes, and reduction keeps
// the failure signature.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "campaign/sqlite.h"
#include "testing/campaign_compare.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::RunConvcheck;
using testing::TempDir;

// Runs scripts/gen_selfcheck.py: every gen-*.py of `dir` in PyTorch, and writes each as a
// backend-test case (the direct ONNX model with PyTorch's outputs) under dir/cases.
int SelfCheck(const std::string& dir, std::string* output) {
  const std::string command =
      "/usr/bin/python3 " CONVCHECK_TESTS_DIR "/../scripts/gen_selfcheck.py " + dir + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) *output += buffer;
  return pclose(pipe);
}

TEST(GenTest, GeneratedModelsRunInPyTorchAndTheDirectOnnxAgreesWithIt) {
  TempDir dir;
  CliRun gen = RunConvcheck({"gen", "--seed", "1000", "--count", "40", "--nodes", "5..30", "--out",
                             dir.path(), "--onnx"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::string output;
  EXPECT_EQ(SelfCheck(dir.path(), &output), 0) << output;
  EXPECT_NE(output.find("40/40 models ran in PyTorch, 0 with NaN or Inf"), std::string::npos)
      << output;
  // The ONNX emitter is checked against PyTorch on ORT and on our interpreter.
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir.File("cases"))) {
    if (++checked > 10) break;
    CliRun check =
        RunConvcheck({"check", entry.path().string() + "/model.onnx", "--backend", "ort,ref"});
    EXPECT_EQ(check.exit_code, 0) << entry.path() << "\n" << check.out << check.err;
  }
  EXPECT_GT(checked, 0);
}

TEST(GenTest, BadFlagsGiveOneLine) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"gen", "--nodes", "9..2"},
           {"gen", "--ops", "relu,no_such_op"},
           {"fuzz", "--db", "/tmp/x.sqlite"},
           {"fuzz", "--db", "/tmp/x.sqlite", "--time", "ten minutes"},
           {"reduce", "/nonexistent/case"}}) {
    CliRun run = RunConvcheck(args);
    EXPECT_EQ(run.exit_code, 2) << args[0] << " " << args[1] << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
}

// fault-inject:miscompile-relu is a TEST DOUBLE: torch.onnx, then every Relu becomes LeakyRelu.
TEST(FuzzTest, FailuresAreRecordedWithReproducersAndReductionKeepsTheSignature) {
  TempDir dir;
  const std::string db = dir.File("fuzz.sqlite");
  const std::vector<std::string> args = {"fuzz",   "--converter", "fault-inject:miscompile-relu",
                                         "--ops",  "relu,add",    "--count",
                                         "4",      "--nodes",     "6..10",
                                         "--seed", "3",           "--db",
                                         db,       "--jobs",      "2"};
  CliRun run = RunConvcheck(args);
  // Every model with a relu fails; the generator makes some.
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), 4);
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE source_kind = 'generated'"),
            4);
  const int64_t failing = testing::QueryCount(db,
                                              "SELECT count(*) FROM jobs WHERE verdict = "
                                              "'incorrect_behavior'");
  EXPECT_GE(failing, 1);
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM failures"), 1);

  // The same command again plans nothing new and runs nothing: the campaign is complete.
  CliRun again = RunConvcheck(args);
  EXPECT_NE(again.out.find("0 new jobs planned"), std::string::npos) << again.out;
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs"), 4);

  // The reproducer is a reducible case.
  fs::path failure;
  for (const auto& entry : fs::directory_iterator(db + ".artifacts/failures")) {
    failure = entry.path();
  }
  ASSERT_FALSE(failure.empty());
  for (const char* file : {"graph.json", "job.json", "model.py", "model.onnx"}) {
    EXPECT_TRUE(fs::exists(failure / file)) << file;
  }
  CliRun reduce = RunConvcheck({"reduce", failure.string(), "--json", dir.File("reduce.json")});
  ASSERT_EQ(reduce.exit_code, 0) << reduce.out << reduce.err;
  nlohmann::json outcome = testing::ReadJson(dir.File("reduce.json"));
  EXPECT_EQ(outcome["signature"], "incorrect_behavior|value_mismatch|||blame=converter");
  EXPECT_TRUE(outcome["confirmed"].get<bool>());
  EXPECT_LT(outcome["nodes_after"].get<int64_t>(), outcome["nodes_before"].get<int64_t>());
  // The miscompiled operator is what remains.
  EXPECT_GE(outcome["operators"].value("relu", 0), 1) << outcome.dump();
  EXPECT_EQ(outcome["result"]["verdict"], "incorrect_behavior");
  for (const char* file : {"reduced/model.py", "reduced/model.json", "reduced/model.onnx",
                           "reduced/case/model.onnx"}) {
    EXPECT_TRUE(fs::exists(failure / file)) << file;
  }

  // A model that passes cannot be reduced, and says so.
  CliRun passing = RunConvcheck(
      {"reduce", failure.string(), "--converter", "torch.onnx", "--out", dir.File("no")});
  EXPECT_EQ(passing.exit_code, 2);
  EXPECT_NE(passing.err.find("does not fail"), std::string::npos) << passing.err;
}

TEST(FuzzTest, TimeBudgetStopsStartingJobs) {
  TempDir dir;
  const std::string db = dir.File("fuzz.sqlite");
  CliRun run = RunConvcheck({"fuzz", "--converter", "torch.onnx", "--ops", "relu,add", "--time",
                             "8s", "--nodes", "3..5", "--db", db, "--backends", "ort"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  // Without the budget fuzzing goes on; with it, no job starts after 8 s. The bound leaves room
  // for the job under way and worker start-up on a busy machine (CI shares its two cores).
  EXPECT_LT(run.wall_s, 60);
  const int64_t done = testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE status = 'done'");
  EXPECT_GE(done, 1);
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE verdict = 'pass'"), done);
}

// A finding of the fuzzing campaigns (docs/findings): torch.onnx 1.13 exports an uneven
// torch.chunk as a SplitToSequence with a negative split. ORT and ref both refuse to run it;
// two independent engines refusing the same model blames the converter.
TEST(FindingsTest, UnevenChunkIsRefusedByEveryEngineAndBlamedOnTheConverter) {
  TempDir dir;
  CliRun run = RunConvcheck(
      {"convert", "python:" CONVCHECK_TESTS_DIR "/../docs/findings/torch_onnx_chunk_uneven.py",
       "--converter", "torch.onnx", "--backend", "ort,ref", "--opset", "17", "--json",
       dir.File("r.json")});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  nlohmann::json doc = testing::ReadJson(dir.File("r.json"));
  ASSERT_EQ(doc["jobs"].size(), 1u) << run.out << run.err;
  EXPECT_EQ(doc["jobs"][0]["verdict"], "runtime_error");
  EXPECT_EQ(doc["jobs"][0]["blame"], "converter") << doc["jobs"][0]["blame_reason"];
}

}  // namespace
}  // namespace convcheck
