#include "gen/graph.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace convcheck::gen {

int64_t ValueInfo::NumElements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

double ValueInfo::Magnitude() const { return std::max(std::fabs(range.lo), std::fabs(range.hi)); }

int64_t AttrInt(const Attrs& attrs, const std::string& name, int64_t fallback) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return fallback;
  if (const auto* v = std::get_if<int64_t>(&it->second)) return *v;
  return fallback;
}

double AttrFloat(const Attrs& attrs, const std::string& name, double fallback) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return fallback;
  if (const auto* v = std::get_if<double>(&it->second)) return *v;
  if (const auto* v = std::get_if<int64_t>(&it->second)) return static_cast<double>(*v);
  return fallback;
}

std::string AttrString(const Attrs& attrs, const std::string& name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return "";
  if (const auto* v = std::get_if<std::string>(&it->second)) return *v;
  return "";
}

std::vector<int64_t> AttrInts(const Attrs& attrs, const std::string& name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return {};
  if (const auto* v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  return {};
}

std::vector<int> Graph::Params() const {
  std::vector<int> params;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].kind == ValueKind::kParam) params.push_back(static_cast<int>(i));
  }
  return params;
}

std::vector<std::vector<int>> Graph::Consumers() const {
  std::vector<std::vector<int>> consumers(values.size());
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (int v : nodes[n].inputs) {
      if (consumers[v].empty() || consumers[v].back() != static_cast<int>(n)) {
        consumers[v].push_back(static_cast<int>(n));
      }
    }
  }
  return consumers;
}

std::map<std::string, int64_t> Graph::OpCounts() const {
  std::map<std::string, int64_t> counts;
  for (const auto& node : nodes) ++counts[node.op];
  return counts;
}

namespace {

const char* KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kInput:
      return "input";
    case ValueKind::kParam:
      return "param";
    case ValueKind::kNode:
      return "node";
  }
  return "node";
}

nlohmann::json AttrToJson(const AttrValue& value) {
  // Tagged, so that 1.0 and 1 survive a round trip as the types they were.
  if (const auto* v = std::get_if<int64_t>(&value)) return {{"i", *v}};
  if (const auto* v = std::get_if<double>(&value)) return {{"f", *v}};
  if (const auto* v = std::get_if<std::string>(&value)) return {{"s", *v}};
  return {{"ints", std::get<std::vector<int64_t>>(value)}};
}

StatusOr<AttrValue> AttrFromJson(const nlohmann::json& json) {
  if (json.contains("i")) return AttrValue(json["i"].get<int64_t>());
  if (json.contains("f")) return AttrValue(json["f"].get<double>());
  if (json.contains("s")) return AttrValue(json["s"].get<std::string>());
  if (json.contains("ints")) return AttrValue(json["ints"].get<std::vector<int64_t>>());
  return InvalidArgument("attribute " + json.dump() + " has no i, f, s or ints");
}

}  // namespace

nlohmann::json ToJson(const Graph& graph) {
  nlohmann::json values = nlohmann::json::array();
  for (const auto& value : graph.values) {
    nlohmann::json v = {{"kind", KindName(value.kind)},
                        {"dtype", DataTypeName(value.info.dtype)},
                        {"shape", value.info.shape},
                        {"range", {value.info.range.lo, value.info.range.hi}},
                        {"may_tie", value.info.may_tie}};
    if (value.kind == ValueKind::kParam) v["fill"] = value.fill;
    values.push_back(std::move(v));
  }
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& node : graph.nodes) {
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& [name, value] : node.attrs) attrs[name] = AttrToJson(value);
    nodes.push_back(
        {{"op", node.op}, {"inputs", node.inputs}, {"outputs", node.outputs}, {"attrs", attrs}});
  }
  return {{"format", "convcheck-graph-1"},
          {"seed", graph.seed},
          {"values", values},
          {"nodes", nodes},
          {"inputs", graph.inputs},
          {"outputs", graph.outputs}};
}

