#include "converters/converter.h"

#include <gtest/gtest.h>

#include <fstream>

namespace convcheck::converters {
namespace {

sources::Source Parse(const std::string& text) {
  StatusOr<sources::Source> source = sources::ParseSource(text);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return *source;
}

TEST(ConverterTest, EveryConverterIsDeclaredConsistently) {
  for (const ConverterDef* def : AllConverters()) {
    EXPECT_LE(def->min_opset, def->default_opset) << def->name;
    EXPECT_LE(def->default_opset, def->max_opset) << def->name;
    for (const OptionDef& option : def->options) {
      OptionValues values(*def);
      // The default and the flag's value are both accepted values of the option.
      EXPECT_TRUE(values.Set(*def, option.key, option.default_value).ok()) << option.key;
      EXPECT_TRUE(values.Set(*def, option.key, option.flag_value).ok()) << option.key;
    }
  }
}

TEST(ConverterTest, TorchOnnxIsTheStudyEraAlias) {
  EXPECT_EQ(CanonicalName("torch.onnx"), "torch.onnx@1.13");
  StatusOr<Resolved> r = Resolve("torch.onnx", Parse("torchvision:resnet18"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "torch.onnx@1.13");
  EXPECT_EQ(r->env, "torch1.13");
}

TEST(ConverterTest, ATensorFlowSourceIsRefusedByATorchConverter) {
  StatusOr<Resolved> r = Resolve("torch.onnx.dynamo", Parse("keras:ResNet50"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is a TensorFlow model"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(Resolve("tf2onnx", Parse("torchvision:resnet18")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ConverterTest, ASourceKindItsEnvironmentCannotBuildIsRefused) {
  StatusOr<Resolved> r = Resolve("torch.onnx@1.13", Parse("timm:resnet18"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("torch2"), std::string::npos) << r.status().message();
}

TEST(ConverterTest, HuggingFaceGoesThroughEitherFramework) {
  EXPECT_EQ(Resolve("tf2onnx", Parse("hf:bert"))->env, "tf2");
  EXPECT_EQ(Resolve("torch.onnx.dynamo", Parse("hf:bert"))->env, "torch2");
}

TEST(ConverterTest, DefaultConverterFollowsTheFramework) {
  EXPECT_EQ(DefaultConverterFor(Parse("torchvision:resnet18")), "torch.onnx.dynamo");
  EXPECT_EQ(DefaultConverterFor(Parse("keras:ResNet50")), "tf2onnx");
}

TEST(ConverterTest, FaultInjectDoublesWrapTheSourceFrameworksConverter) {
  StatusOr<Resolved> torch = Resolve("fault-inject:raise", Parse("torchvision:resnet18"));
  ASSERT_TRUE(torch.ok());
  EXPECT_TRUE(torch->fault_inject);
  EXPECT_EQ(torch->env, "torch1.13");
  EXPECT_EQ(torch->def->name, "torch.onnx@1.13");
  StatusOr<Resolved> timm = Resolve("fault-inject:raise", Parse("timm:resnet18"));
  ASSERT_TRUE(timm.ok());
  EXPECT_EQ(timm->def->name, "torch.onnx.dynamo");
  StatusOr<Resolved> tf = Resolve("fault-inject:perturb-weight", Parse("keras:ResNet50"));
  ASSERT_TRUE(tf.ok());
  EXPECT_EQ(tf->env, "tf2");
  EXPECT_EQ(tf->def->name, "tf2onnx");
  EXPECT_EQ(Resolve("fault-inject:explode", Parse("keras:ResNet50")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ConverterTest, OpsetsOutOfRangeAreUsageErrorsWithTheConvertersNote) {
  Resolved tf = *Resolve("tf2onnx", Parse("keras:ResNet50"));
  EXPECT_TRUE(CheckOpset(tf, 18).ok());
  Status high = CheckOpset(tf, 19);
  EXPECT_EQ(high.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(high.message().find("writes opsets 13 to 18"), std::string::npos) << high.message();
  EXPECT_FALSE(CheckOpset(*Resolve("torch.onnx@1.13", Parse("torchvision:a")), 18).ok());
}

TEST(ConverterTest, OptionsHaveOneSerialization) {
  const ConverterDef& def = TorchOnnx113Def();
  OptionValues values(def);
  EXPECT_EQ(values.Canonical(), "constant_folding=true,dynamic_batch=false,mode=trace");
  ASSERT_TRUE(values.Set(def, "mode", "script").ok());
  ASSERT_TRUE(values.Set(def, "constant_folding", "false").ok());
  EXPECT_EQ(values.Canonical(), "constant_folding=false,dynamic_batch=false,mode=script");
  EXPECT_EQ(
      values.ToJson(),
      nlohmann::json({{"constant_folding", false}, {"dynamic_batch", false}, {"mode", "script"}}));
  EXPECT_EQ(values.ToFlags(def), (std::vector<std::string>{"--no-constant-folding", "--script"}));
  // Round trips: canonical text and JSON read back to the same values.
  EXPECT_EQ(ParseCanonicalOptions(def, values.Canonical())->Canonical(), values.Canonical());
  EXPECT_EQ(OptionsFromJson(def, values.ToJson())->Canonical(), values.Canonical());
  // Missing keys take their defaults; unknown keys and bad values are errors.
  EXPECT_EQ(ParseCanonicalOptions(def, "mode=script")->Canonical(),
            "constant_folding=true,dynamic_batch=false,mode=script");
  EXPECT_FALSE(ParseCanonicalOptions(def, "optimize=false").ok());
  Status bad = values.Set(def, "mode", "compile");
  EXPECT_NE(bad.message().find("expected trace|script"), std::string::npos) << bad.message();
}

TEST(ConverterTest, OptionsWithoutAFlagValueUseConverterOption) {
  const ConverterDef& def = Tf2onnxDef();
  OptionValues values(def);
  ASSERT_TRUE(values.Set(def, "route", "saved_model").ok());
  EXPECT_EQ(values.ToFlags(def), std::vector<std::string>{"--saved-model"});
}

TEST(ConverterTest, OptionFlagsAreListedOnce) {
  int dynamic_batch = 0;
  for (const OptionDef* option : AllOptionFlags()) {
    if (option->flag == "--dynamic-batch") ++dynamic_batch;
  }
  EXPECT_EQ(dynamic_batch, 1);
}


// The ONNX-to-ONNX tools take ONNX files only, and ONNX files go to them only.
class OnnxToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/converter_test_model.onnx";
    std::ofstream(path_) << "not read here";
  }
  std::string path_;
};

TEST_F(OnnxToolTest, TheToolsRunInTheOnnxEnvironmentOnOnnxSources) {
  for (const char* name : {"onnx.version_converter", "ort.optimizer", "onnxsim", "onnxoptimizer"}) {
    StatusOr<Resolved> r = Resolve(name, Parse("onnx:" + path_));
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(r->env, "onnx") << name;
    EXPECT_EQ(r->def->framework, sources::Framework::kOnnx) << name;
  }
  EXPECT_EQ(DefaultConverterFor(Parse("onnx:" + path_)), "onnxsim");
}

TEST_F(OnnxToolTest, FrameworksDoNotMix) {
  StatusOr<Resolved> r = Resolve("onnxsim", Parse("torchvision:resnet18"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("converts ONNX models"), std::string::npos)
      << r.status().message();
  r = Resolve("torch.onnx.dynamo", Parse("onnx:" + path_));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is an ONNX model"), std::string::npos)
      << r.status().message();
  // Hugging Face sources are torch or TensorFlow, never ONNX.
  EXPECT_FALSE(Resolve("onnxoptimizer", Parse("hf:bert")).ok());
}

TEST_F(OnnxToolTest, DoublesOnOnnxSourcesWrapTheVersionConverter) {
  StatusOr<Resolved> r = Resolve("fault-inject:perturb-weight", Parse("onnx:" + path_));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->env, "onnx");
  EXPECT_EQ(r->def->name, "onnx.version_converter");
  EXPECT_TRUE(r->fault_inject);
}

TEST_F(OnnxToolTest, OpsetsAreTheTargetForTheVersionConverterAndUnusedOtherwise) {
  StatusOr<Resolved> vc = Resolve("onnx.version_converter", Parse("onnx:" + path_));
  ASSERT_TRUE(vc.ok());
  EXPECT_TRUE(CheckOpset(*vc, 13).ok());
  EXPECT_TRUE(CheckOpset(*vc, 21).ok());
  EXPECT_FALSE(CheckOpset(*vc, 6).ok());
  StatusOr<Resolved> sim = Resolve("onnxsim", Parse("onnx:" + path_));
  ASSERT_TRUE(sim.ok());
  EXPECT_TRUE(CheckOpset(*sim, sim->def->default_opset).ok());
  Status refused = CheckOpset(*sim, 17);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("keeps the model's own opset"), std::string::npos)
      << refused.message();
}

TEST_F(OnnxToolTest, OrtOptimizerLevelIsAChoice) {
  OptionValues values(OrtOptimizerDef());
  EXPECT_EQ(values.Get("level"), "basic");
  EXPECT_TRUE(values.Set(OrtOptimizerDef(), "level", "extended").ok());
  EXPECT_FALSE(values.Set(OrtOptimizerDef(), "level", "all").ok());
  EXPECT_EQ(values.ToFlags(OrtOptimizerDef()),
            (std::vector<std::string>{"--converter-option", "level=extended"}));
}

}  // namespace
}  // namespace convcheck::converters
