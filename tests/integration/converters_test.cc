// End-to-end tests of the converters people run today, each real: torch 2's two exporters
// (torch.onnx.dynamo, torch.onnx.torchscript) and tf2onnx on TensorFlow 2, with the engines ORT,
// OpenVINO and ref; the fault-injection TEST DOUBLES on both frameworks; and the usage errors of
// the converter choice (a source of the other framework, an opset the converter cannot write, a
// missing Python environment).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testing/cli_runner.h"

namespace convcheck {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::ModelFile;
using testing::ReadJson;
using testing::RunConvcheck;
using testing::TempDir;

nlohmann::json Convert(std::vector<std::string> args, CliRun* run, const TempDir& dir) {
  args.insert(args.begin(), "convert");
  args.insert(args.end(), {"--json", dir.File("result.json")});
  *run = RunConvcheck(args);
  return fs::exists(dir.File("result.json")) ? ReadJson(dir.File("result.json"))
                                             : nlohmann::json::object();
}

// The interpreter of a Python environment, as `convcheck envs` reports it.
std::string EnvPython(const std::string& env) {
  TempDir dir;
  CliRun run = RunConvcheck({"envs", "--json", dir.File("envs.json")});
  const nlohmann::json doc = ReadJson(dir.File("envs.json"));
  for (const auto& e : doc["environments"]) {
    if (e["name"] == env && e["ready"].get<bool>()) return e["python"];
  }
  return "";
}

TEST(ConvertersTest, SmallTorchModulesPassThroughBothTorch2Exporters) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc = Convert({"python:" + ModelFile("cnn.py"), "python:" + ModelFile("lstm.py"),
                                "--converter", "torch.onnx.dynamo,torch.onnx.torchscript",
                                "--opset", "18", "--backend", "ort,openvino,ref"},
                               &run, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  ASSERT_EQ(doc["jobs"].size(), 4u);
  for (const auto& job : doc["jobs"]) {
    EXPECT_EQ(job["verdict"], "pass") << job.dump(2);
    EXPECT_EQ(job["env"], "torch2");
    EXPECT_EQ(job["opset_exported"], 18) << job["converter"];
    ASSERT_EQ(job["backends"].size(), 3u);
    EXPECT_EQ(job["backends"][1]["backend"], "openvino");
    // torch 2 writes IR version 10 at opset 18, past what Debian's onnx 1.12 checker knows.
    EXPECT_EQ(job["model"]["checker"], "onnx 1.23.2") << job["model"].dump();
  }
  EXPECT_EQ(doc["jobs"][0]["converter"], "torch.onnx.dynamo");
  EXPECT_EQ(doc["jobs"][0]["options"],
            nlohmann::json({{"optimize", true}, {"dynamic_batch", false}}));
  EXPECT_EQ(doc["jobs"][1]["converter"], "torch.onnx.torchscript");
  EXPECT_EQ(doc["jobs"][1]["options"]["mode"], "trace");
}

TEST(ConvertersTest, DynamoDownConvertsALowerOpsetAndSaysSo) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc =
      Convert({"python:" + ModelFile("mlp.py"), "python:" + ModelFile("cnn.py"), "--input-shape",
               "4,20", "--converter", "torch.onnx.dynamo", "--opset", "14", "--backend", "ort"},
              &run, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  // The MLP is exported at 18 and down-converted to 14, as torch does.
  const auto& mlp = doc["jobs"][0];
  EXPECT_EQ(mlp["opset"], 14);
  EXPECT_EQ(mlp["opset_exported"], 14);
  ASSERT_FALSE(mlp["notes"].empty()) << mlp.dump(2);
  EXPECT_NE(mlp["notes"][0].get<std::string>().find("18"), std::string::npos) << mlp["notes"];
  // The CNN's down-conversion fails inside torch (the ONNX version converter cannot move a
  // reduction's axes input back into an attribute), and torch keeps opset 18 silently: convcheck
  // records what the file really is and says why.
  const auto& cnn = doc["jobs"][1];
  EXPECT_EQ(cnn["opset_exported"], 18);
  ASSERT_FALSE(cnn["notes"].empty()) << cnn.dump(2);
  EXPECT_NE(cnn["notes"][0].get<std::string>().find("failed"), std::string::npos) << cnn["notes"];
  EXPECT_NE(run.out.find("note:"), std::string::npos) << run.out;
}

TEST(ConvertersTest, KerasModelAndSavedModelThroughTf2onnx) {
  TempDir dir;
  CliRun run;
  nlohmann::json doc = Convert(
      {"python:" + ModelFile("keras_cnn.py"), "--opset", "15,18", "--backend", "ort,openvino,ref"},
      &run, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  ASSERT_EQ(doc["jobs"].size(), 2u);
  for (const auto& job : doc["jobs"]) {
    EXPECT_EQ(job["converter"], "tf2onnx") << "the default for a TensorFlow source";
    EXPECT_EQ(job["env"], "tf2");
    EXPECT_EQ(job["verdict"], "pass") << job.dump(2);
    EXPECT_EQ(job["source_info"]["info"]["framework"], "tf");
  }

  // A SavedModel written by Keras itself, converted through both of tf2onnx's routes.
  const std::string python = EnvPython("tf2");
  ASSERT_FALSE(python.empty()) << "the tf2 environment is not installed";
  const std::string saved = dir.File("saved");
  const std::string script = dir.File("save.py");
  std::ofstream(script) << "import sys, importlib.util\n"
                        << "spec = importlib.util.spec_from_file_location('m', '"
                        << ModelFile("keras_cnn.py") << "')\n"
                        << "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
                        << "m.make_model().export(sys.argv[1])\n";
  const std::string command = "TF_CPP_MIN_LOG_LEVEL=3 '" + python + "' '" + script + "' '" + saved +
                              "' > '" + dir.File("save.log") + "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  TempDir dir2;
  doc = Convert({"savedmodel:" + saved, "--input-shape", "1,16,16,3", "--backend", "ort,ref"}, &run,
                dir2);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["jobs"][0]["verdict"], "pass") << doc.dump(2);
  TempDir dir3;
  doc = Convert({"python:" + ModelFile("keras_cnn.py"), "--saved-model", "--backend", "ort"}, &run,
                dir3);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(doc["jobs"][0]["options"]["route"], "saved_model");
  EXPECT_EQ(doc["jobs"][0]["verdict"], "pass");
}

// fault-inject:* are TEST DOUBLES: they crash or write a wrong model on purpose.
TEST(ConvertersTest, FaultInjectionDoublesWorkForTorchAndTensorFlowSources) {
  for (const std::string source :
       {"python:" + ModelFile("cnn.py"), "python:" + ModelFile("keras_cnn.py")}) {
    TempDir dir;
    CliRun run;
    nlohmann::json doc = Convert(
        {source, "--converter", "fault-inject:perturb-weight", "--backend", "ort,ref"}, &run, dir);
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    ASSERT_EQ(doc["jobs"].size(), 1u) << run.err;
    EXPECT_EQ(doc["jobs"][0]["verdict"], "incorrect_behavior") << doc.dump(2);
    EXPECT_EQ(doc["jobs"][0]["blame"], "converter");
    TempDir dir2;
    doc = Convert({source, "--converter", "fault-inject:raise", "--backend", "ort"}, &run, dir2);
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(doc["jobs"][0]["verdict"], "converter_crash") << doc.dump(2);
  }
}

TEST(ConvertersTest, BadConverterChoicesAreOneLineUsageErrors) {
  TempDir dir;
  const std::string keras = "python:" + ModelFile("keras_cnn.py");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"convert", keras, "--converter", "torch.onnx.dynamo"}, "is a TensorFlow model"},
      {{"convert", "keras:ResNet50", "--converter", "torch.onnx.torchscript"},
       "is a TensorFlow model"},
      {{"convert", "torchvision:resnet18", "--converter", "tf2onnx"}, "is a PyTorch model"},
      {{"convert", keras, "--opset", "19"}, "tf2onnx 1.17 writes opsets up to 18"},
      {{"convert", "torchvision:resnet18", "--converter", "torch.onnx@1.13", "--opset", "18"},
       "out of range"},
      {{"convert", "torchvision:resnet18", "--converter", "torch.onnx.dynamo", "--script"},
       "has no option 'mode'"},
      {{"convert", "timm:resnet18", "--converter", "torch.onnx"}, "torch2"},
      {{"convert", "torchvision:resnet18", "--converter", "onnxmltools"}, "unknown converter"},
      {{"convert", "torchvision:resnet18", "--timeout", "nan"}, "--timeout"},
      {{"convert", "torchvision:resnet18", "--rtol", "inf"}, "--rtol"},
  };
  for (const auto& [args, expected] : cases) {
    CliRun run = RunConvcheck(args);
    EXPECT_EQ(run.exit_code, 2) << args[1] << " " << args.back() << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
    EXPECT_LT(run.wall_s, 10) << run.err;
  }
}

