// End-to-end tests of `convcheck convert` and `convcheck check` on the real torch.onnx and ONNX
// Runtime, and on the fault-injection test converters (workers/python/fault_injection.py).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::ModelFile;
using testing::ReadJson;
using testing::RunConvcheck;
using testing::TempDir;

std::string Py(const std::string& name) { return "python:" + ModelFile(name); }

// Runs convert with --json and returns the parsed document. These tests are about convcheck's
// own stages and verdicts, so they use the quickest converter, torch 1.13's, unless they name
// one; tests/integration/converters_test.cc covers the others.
nlohmann::json Convert(std::vector<std::string> args, CliRun* run, const TempDir& dir) {
  if (std::find(args.begin(), args.end(), "--converter") == args.end()) {
    args.insert(args.end(), {"--converter", "torch.onnx"});
  }
  args.insert(args.begin(), "convert");
  args.push_back("--json");
  args.push_back(dir.File("result.json"));
  *run = RunConvcheck(args);
  return ReadJson(dir.File("result.json"));
}

TEST(ConvertTest, SmallModulesConvertAndPass) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc =
      Convert({Py("cnn.py"), Py("lstm.py"), Py("transformer.py"), "--opset", "17"}, &run, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  ASSERT_EQ(doc["jobs"].size(), 3u) << run.out;
  for (const auto& job : doc["jobs"]) {
    EXPECT_EQ(job["verdict"], "pass") << job.dump(2);
    EXPECT_EQ(job["converter"], "torch.onnx@1.13");
    EXPECT_EQ(job["opset"], 17);
    EXPECT_EQ(job["num_sets"], 2);
    ASSERT_EQ(job["backends"].size(), 1u);
    const auto& ort = job["backends"][0];
    EXPECT_EQ(ort["backend"], "ort");
    ASSERT_TRUE(ort["comparison"].is_object());
    EXPECT_GE(ort["comparison"]["outputs"].size(), 1u);
    for (const auto& out : ort["comparison"]["outputs"]) {
      EXPECT_TRUE(out["pass"]);
      EXPECT_GT(out["num_elements"].get<int64_t>(), 0);
      EXPECT_LE(out["error_ratio"].get<double>(), 1.0);
    }
    for (const char* stage : {"source", "convert", "validate", "run:ort", "total"}) {
      EXPECT_TRUE(job["timings"].contains(stage)) << stage;
    }
  }
  // The LSTM returns its sequence output and both final states.
  EXPECT_EQ(doc["jobs"][1]["backends"][0]["comparison"]["outputs"].size(), 3u);
  EXPECT_NE(run.out.find("3 jobs: 3 pass"), std::string::npos) << run.out;
}

TEST(ConvertTest, MlpWithInputShapeAtOpset13) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc =
      Convert({Py("mlp.py"), "--input-shape", "4,20", "--opset", "13", "--inputs", "3"}, &run, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["jobs"][0]["verdict"], "pass");
  EXPECT_EQ(doc["jobs"][0]["num_sets"], 3);
  EXPECT_EQ(doc["jobs"][0]["model"]["opset"], 13);
}

TEST(ConvertTest, TorchvisionModelPasses) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc = Convert({"torchvision:squeezenet1_1", "--inputs", "1"}, &run, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["jobs"][0]["verdict"], "pass");
  EXPECT_EQ(doc["jobs"][0]["backends"][0]["comparison"]["outputs"][0]["expected_shape"],
            nlohmann::json({1, 1000}));
}

// Each fault-injection converter must give its verdict, charged to the right stage.
TEST(FaultInjectionTest, PerturbedWeightIsIncorrectBehavior) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc =
      Convert({Py("cnn.py"), "--converter", "fault-inject:perturb-weight"}, &run, dir);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const auto& job = doc["jobs"][0];
  EXPECT_EQ(job["verdict"], "incorrect_behavior") << job.dump(2);
  EXPECT_EQ(job["subtype"], "value_mismatch");
  EXPECT_EQ(job["symptom"], "Wrong Model");
  EXPECT_GT(job["backends"][0]["comparison"]["outputs"][0]["mismatches"].get<int64_t>(), 0);
}

