#include "campaign/patterns.h"

#include <algorithm>
#include <filesystem>

#include "gen/graph.h"
#include "onnx/patterns.h"

namespace convcheck::campaign {

std::string GeneratedGraphPath(const std::string& source) {
  const std::string prefix = "python:";
  if (source.rfind(prefix, 0) != 0 || source.size() < prefix.size() + 3 ||
      source.compare(source.size() - 3, 3, ".py") != 0) {
    return "";
  }
  return source.substr(prefix.size(), source.size() - prefix.size() - 3) + ".json";
}

StatusOr<std::map<std::string, int64_t>> GeneratedSourcePatterns(const std::string& source) {
  const std::string path = GeneratedGraphPath(source);
  if (path.empty()) return InvalidArgument("source '" + source + "' is not a generated model");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFound("graph file '" + path + "' of source '" + source + "' does not exist");
  }
  CC_ASSIGN_OR_RETURN(gen::Graph graph, gen::LoadGraph(path));
  std::vector<std::string> ops;
  for (const gen::Node& node : graph.nodes) ops.push_back(node.op);
  // Consumers() is per value; the pattern walk wants, per node, the nodes reading its outputs.
  const std::vector<std::vector<int>> consumers = graph.Consumers();
  std::vector<std::vector<int>> successors(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (int value : graph.nodes[i].outputs) {
      for (int reader : consumers[static_cast<size_t>(value)]) {
        std::vector<int>& next = successors[i];
        if (std::find(next.begin(), next.end(), reader) == next.end()) next.push_back(reader);
      }
    }
  }
  return onnxio::PathPatterns(ops, successors, 1, 3);
}

}  // namespace convcheck::campaign
