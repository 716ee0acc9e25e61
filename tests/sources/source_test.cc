#include "sources/source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace convcheck::sources {
namespace {

namespace fs = std::filesystem;

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(SourceTest, ParsesNamedKindsWithTheirFramework) {
  StatusOr<Source> tv = ParseSource("torchvision:resnet18");
  ASSERT_TRUE(tv.ok()) << tv.status().ToString();
  EXPECT_EQ(tv->kind->id, SourceKind::kTorchvision);
  EXPECT_EQ(tv->framework, Framework::kTorch);
  EXPECT_EQ(tv->text, "torchvision:resnet18");
  EXPECT_EQ(ParseSource("keras:ResNet50")->framework, Framework::kTensorFlow);
  EXPECT_EQ(ParseSource("hf:bert")->framework, Framework::kEither);
  EXPECT_EQ(ParseSource("timm:resnet18")->Envs(), std::vector<std::string>{"torch2"});
  EXPECT_EQ(ParseSource("hf:bert")->Envs(), (std::vector<std::string>{"torch2", "tf2"}));
}

TEST(SourceTest, RejectsUnknownKindsAndEmptyNames) {
  StatusOr<Source> unknown = ParseSource("tensorflow:resnet");
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("keras:NAME"), std::string::npos);
  EXPECT_EQ(ParseSource("resnet18").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ParseSource("timm:").status().message().find("no model name"), std::string::npos);
}

TEST(SourceTest, PythonFilesAreMadeAbsoluteAndSniffed) {
  const std::string torch_file =
      WriteFile("torch_model.py", "import torch\nfrom torch import nn\n");
  StatusOr<Source> torch = ParseSource("python:" + torch_file);
  ASSERT_TRUE(torch.ok());
  EXPECT_EQ(torch->framework, Framework::kTorch);
  EXPECT_TRUE(fs::path(torch->rest).is_absolute());
  const std::string tf_file =
      WriteFile("tf_model.py", "import numpy as np\nimport tensorflow as tf\nimport keras\n");
  EXPECT_EQ(ParseSource("python:" + tf_file)->framework, Framework::kTensorFlow);
  const std::string plain = WriteFile("plain_model.py", "def make_model():\n    return None\n");
  EXPECT_EQ(ParseSource("python:" + plain)->framework, Framework::kUnknown);
  EXPECT_EQ(ParseSource("python:/nonexistent/x.py").status().code(), StatusCode::kNotFound);
}

TEST(SourceTest, SniffingReadsImportLinesOnly) {
  EXPECT_EQ(SniffPythonFramework("    import torch.nn as nn\n"), Framework::kTorch);
  EXPECT_EQ(SniffPythonFramework("from keras import layers"), Framework::kTensorFlow);
  // A mention in a comment or a string is not an import; both frameworks is undecided.
  EXPECT_EQ(SniffPythonFramework("# uses torch\nx = 'import torch'\n"), Framework::kUnknown);
  EXPECT_EQ(SniffPythonFramework("import torch\nimport tensorflow\n"), Framework::kUnknown);
  EXPECT_EQ(SniffPythonFramework("import torchvision\n"), Framework::kUnknown);
}

TEST(SourceTest, SavedModelNeedsAFolderWithSavedModelPb) {
  const std::string dir = ::testing::TempDir() + "/saved_model_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  EXPECT_EQ(ParseSource("savedmodel:" + dir).status().code(), StatusCode::kInvalidArgument);
  std::ofstream(dir + "/saved_model.pb") << "x";
  StatusOr<Source> saved = ParseSource("savedmodel:" + dir);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->framework, Framework::kTensorFlow);
  EXPECT_EQ(ParseSource("savedmodel:/nonexistent").status().code(), StatusCode::kNotFound);
}

TEST(SourceTest, OnnxFilesAreMadeAbsoluteAndBuiltInTheOnnxEnvironment) {
  const std::string path = WriteFile("source_test_model.onnx", "x");
  fs::current_path(::testing::TempDir());
  StatusOr<Source> onnx = ParseSource("onnx:source_test_model.onnx");
  ASSERT_TRUE(onnx.ok()) << onnx.status().ToString();
  EXPECT_EQ(onnx->framework, Framework::kOnnx);
  EXPECT_EQ(onnx->text, "onnx:" + fs::path(path).lexically_normal().string());
  EXPECT_EQ(onnx->Envs(), std::vector<std::string>{"onnx"});
  EXPECT_EQ(FrameworkName(Framework::kOnnx), "ONNX");
  EXPECT_EQ(ParseSource("onnx:/nonexistent.onnx").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseSource("onnx:" + ::testing::TempDir()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace convcheck::sources
