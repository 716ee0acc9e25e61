//===- sources/source.h - What a source argument names --------------------===//
//
// A source is the model a job converts: `torchvision:resnet18`, `keras:ResNet50`,
// `python:model.py`... The kinds are listed once in sources.def with the framework each builds
// and the Python environments that can build it. Parsing happens before any worker starts, so a
// bad source, or a TensorFlow model given to a torch converter, is a one-line usage error, not a
// job that fails after importing torch.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_SOURCES_SOURCE_H_
#define CONVCHECK_SOURCES_SOURCE_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace convcheck::sources {

/// What framework a model is written in. kEither: the kind exists in both (Hugging Face), and
/// the converter decides; kFromFile: a python file, read off its imports (kUnknown when they do
/// not tell); kOnnx: an ONNX model that an ONNX-to-ONNX tool transforms.
enum class Framework { kTorch, kTensorFlow, kEither, kFromFile, kUnknown, kOnnx };

std::string_view FrameworkName(Framework framework);  // "PyTorch", "TensorFlow", ...

enum class SourceKind {
#define CC_SOURCE(id, kind, framework, envs, help) id,
#include "sources/sources.def"
#undef CC_SOURCE
};

struct SourceKindDef {
  SourceKind id;
  std::string_view name;
  Framework framework;
  std::string_view envs;  // Comma list, in order of preference.
  std::string_view help;
};

std::span<const SourceKindDef> AllSourceKinds();
const SourceKindDef& GetSourceKind(SourceKind kind);

/// A parsed source.
struct Source {
  const SourceKindDef* kind = nullptr;
  std::string text;  // Canonical: python: and savedmodel: paths made absolute.
  std::string rest;  // After "kind:".
  Framework framework = Framework::kUnknown;  // Never kFromFile: resolved here.
  /// Environments that can build it, in order of preference.
  std::vector<std::string> Envs() const;
};

/// Parses and checks a source argument: InvalidArgument for an unknown kind or an empty name,
/// NotFound for a missing file or folder. python: files have their framework read off their
/// imports.
StatusOr<Source> ParseSource(const std::string& text);

/// "torch", "tensorflow" or "" from a python file's import lines.
Framework SniffPythonFramework(std::string_view code);

/// "torchvision:NAME, timm:NAME, ..." for messages.
std::string KnownKinds();

}  // namespace convcheck::sources

#endif  // CONVCHECK_SOURCES_SOURCE_H_