TEST(FaultInjectionTest, RaisingConverterIsAConverterCrashWithItsMessage) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc = Convert({Py("cnn.py"), "--converter", "fault-inject:raise"}, &run, dir);
  EXPECT_EQ(run.exit_code, 1);
  const auto& job = doc["jobs"][0];
  EXPECT_EQ(job["verdict"], "converter_crash") << job.dump(2);
  EXPECT_NE(job["error"].get<std::string>().find("converter raised on purpose"), std::string::npos);
  EXPECT_FALSE(job["signature"].get<std::string>().empty());
  EXPECT_TRUE(job["backends"].empty());
}

TEST(FaultInjectionTest, HangingConverterTimesOutWithinTheTimeout) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc =
      Convert({Py("cnn.py"), "--converter", "fault-inject:hang", "--timeout", "4"}, &run, dir);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(doc["jobs"][0]["verdict"], "converter_timeout") << doc.dump(2);
  EXPECT_EQ(doc["jobs"][0]["symptom"], "Hang");
  EXPECT_GE(doc["jobs"][0]["timings"]["convert"].get<double>(), 4.0);
  EXPECT_LT(doc["jobs"][0]["timings"]["convert"].get<double>(), 10.0);
}

TEST(FaultInjectionTest, SegfaultingConverterIsAConverterCrashAndTheNextJobStillRuns) {
  TempDir dir;
  CliRun run;
  // Two sources: the worker dies on the first; the second must get a fresh one.
  nlohmann::json doc = Convert(
      {Py("cnn.py"), Py("transformer.py"), "--converter", "fault-inject:segfault"}, &run, dir);
  EXPECT_EQ(run.exit_code, 1);
  ASSERT_EQ(doc["jobs"].size(), 2u) << run.out << run.err;
  for (const auto& job : doc["jobs"]) {
    EXPECT_EQ(job["verdict"], "converter_crash") << job.dump(2);
    EXPECT_NE(job["error"].get<std::string>().find("SIGSEGV"), std::string::npos);
  }
}

TEST(FaultInjectionTest, ModelTheCheckerRejectsIsInvalidModelNamingTheNode) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc =
      Convert({Py("cnn.py"), "--converter", "fault-inject:invalid-model"}, &run, dir);
  EXPECT_EQ(run.exit_code, 1);
  const auto& job = doc["jobs"][0];
  EXPECT_EQ(job["verdict"], "invalid_model") << job.dump(2);
  EXPECT_EQ(job["stage"], "checker");
  EXPECT_NE(job["error"].get<std::string>().find("convcheck_fault_undefined_tensor"),
            std::string::npos);
  EXPECT_FALSE(job["node"].get<std::string>().empty());
}

TEST(RuntimeTest, ModelOnnxRuntimeRefusesIsARuntimeErrorWithItsCode) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc = Convert({Py("int_relu.py")}, &run, dir);
  EXPECT_EQ(run.exit_code, 1);
  const auto& job = doc["jobs"][0];
  EXPECT_EQ(job["verdict"], "runtime_error") << job.dump(2);
  EXPECT_EQ(job["backends"][0]["code"], "NOT_IMPLEMENTED");
  EXPECT_EQ(job["backends"][0]["stage"], "load");
}

TEST(SourceTest, ModelThatFailsInPyTorchIsASourceError) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc = Convert({Py("broken_source.py")}, &run, dir);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(doc["jobs"][0]["verdict"], "source_error") << doc.dump(2);
  EXPECT_NE(doc["jobs"][0]["error"].get<std::string>().find("mat"), std::string::npos);
}

