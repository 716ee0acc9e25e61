// The ONNX-to-ONNX tools, each with its options, on a generated model (slow: a run per tool
// and option, each starting the onnx worker), and one model through two tools and torch 1.13's
// exporter in its two forms.

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

TEST(OnnxToolsTest, EachToolTransformsAGeneratedModelThatStillComputesTheSame) {
  TempDir dir;
  const std::string model = GeneratedOnnx(dir);
  // One run per tool and per option value (each starts the onnx worker: about a minute).
  const std::vector<ToolCase> cases = {
      {{"--converter", "onnx.version_converter", "--opset", "15"}, "ort,ref"},
      {{"--converter", "onnx.version_converter", "--opset", "21"}, "ort,ref"},
      {{"--converter", "ort.optimizer"}, "ort,ref,openvino"},
      // The extended level writes com.microsoft operators that only ONNX Runtime runs.
      {{"--converter", "ort.optimizer", "--converter-option", "level=extended"}, "ort"},
      {{"--converter", "onnxsim", "--no-onnxsim-optimization"}, "ort,ref"},
      {{"--converter", "onnxoptimizer", "--fixed-point"}, "ort,ref"},
  };
  for (const ToolCase& c : cases) {
    std::vector<std::string> args = {"convert", "onnx:" + model};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    args.insert(args.end(), {"--backend", c.backends, "--json", dir.File("r.json")});
    CliRun run = RunConvcheck(args);
    const std::string what = args[3] + (args.size() > 4 ? " " + args[4] : "");
    EXPECT_EQ(run.exit_code, 0) << what << "\n" << run.out << run.err;
    nlohmann::json job = testing::ReadJson(dir.File("r.json"))["jobs"][0];
    EXPECT_EQ(job["verdict"], "pass") << what << ": " << job.dump();
    EXPECT_EQ(job["env"], "onnx");
    // The oracle is the original model on ref64, on the generator's inputs.
    EXPECT_EQ(job["source_info"]["info"]["reference"], "ref64");
    EXPECT_EQ(job["backends"].size(),
              static_cast<size_t>(std::count(c.backends.begin(), c.backends.end(), ',') + 1));
  }
  // The version converter wrote the opset asked for.
  CliRun down = RunConvcheck({"convert", "onnx:" + model, "--converter", "onnx.version_converter",
                              "--opset", "14", "--backend", "ref", "--json", dir.File("d.json")});
  EXPECT_EQ(testing::ReadJson(dir.File("d.json"))["jobs"][0]["opset_exported"], 14);
}

// The same model through two ONNX tools, and through the torch 1.13 exporter in its PyTorch
// form: one model, three converters, compared in the summary.
TEST(OnnxToolsTest, OneModelGoesThroughSeveralConvertersInItsForms) {
  TempDir dir;
  const std::string db = dir.File("fuzz.sqlite");
  CliRun run =
      RunConvcheck({"fuzz", "--converter", "onnxsim,onnxoptimizer,torch.onnx@1.13", "--count", "2",
                    "--nodes", "5..8", "--seed", "9", "--db", db, "--backends", "ort,ref"});
  EXPECT_LE(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(*) FROM jobs WHERE status = 'done'"), 6);
  EXPECT_EQ(testing::QueryCount(db, "SELECT count(DISTINCT converter) FROM jobs"), 3);
  EXPECT_NE(run.out.find("converters disagree on "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(" of 2 models"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace convcheck