StatusOr<Graph> GraphFromJson(const nlohmann::json& json) {
  try {
    if (json.value("format", "") != "convcheck-graph-1") {
      return InvalidArgument("not a convcheck graph (format is not convcheck-graph-1)");
    }
    Graph graph;
    graph.seed = json.value("seed", uint64_t{0});
    for (const auto& v : json.at("values")) {
      Value value;
      std::string kind = v.at("kind").get<std::string>();
      if (kind == "input") {
        value.kind = ValueKind::kInput;
      } else if (kind == "param") {
        value.kind = ValueKind::kParam;
        value.fill = v.value("fill", uint64_t{0});
      } else if (kind == "node") {
        value.kind = ValueKind::kNode;
      } else {
        return InvalidArgument("value " + std::to_string(graph.values.size()) +
                               " has unknown kind '" + kind + "'");
      }
      std::optional<DataType> dtype = DataTypeFromName(v.at("dtype").get<std::string>());
      if (!dtype) return InvalidArgument("value has unknown dtype " + v.at("dtype").dump());
      value.info.dtype = *dtype;
      value.info.shape = v.at("shape").get<std::vector<int64_t>>();
      value.info.range = {v.at("range").at(0).get<double>(), v.at("range").at(1).get<double>()};
      value.info.may_tie = v.value("may_tie", false);
      graph.values.push_back(std::move(value));
    }
    const int num_values = static_cast<int>(graph.values.size());
    auto check_id = [&](int id, const std::string& where) -> Status {
      if (id < 0 || id >= num_values) {
        return InvalidArgument(where + " refers to value " + std::to_string(id) + " of " +
                               std::to_string(num_values));
      }
      return Status::Ok();
    };
    std::vector<bool> defined(num_values, false);
    for (int i = 0; i < num_values; ++i) defined[i] = graph.values[i].kind != ValueKind::kNode;
    for (const auto& n : json.at("nodes")) {
      Node node;
      node.op = n.at("op").get<std::string>();
      node.inputs = n.at("inputs").get<std::vector<int>>();
      node.outputs = n.at("outputs").get<std::vector<int>>();
      const std::string where = "node " + std::to_string(graph.nodes.size()) + " (" + node.op + ")";
      for (const auto& [name, value] : n.at("attrs").items()) {
        CC_ASSIGN_OR_RETURN(node.attrs[name], AttrFromJson(value));
      }
      for (int v : node.inputs) {
        CC_RETURN_IF_ERROR(check_id(v, where));
        if (!defined[v])
          return InvalidArgument(where + " reads value " + std::to_string(v) +
                                 " before it is computed");
      }
      for (int v : node.outputs) {
        CC_RETURN_IF_ERROR(check_id(v, where));
        if (defined[v])
          return InvalidArgument(where + " writes value " + std::to_string(v) + " a second time");
        defined[v] = true;
        graph.values[v].producer = static_cast<int>(graph.nodes.size());
      }
      graph.nodes.push_back(std::move(node));
    }
    graph.inputs = json.at("inputs").get<std::vector<int>>();
    graph.outputs = json.at("outputs").get<std::vector<int>>();
    for (int v : graph.inputs) {
      CC_RETURN_IF_ERROR(check_id(v, "the inputs"));
      if (graph.values[v].kind != ValueKind::kInput) {
        return InvalidArgument("model input " + std::to_string(v) + " is not an input value");
      }
    }
    for (int v : graph.outputs) {
      CC_RETURN_IF_ERROR(check_id(v, "the outputs"));
      if (!defined[v]) return InvalidArgument("output " + std::to_string(v) + " is never computed");
    }
    if (graph.outputs.empty()) return InvalidArgument("the graph has no outputs");
    return graph;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed graph: ") + e.what());
  }
}

StatusOr<Graph> LoadGraph(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("graph file '" + path + "' cannot be read");
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgument("graph file '" + path + "' is not JSON");
  StatusOr<Graph> graph = GraphFromJson(json);
  if (!graph.ok()) return InvalidArgument("graph file '" + path + "': " + graph.status().message());
  return graph;
}

Status SaveGraph(const Graph& graph, const std::string& path) {
  std::ofstream out(path);
  out << ToJson(graph).dump(1) << "\n";
  if (!out) return Internal("cannot write '" + path + "'");
  return Status::Ok();
}

uint32_t FillHash(uint64_t seed, uint64_t index) {
  // Every product stays below 2^63, so python's int64 tensor arithmetic gives the same bits.
  const int64_t kMod = 2147483648;
  const int64_t s = static_cast<int64_t>((seed ^ (seed >> 31)) % kMod);
  int64_t x = (static_cast<int64_t>(index) * 2654435761LL + s * 40503 + 12345) % kMod;
  x ^= x >> 13;
  x = (x * 1103515245LL + 12345) % kMod;
  x ^= x >> 16;
  x = (x * 1664525LL + 1013904223LL) % kMod;
  return static_cast<uint32_t>(x);
}

std::vector<float> FillFloat(uint64_t seed, int64_t count, double lo, double hi) {
  std::vector<float> values(count);
  const double width = hi - lo;
  for (int64_t i = 0; i < count; ++i) {
    double u = static_cast<double>(FillHash(seed, i)) / 2147483648.0;
    values[i] = static_cast<float>(lo + width * u);
  }
  return values;
}

std::vector<int64_t> FillInt(uint64_t seed, int64_t count, int64_t lo, int64_t hi) {
  std::vector<int64_t> values(count);
  const int64_t n = hi - lo + 1;
  for (int64_t i = 0; i < count; ++i) values[i] = lo + FillHash(seed, i) % n;
  return values;
}

}  // namespace convcheck::gen
