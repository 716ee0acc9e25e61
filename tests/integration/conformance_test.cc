// `convcheck conformance` and `convcheck run` on the ONNX conformance data, and the reference
// interpreter as a backend of `convert`.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/cli_runner.h"

namespace convcheck {
namespace {

using testing::CliRun;
using testing::ModelFile;
using testing::ReadJson;
using testing::RunConvcheck;
using testing::TempDir;

const char kNodeDir[] = "/usr/share/libonnx-testdata/data/node";

TEST(ConformanceTest, RefPassesSimpleNodeCases) {
  TempDir dir;
  CliRun run =
      RunConvcheck({"conformance", kNodeDir, "--backend", "ref", "--filter",
                    "node/test_(add|sub|mul|div)(_bcast)?$", "--json", dir.File("c.json")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  nlohmann::json doc = ReadJson(dir.File("c.json"));
  ASSERT_EQ(doc["runs"].size(), 1u) << run.out;
  EXPECT_EQ(doc["runs"][0]["summary"]["suite"], "onnx-1.12") << run.out;
  EXPECT_EQ(doc["runs"][0]["summary"]["cases"], 8) << run.out;
  EXPECT_EQ(doc["runs"][0]["summary"]["pass"], 8) << run.out;
  for (const auto& c : doc["runs"][0]["cases"]) EXPECT_EQ(c["status"], "pass") << c.dump();
}

TEST(ConformanceTest, OrtRunsTheSameCases) {
  TempDir dir;
  CliRun run = RunConvcheck({"conformance", kNodeDir, "--backend", "ort", "--filter",
                             "node/test_(add|sub)$", "--json", dir.File("c.json")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(ReadJson(dir.File("c.json"))["runs"][0]["summary"]["pass"], 2) << run.out;
}

TEST(ConformanceTest, BrokenCaseIsReportedAndFailsUnlessSkipped) {
  TempDir dir;
  // A case whose data set folder is empty: an error of that case, reported, not a crash.
  std::filesystem::create_directories(dir.File("cases/test_fake/test_data_set_0"));
  std::filesystem::copy_file(std::string(kNodeDir) + "/test_abs/model.onnx",
                             dir.File("cases/test_fake/model.onnx"));
  CliRun run = RunConvcheck({"conformance", dir.File("cases"), "--backend", "ref"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("cases/test_fake"), std::string::npos) << run.out;
  // With a skip list entry, the same run succeeds and says why the case is skipped.
  std::ofstream(dir.File("skips.txt")) << "# comment\ncases/test_fake  broken-data  no inputs\n";
  CliRun skipped = RunConvcheck(
      {"conformance", dir.File("cases"), "--backend", "ref", "--skips", dir.File("skips.txt")});
  EXPECT_EQ(skipped.exit_code, 0) << skipped.out << skipped.err;
  EXPECT_NE(skipped.out.find("skip list: broken-data"), std::string::npos) << skipped.out;
}

TEST(ConformanceTest, MalformedSkipListIsAUsageError) {
  TempDir dir;
  std::ofstream(dir.File("skips.txt")) << "node/test_abs\n";
  CliRun run = RunConvcheck(
      {"conformance", kNodeDir, "--filter", "test_abs$", "--skips", dir.File("skips.txt")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("line 1"), std::string::npos) << run.err;
}

// CONVCHECK_FAULT_INJECT_REF is a test double: it makes the forked reference interpreter crash
// or hang on purpose. Each must become that case's result, and the run must go on.
TEST(ConformanceTest, CrashAndHangOfTheInterpreterAreResultsNotOurCrash) {
  CliRun crash = RunConvcheck({"conformance", kNodeDir, "--filter", "node/test_(abs|add)$"},
                              {{"CONVCHECK_FAULT_INJECT_REF", "segfault"}});
  EXPECT_EQ(crash.exit_code, 1) << crash.err;
  EXPECT_NE(crash.out.find(
                "onnx-1.12 ref  crash  node/test_abs  reference interpreter killed by signal 11"),
            std::string::npos)
      << crash.out;
  EXPECT_NE(crash.out.find("2 crash"), std::string::npos) << crash.out;
  CliRun hang =
      RunConvcheck({"conformance", kNodeDir, "--filter", "node/test_abs$", "--timeout", "1"},
                   {{"CONVCHECK_FAULT_INJECT_REF", "hang"}});
  EXPECT_EQ(hang.exit_code, 1);
  EXPECT_NE(hang.out.find("ref  timeout  node/test_abs"), std::string::npos) << hang.out;
  EXPECT_LT(hang.wall_s, 10);
}

TEST(RefBackendTest, CrashOfTheInterpreterIsARuntimeCrash) {
  TempDir dir;
  CliRun run = RunConvcheck({"convert", "python:" + ModelFile("cnn.py"), "--converter",
                             "torch.onnx", "--backend", "ref", "--json", dir.File("r.json")},
                            {{"CONVCHECK_FAULT_INJECT_REF", "segfault"}});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(ReadJson(dir.File("r.json"))["jobs"][0]["verdict"], "runtime_crash") << run.out;
}

TEST(RunTest, RunsAModelOnRefAndDumpsIntermediates) {
  TempDir dir;
  CliRun run = RunConvcheck({"run", std::string(kNodeDir) + "/test_add_bcast/model.onnx",
                             "--backend", "ref", "--dump-intermediates", dir.File("dump")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("float32[3,4,5]"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(dir.File("dump/test_data_set_0/0_sum.pb"))) << run.out;
}

TEST(RefBackendTest, ConvertComparesRefAndOrtWithPyTorch) {
  TempDir dir;
  CliRun run =
      RunConvcheck({"convert", "python:" + ModelFile("mlp.py"), "--converter", "torch.onnx",
                    "--input-shape", "4,20", "--backend", "ort,ref", "--json", dir.File("r.json")});
  nlohmann::json doc = ReadJson(dir.File("r.json"));
  ASSERT_EQ(doc["jobs"].size(), 1u) << run.out << run.err;
  const auto& backends = doc["jobs"][0]["backends"];
  ASSERT_EQ(backends.size(), 2u);
  EXPECT_EQ(backends[1]["backend"], "ref");
  // Whatever the kernels cover today, ref answers with a verdict, never by crashing us.
  EXPECT_TRUE(backends[1]["verdict"] == "pass" || backends[1]["verdict"] == "runtime_error")
      << backends[1].dump(2);
}

}  // namespace
}  // namespace convcheck
