#include "campaign/signature.h"

#include <regex>

namespace convcheck::campaign {

namespace {

std::string FirstMatch(const std::string& text, const std::regex& pattern) {
  std::smatch match;
  if (std::regex_search(text, match, pattern) && match.size() > 1) return match[1].str();
  return "";
}

}  // namespace

std::string FailingOp(const pipeline::JobResult& result) {
  using oracle::Verdict;
  // torch.onnx: "Exporting the operator aten::zero to ONNX opset version 17 is not supported",
  // "... aten::foo ..." in other symbolic errors.
  static const std::regex kAtenOp(R"(((?:aten|prim|quantized|onnx)::[A-Za-z_0-9]+))");
  // ONNX Runtime: "Could not find an implementation for Relu(14) node with name '...'".
  static const std::regex kOrtOp(R"(implementation for ([A-Za-z_0-9]+)\()");
  // Our interpreter and ORT name the node's op type in parentheses: "node 'x' (Conv): ...".
  static const std::regex kParenOp(R"(\(([A-Z][A-Za-z0-9]+)\))");
  if (result.verdict == Verdict::kInvalidModel) {
    std::string op = FirstMatch(result.node, kParenOp);
    if (!op.empty()) return op;
  }
  // torch.onnx's SymbolicValueError: "Unsupported: ONNX export of operator adaptive_avg_pool2d,
  // input size not accessible" also names the node the input came from (onnx::Pad, onnx::Min..),
  // which differs from model to model for one bug: the operator being exported comes first.
  static const std::regex kExportOf(R"(ONNX export of operator ([A-Za-z_0-9]+))");
  // ONNX Runtime at run time: "Non-zero status code returned while running Split node".
  static const std::regex kOrtRunning(R"(while running ([A-Za-z_0-9]+) node)");
  if (result.verdict == Verdict::kConverterCrash || result.verdict == Verdict::kConverterTimeout) {
    std::string op = FirstMatch(result.error, kExportOf);
    if (!op.empty()) return "aten::" + op;
    return FirstMatch(result.error, kAtenOp);
  }
  for (const auto& backend : result.backends) {
    if (backend.verdict != result.verdict || backend.error.empty()) continue;
    std::string op = FirstMatch(backend.error, kOrtOp);
    if (op.empty()) op = FirstMatch(backend.error, kOrtRunning);
    if (op.empty()) op = FirstMatch(backend.error, kParenOp);
    if (!op.empty()) return op;
  }
  return "";
}

std::string NormalizeMessage(const std::string& message) {
  // Quoted names, paths, hex addresses and numbers differ from model to model for one bug.
  static const std::regex kQuoted(R"('[^']*'|"[^"]*")");
  static const std::regex kPath(R"((/[A-Za-z0-9_.+-]+)+)");
  static const std::regex kHex(R"(0x[0-9a-fA-F]+)");
  static const std::regex kNumber(R"([0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  std::string text = std::regex_replace(message, kQuoted, "'_'");
  text = std::regex_replace(text, kPath, "PATH");
  text = std::regex_replace(text, kHex, "ADDR");
  text = std::regex_replace(text, kNumber, "N");
  return text.substr(0, 200);
}

bool IsFailure(const pipeline::JobResult& result) {
  return result.verdict != oracle::Verdict::kPass;
}

std::string FailureSignature(const pipeline::JobResult& result) {
  if (!IsFailure(result)) return "";
  const std::string verdict(oracle::VerdictName(result.verdict));
  // The pipeline's signature is already normalised where a tool gave one (torch.onnx errors,
  // engine codes); where it is only the verdict's name, the message itself tells bugs apart.
  std::string message = result.signature;
  if (message.empty() || message == verdict) message = NormalizeMessage(result.error);
  std::string signature =
      verdict + "|" + result.subtype + "|" + result.stage + "|" + message + "|" + FailingOp(result);
  // The same symptom through two converters is two bugs (or one bug reported to two projects):
  // groups are per converter. Older campaigns (torch 1.13 only) keep their signatures.
  if (!result.converter.name.empty() && result.converter.name != "torch.onnx@1.13") {
    signature += "|converter=" + result.converter.name;
  }
  return signature;
}

}  // namespace convcheck::campaign