TEST(ConvertersTest, AMissingEnvironmentNamesTheInstallCommand) {
  TempDir empty;
  CliRun run =
      RunConvcheck({"convert", "python:" + ModelFile("cnn.py"), "--converter", "torch.onnx.dynamo"},
                   {{"CONVCHECK_ENVS", empty.path()}});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_NE(run.err.find("python environment 'torch2'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("scripts/install-deps.sh"), std::string::npos) << run.err;
  CliRun envs = RunConvcheck({"envs", "--check"}, {{"CONVCHECK_ENVS", empty.path()}});
  EXPECT_EQ(envs.exit_code, 2);
  EXPECT_NE(envs.out.find("NOT READY"), std::string::npos) << envs.out;
}

TEST(ConvertersTest, EnvsListsEveryEnvironmentWithItsVersions) {
  TempDir dir;
  CliRun run = RunConvcheck({"envs", "--check", "--json", dir.File("envs.json")});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  nlohmann::json doc = ReadJson(dir.File("envs.json"));
  std::vector<std::string> names;
  for (const auto& e : doc["environments"]) names.push_back(e["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"torch1.13", "torch2", "tf2", "onnx"}));
  EXPECT_EQ(doc["environments"][1]["versions"]["torch"], "2.14.1");
  EXPECT_EQ(doc["environments"][2]["versions"]["tf2onnx"], "1.17.0");
  EXPECT_EQ(doc["environments"][3]["versions"]["onnx"], "1.23.2");
}

}  // namespace
}  // namespace convcheck
