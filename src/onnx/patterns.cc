#include "onnx/patterns.h"

#include <algorithm>
#include <unordered_map>

namespace convcheck::onnxio {

namespace {

struct Walker {
  const std::vector<std::string>& ops;
  const std::vector<std::vector<int>>& successors;
  int min_n, max_n;
  int64_t budget;
  std::map<std::string, int64_t> patterns;

  // Extends the path ending at `node`, whose pattern text is `text` and length `length`.
  void Walk(int node, const std::string& text, int length) {
    if (budget <= 0) return;
    if (length >= min_n) {
      ++patterns[text];
      --budget;
    }
    if (length == max_n) return;
    for (int next : successors[static_cast<size_t>(node)]) {
      Walk(next, text + "->" + ops[static_cast<size_t>(next)], length + 1);
    }
  }
};

void GraphPatterns(const onnx::GraphProto& graph, int min_n, int max_n,
                   std::map<std::string, int64_t>& out) {
  std::vector<std::string> ops;
  std::unordered_map<std::string, int> producer;
  for (const onnx::NodeProto& node : graph.node()) {
    const bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
    ops.push_back(default_domain ? node.op_type() : node.domain() + ":" + node.op_type());
    for (const std::string& output : node.output()) {
      if (!output.empty()) producer[output] = static_cast<int>(ops.size()) - 1;
    }
  }
  std::vector<std::vector<int>> successors(ops.size());
  int index = 0;
  for (const onnx::NodeProto& node : graph.node()) {
    for (const std::string& input : node.input()) {
      auto it = producer.find(input);
      if (it == producer.end() || it->second == index) continue;
      std::vector<int>& next = successors[static_cast<size_t>(it->second)];
      if (std::find(next.begin(), next.end(), index) == next.end()) next.push_back(index);
    }
    ++index;
  }
  for (const auto& [pattern, count] : PathPatterns(ops, successors, min_n, max_n)) {
    out[pattern] += count;
  }
  for (const onnx::NodeProto& node : graph.node()) {
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.has_g()) GraphPatterns(attribute.g(), min_n, max_n, out);
      for (const onnx::GraphProto& subgraph : attribute.graphs()) {
        GraphPatterns(subgraph, min_n, max_n, out);
      }
    }
  }
}

}  // namespace

std::map<std::string, int64_t> PathPatterns(const std::vector<std::string>& ops,
                                            const std::vector<std::vector<int>>& successors,
                                            int min_n, int max_n, int64_t max_paths) {
  Walker walker{ops, successors, std::max(min_n, 1), max_n, max_paths, {}};
  for (size_t node = 0; node < ops.size() && node < successors.size(); ++node) {
    walker.Walk(static_cast<int>(node), ops[node], 1);
  }
  return std::move(walker.patterns);
}

int PatternLength(std::string_view pattern) {
  int n = 1;
  for (size_t pos = pattern.find("->"); pos != std::string_view::npos;
       pos = pattern.find("->", pos + 2)) {
    ++n;
  }
  return n;
}

std::map<std::string, int64_t> ModelPatterns(const onnx::ModelProto& model, int min_n, int max_n) {
  std::map<std::string, int64_t> patterns;
  GraphPatterns(model.graph(), min_n, max_n, patterns);
  return patterns;
}

}  // namespace convcheck::onnxio
