// Fuzzing the converters users run today, end to end (slow: TensorFlow and torch 2 start in tens
// of seconds on a shared machine): generated TensorFlow models run in TensorFlow without NaN or
// Inf and compute what the PyTorch form computes; fuzz and reduce work on TensorFlow sources;
// one model goes through torch 2's two exporters and torch 1.13's.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "campaign/sqlite.h"
#include "testing/campaign_compare.h"
#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::RunConvcheck;
using testing::TempDir;

std::string EnvPython(const std::string& prefix) {
  for (const auto& entry : fs::directory_iterator("/opt/convcheck/envs")) {
    if (entry.path().filename().string().rfind(prefix + "-", 0) == 0) {
      return (entry.path() / "bin/python").string();
    }
  }
  return "";
}

int Shell(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) *output += buffer;
  return pclose(pipe);
}

TEST(TfEmitterRunTest, TensorFlowModelsRunWithoutNanAndAgreeWithPyTorch) {
  TempDir dir;
  CliRun gen = RunConvcheck(
      {"gen", "--seed", "3000", "--count", "40", "--nodes", "5..30", "--out", dir.path(), "--tf"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string tf_python = EnvPython("tf2");
  ASSERT_FALSE(tf_python.empty());
  const std::string script = CONVCHECK_TESTS_DIR "/gen/tf_emitter_check.py";
  std::string tf_out;
  EXPECT_EQ(Shell(tf_python + " " + script + " tf " + dir.path(), &tf_out), 0) << tf_out;
  EXPECT_NE(tf_out.find("40/40 models ran in TensorFlow, 0 with NaN or Inf"), std::string::npos)
      << tf_out;
  std::string torch_out;
  EXPECT_EQ(Shell("/usr/bin/python3 " + script + " torch " + dir.path(), &torch_out), 0)
      << torch_out;
  EXPECT_NE(torch_out.find("40/40 models agree between TensorFlow and PyTorch"), std::string::npos)
      << torch_out;
}

// fault-inject:miscompile-relu is a TEST DOUBLE: tf2onnx, then every Relu becomes LeakyRelu.
TEST(FuzzConvertersTest, FuzzAndReduceWorkOnTensorFlowSources) {
  TempDir dir;
  const std::string db = dir.File("fuzz.sqlite");
  CliRun run = RunConvcheck({"fuzz", "--converter", "fault-inject:miscompile-relu", "--emit", "tf",
                             "--ops", "relu,add", "--count", "3", "--nodes", "5..8", "--seed", "4",
                             "--db", db, "--backends", "ort,ref"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE source LIKE '%_tf.py'"), 3);
  fs::path failure;
  for (const auto& entry : fs::directory_iterator(db + ".artifacts/failures")) {
    failure = entry.path();
  }
  ASSERT_FALSE(failure.empty());
  EXPECT_TRUE(fs::exists(failure / "model_tf.py"));
  CliRun reduce = RunConvcheck({"reduce", failure.string(), "--json", dir.File("reduce.json")});
  ASSERT_EQ(reduce.exit_code, 0) << reduce.out << reduce.err;
  nlohmann::json outcome = testing::ReadJson(dir.File("reduce.json"));
  EXPECT_EQ(outcome["signature"], "incorrect_behavior|value_mismatch|||blame=converter");
  EXPECT_TRUE(outcome["confirmed"].get<bool>());
  EXPECT_EQ(outcome["result"]["env"], "tf2");
  EXPECT_TRUE(fs::exists(failure / "reduced/model_tf.py"));
}

TEST(FuzzConvertersTest, OneModelThroughEveryTorchExporter) {
  TempDir dir;
  const std::string db = dir.File("fuzz.sqlite");
  CliRun run = RunConvcheck(
      {"fuzz", "--converter", "torch.onnx.dynamo,torch.onnx.torchscript,torch.onnx@1.13,tf2onnx",
       "--count", "2", "--nodes", "5..10", "--seed", "6", "--db", db, "--backends", "ort,ref"});
  EXPECT_LE(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), 8);
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(DISTINCT converter) FROM jobs"), 4);
  // Whatever they found, no job failed for want of a source: the model ran in both frameworks.
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE verdict = 'source_error'"), 0);
  EXPECT_NE(run.out.find(" of 2 models"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace convcheck
