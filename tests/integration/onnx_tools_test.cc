// The ONNX-to-ONNX tools as converters, end to end on the real onnx environment: each tool
// transforms the generator's directly written ONNX, the original on ref64 is the oracle, and
// fuzzing and reduction work on ONNX sources with a fault-injection double.

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

// One generated model, written as ONNX.
std::string GeneratedOnnx(const TempDir& dir) {
  // Operators the version converter has adapters for down to opset 14 (it has none from 14 to
  // 13 for Add or Relu, none before 17 for LayerNormalization: docs/findings).
  CliRun gen = RunConvcheck({"gen", "--seed", "21", "--count", "1", "--nodes", "8..12", "--ops",
                             "relu,sigmoid,tanh,add,mul,matmul,transpose,concat,sum,softmax",
                             "--out", dir.path(), "--onnx"});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  return dir.File("gen-21.onnx");
}

struct ToolCase {
  std::vector<std::string> flags;
  std::string backends;
};

TEST(OnnxToolsTest, UsageErrorsAreOneLine) {
  TempDir dir;
  const std::string model = GeneratedOnnx(dir);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"convert", "onnx:" + model, "--converter", "onnxsim", "--opset", "17"},
           {"convert", "onnx:" + model, "--converter", "torch.onnx.dynamo"},
           {"convert", "onnx:/nonexistent.onnx", "--converter", "onnxsim"},
           {"convert", "onnx:" + model, "--converter", "ort.optimizer", "--converter-option",
            "level=all"}}) {
    CliRun run = RunConvcheck(args);
    EXPECT_EQ(run.exit_code, 2) << args[3] << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
}

// A corrupt ONNX source is the source's problem: source_error, not a tool failure.
TEST(OnnxToolsTest, ACorruptSourceIsASourceError) {
  TempDir dir;
  const std::string bad = dir.File("bad.onnx");
  std::ofstream(bad) << "this is no protobuf";
  CliRun run = RunConvcheck({"convert", "onnx:" + bad, "--converter", "onnxoptimizer", "--backend",
                             "ref", "--json", dir.File("r.json")});
  nlohmann::json job = testing::ReadJson(dir.File("r.json"))["jobs"][0];
  EXPECT_EQ(job["verdict"], "source_error") << run.out << run.err;
}

// fault-inject:miscompile-relu is a TEST DOUBLE: the version converter, then every Relu becomes
// LeakyRelu.
TEST(OnnxToolsTest, FuzzingOnnxSourcesRecordsFailuresAndReductionKeepsTheSignature) {
  TempDir dir;
  const std::string db = dir.File("fuzz.sqlite");
  CliRun run = RunConvcheck({"fuzz", "--converter", "fault-inject:miscompile-relu", "--emit",
                             "onnx", "--ops", "relu,add,mul", "--count", "4", "--nodes", "6..10",
                             "--seed", "5", "--db", db, "--backends", "ort,ref"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), 4);
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE source LIKE 'onnx:%'"), 4);
  EXPECT_GE(
      testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE verdict = 'incorrect_behavior'"), 1);
  fs::path failure;
  for (const auto& entry : fs::directory_iterator(db + ".artifacts/failures")) {
    failure = entry.path();
  }
  ASSERT_FALSE(failure.empty());
  for (const char* file : {"graph.json", "job.json", "source.onnx", "model.onnx"}) {
    EXPECT_TRUE(fs::exists(failure / file)) << file;
  }
  CliRun reduce = RunConvcheck({"reduce", failure.string(), "--json", dir.File("reduce.json")});
  ASSERT_EQ(reduce.exit_code, 0) << reduce.out << reduce.err;
  nlohmann::json outcome = testing::ReadJson(dir.File("reduce.json"));
  EXPECT_EQ(outcome["signature"], "incorrect_behavior|value_mismatch|||blame=converter");
  EXPECT_TRUE(outcome["confirmed"].get<bool>());
  EXPECT_LT(outcome["nodes_after"].get<int64_t>(), outcome["nodes_before"].get<int64_t>());
  EXPECT_GE(outcome["operators"].value("relu", 0), 1) << outcome.dump();
  // The reduced case ran as an ONNX source.
  EXPECT_EQ(outcome["result"]["env"], "onnx");
  EXPECT_TRUE(fs::exists(failure / "reduced/model.onnx"));
}

}  // namespace
}  // namespace convcheck