TEST(KeepTest, KeptCaseIsInTheBackendTestLayoutAndReplaysWithCheck) {
  TempDir dir;
  CliRun run;
  std::string keep = dir.File("cases");
  Convert({Py("cnn.py"), "--keep", keep}, &run, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::string case_dir = keep + "/python_cnn_opset17_torch_onnx_1_13";
  for (const char* file :
       {"model.onnx", "test_data_set_0/input_0.pb", "test_data_set_0/output_0.pb",
        "test_data_set_1/input_0.pb", "result.json"}) {
    EXPECT_TRUE(fs::exists(case_dir + "/" + file)) << file;
  }
  CliRun check = RunConvcheck({"check", case_dir + "/model.onnx"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("pass"), std::string::npos);

  // The same replay of a wrong model finds the mismatch from the stored outputs alone.
  Convert({Py("cnn.py"), "--keep", keep, "--converter", "fault-inject:perturb-weight"}, &run, dir);
  std::string bad_case = keep + "/python_cnn_opset17_fault_inject_perturb_weight";
  CliRun bad = RunConvcheck(
      {"check", bad_case + "/model.onnx", "--data", bad_case, "--json", dir.File("check.json")});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_EQ(ReadJson(dir.File("check.json"))["jobs"][0]["verdict"], "incorrect_behavior");
}

// Bad input: a one-line error naming the object, exit code 2, and no worker needed.
TEST(BadInputTest, CorruptModelMissingFileAndBadFlagsExitWithTwo) {
  TempDir dir;
  std::string corrupt = dir.File("corrupt.onnx");
  std::ofstream(corrupt) << "this is not a protobuf \x01\x02\x03";
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  std::vector<Case> cases = {
      {{"check", corrupt, "--data", dir.path()}, "corrupt.onnx"},
      {{"check", dir.File("missing.onnx")}, "missing.onnx"},
      {{"convert", "python:" + dir.File("nope.py")}, "nope.py"},
      {{"convert", "torchvision:resnet18", "--frobnicate"}, "frobnicate"},
      {{"convert", "torchvision:resnet18", "--opset", "99"}, "opset 99"},
      {{"convert", "torchvision:resnet18", "--backend", "trt"}, "unknown backend 'trt'"},
      {{"convert", "torchvision:resnet18", "--backend", "ort,ort"}, "listed twice"},
      {{"convert", "torchvision:resnet18", "--tolerance", "loose"}, "loose"},
      {{"convert", "resnet18"}, "unknown kind"},
      {{"convert", Py("mlp.py"), "--input-shape", "4,x"}, "not an integer"},
  };
  for (const auto& c : cases) {
    CliRun run = RunConvcheck(c.args);
    EXPECT_EQ(run.exit_code, 2) << c.args[1] << ": " << run.err;
    EXPECT_NE(run.err.find(c.expected), std::string::npos) << run.err;
    // One line.
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_LT(run.wall_s, 5.0) << "bad input must fail before any worker starts";
  }
}

TEST(BadInputTest, CheckWithoutDataSetsExitsWithTwo) {
  TempDir dir;
  // A valid model but an empty data folder.
  CliRun run = RunConvcheck({"check", "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx",
                             "--data", dir.path()});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find(dir.path()), std::string::npos) << run.err;
}

TEST(CheckTest, ConformanceCaseFromTheOnnxTestDataPasses) {
  CliRun run = RunConvcheck({"check", "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx",
                             "--tolerance", "onnx-backend"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

}  // namespace
}  // namespace convcheck

namespace convcheck {
namespace {

// With two engines, convcheck says who is at fault: engines that agree with each other but not
// with PyTorch point at the converter; one engine failing where another passes points at it.
TEST(ConvertTest, BlamesTheConverterOrTheRuntimeFromEngineAgreement) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc = Convert({Py("cnn.py"), "--converter", "fault-inject:perturb-weight",
                                "--backend", "ort,ref", "--opset", "17"},
                               &run, dir);
  ASSERT_EQ(doc["jobs"].size(), 1u) << run.out << run.err;
  EXPECT_EQ(doc["jobs"][0]["verdict"], "incorrect_behavior");
  EXPECT_EQ(doc["jobs"][0]["blame"], "converter") << doc["jobs"][0]["blame_reason"];
  ASSERT_EQ(doc["jobs"][0]["agreements"].size(), 1u);
  EXPECT_EQ(doc["jobs"][0]["agreements"][0]["agree"], true);

  TempDir dir2;
  doc = Convert({Py("int_relu.py"), "--backend", "ort,ref", "--opset", "17"}, &run, dir2);
  ASSERT_EQ(doc["jobs"].size(), 1u) << run.out << run.err;
  EXPECT_EQ(doc["jobs"][0]["verdict"], "runtime_error");
  EXPECT_EQ(doc["jobs"][0]["blame"], "runtime:ort") << doc["jobs"][0]["blame_reason"];
  EXPECT_NE(run.out.find("blame: runtime:ort"), std::string::npos) << run.out;

  TempDir dir3;
  doc = Convert({Py("cnn.py"), "--converter", "fault-inject:perturb-weight", "--opset", "17"}, &run,
                dir3);
  EXPECT_EQ(doc["jobs"][0]["blame"], "undetermined") << "one engine cannot tell";
}

}  // namespace
}  // namespace convcheck
