#include "sources/source.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace convcheck::sources {
namespace {

namespace fs = std::filesystem;

constexpr SourceKindDef kKinds[] = {
#define CC_SOURCE(id, kind, framework, envs, help) \
  {SourceKind::id, kind, Framework::framework, envs, help},
#include "sources/sources.def"
#undef CC_SOURCE
};

StatusOr<std::string> AbsolutePath(const std::string& source, const std::string& rest) {
  std::error_code ec;
  fs::path path = fs::absolute(rest, ec);
  if (rest.empty() || ec) return InvalidArgument("source '" + source + "': no path given");
  return path.lexically_normal().string();
}

// The absolute path of a file that exists: NotFound, or InvalidArgument for a folder.
StatusOr<std::string> ExistingFile(const std::string& source, const std::string& rest) {
  CC_ASSIGN_OR_RETURN(std::string path, AbsolutePath(source, rest));
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound("source '" + source + "': no such file");
  if (!fs::is_regular_file(path, ec)) return InvalidArgument("source '" + source + "': not a file");
  return path;
}

}  // namespace

std::string_view FrameworkName(Framework framework) {
  switch (framework) {
    case Framework::kTorch:
      return "PyTorch";
    case Framework::kTensorFlow:
      return "TensorFlow";
    case Framework::kEither:
      return "PyTorch or TensorFlow";
    case Framework::kOnnx:
      return "ONNX";
    case Framework::kFromFile:
    case Framework::kUnknown:
      break;
  }
  return "unknown";
}

std::span<const SourceKindDef> AllSourceKinds() { return kKinds; }

const SourceKindDef& GetSourceKind(SourceKind kind) { return kKinds[static_cast<int>(kind)]; }

std::string KnownKinds() {
  std::string known;
  for (const SourceKindDef& kind : kKinds) {
    known += (known.empty() ? "" : ", ") + std::string(kind.name) +
             (kind.id == SourceKind::kPython       ? ":FILE.py"
              : kind.id == SourceKind::kOnnx       ? ":FILE.onnx"
              : kind.id == SourceKind::kSavedModel ? ":DIR"
                                                   : ":NAME");
  }
  return known;
}

std::vector<std::string> Source::Envs() const {
  std::vector<std::string> envs;
  std::stringstream list{std::string(kind->envs)};
  std::string env;
  while (std::getline(list, env, ',')) envs.push_back(env);
  return envs;
}

Framework SniffPythonFramework(std::string_view code) {
  // Import lines at any indentation: `import torch`, `from torch import nn`, `import torch.nn`.
  static const std::regex kTorch(R"((^|\n)[ \t]*(import|from)[ \t]+torch(\.|[ \t]|,|\n|$))");
  static const std::regex kTf(
      R"((^|\n)[ \t]*(import|from)[ \t]+(tensorflow|keras|tf_keras)(\.|[ \t]|,|\n|$))");
  const std::string text(code);
  const bool torch = std::regex_search(text, kTorch);
  const bool tf = std::regex_search(text, kTf);
  if (torch == tf) return Framework::kUnknown;
  return torch ? Framework::kTorch : Framework::kTensorFlow;
}

StatusOr<Source> ParseSource(const std::string& text) {
  const size_t colon = text.find(':');
  const std::string kind_name = colon == std::string::npos ? "" : text.substr(0, colon);
  Source source;
  for (const SourceKindDef& kind : kKinds) {
    if (kind.name == kind_name) source.kind = &kind;
  }
  if (source.kind == nullptr) {
    return InvalidArgument("source '" + text + "': unknown kind (expected " + KnownKinds() + ")");
  }
  source.rest = text.substr(colon + 1);
  source.framework = source.kind->framework;
  switch (source.kind->id) {
    case SourceKind::kPython: {
      CC_ASSIGN_OR_RETURN(std::string path, ExistingFile(text, source.rest));
      std::ifstream in(path);
      std::ostringstream code;
      code << in.rdbuf();
      source.framework = SniffPythonFramework(code.str());
      source.rest = path;
      break;
    }
    case SourceKind::kOnnx: {
      CC_ASSIGN_OR_RETURN(source.rest, ExistingFile(text, source.rest));
      break;
    }
    case SourceKind::kSavedModel: {
      CC_ASSIGN_OR_RETURN(std::string path, AbsolutePath(text, source.rest));
      std::error_code ec;
      if (!fs::is_directory(path, ec)) {
        return NotFound("source '" + text + "': no such folder");
      }
      if (!fs::exists(path + "/saved_model.pb", ec)) {
        return InvalidArgument("source '" + text + "': no saved_model.pb in the folder");
      }
      source.rest = path;
      break;
    }
    default:
      if (source.rest.empty()) {
        return InvalidArgument("source '" + text + "': no model name after '" + kind_name + ":'");
      }
      break;
  }
  source.text = std::string(source.kind->name) + ":" + source.rest;
  return source;
}

}  // namespace convcheck::sources
