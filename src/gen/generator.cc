#include "gen/generator.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

namespace convcheck::gen {

namespace {

Status CheckOutput(const ValueInfo& info, const Limits& limits) {
  if (info.rank() > limits.max_rank) return InvalidArgument("rank above the limit");
  for (int64_t d : info.shape) {
    if (d < 1) return InvalidArgument("empty dimension");
  }
  if (info.NumElements() > limits.max_elements) return InvalidArgument("too many elements");
  if (!std::isfinite(info.range.lo) || !std::isfinite(info.range.hi) ||
      info.range.lo > info.range.hi) {
    return InvalidArgument("bad range");
  }
  if (info.dtype == DataType::kFloat32 && info.Magnitude() > limits.max_magnitude) {
    return InvalidArgument("values may leave the safe range");
  }
  return Status::Ok();
}

// Adds the proposal to the graph if its rule accepts it; returns false (graph unchanged)
// otherwise.
bool TryAdd(Graph& graph, const OpSpec& op, const Proposal& proposal, const Limits& limits,
            uint64_t seed) {
  std::vector<ValueInfo> in;
  for (const auto& operand : proposal.operands) {
    if (operand.kind == Operand::Kind::kValue) {
      if (operand.value < 0 || operand.value >= static_cast<int>(graph.values.size())) return false;
      in.push_back(graph.values[operand.value].info);
    } else {
      if (!CheckOutput(operand.info, limits).ok()) return false;
      in.push_back(operand.info);
    }
  }
  StatusOr<std::vector<ValueInfo>> out = op.infer(in, proposal.attrs);
  if (!out.ok() || out->empty()) return false;
  for (const auto& info : *out) {
    if (!CheckOutput(info, limits).ok()) return false;
  }
  Node node;
  node.op = op.name;
  node.attrs = proposal.attrs;
  for (const auto& operand : proposal.operands) {
    if (operand.kind == Operand::Kind::kValue) {
      node.inputs.push_back(operand.value);
      continue;
    }
    Value value;
    value.info = operand.info;
    const int id = static_cast<int>(graph.values.size());
    if (operand.kind == Operand::Kind::kNewInput) {
      value.kind = ValueKind::kInput;
      graph.inputs.push_back(id);
    } else {
      value.kind = ValueKind::kParam;
      value.fill = seed * 1000003 + static_cast<uint64_t>(id);
    }
    graph.values.push_back(std::move(value));
    node.inputs.push_back(id);
  }
  for (auto& info : *out) {
    Value value;
    value.kind = ValueKind::kNode;
    value.info = std::move(info);
    value.producer = static_cast<int>(graph.nodes.size());
    node.outputs.push_back(static_cast<int>(graph.values.size()));
    graph.values.push_back(std::move(value));
  }
  graph.nodes.push_back(std::move(node));
  return true;
}

// Outputs are the node results nobody reads: no dead code, and every node's result is
// compared. Inputs nobody reads are dropped (torch.onnx drops them from the graph too).
void FinishGraph(Graph& graph) {
  std::vector<std::vector<int>> consumers = graph.Consumers();
  graph.outputs.clear();
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (graph.values[v].kind == ValueKind::kNode && consumers[v].empty()) {
      graph.outputs.push_back(static_cast<int>(v));
    }
  }
  std::vector<int> inputs;
  for (int v : graph.inputs) {
    if (!consumers[v].empty()) inputs.push_back(v);
  }
  graph.inputs = inputs;
}

// Whether the proposed node can be written for TensorFlow: some attributes have no TensorFlow
// form (ops_tf.cc says so by an empty expression).
bool HasTensorFlowForm(const Graph& graph, const OpSpec& op, const Proposal& proposal) {
  if (!op.tf) return false;
  std::vector<std::string> names;
  std::vector<ValueInfo> in;
  for (const Operand& operand : proposal.operands) {
    names.push_back("x" + std::to_string(names.size()));
    in.push_back(operand.kind == Operand::Kind::kValue ? graph.values[operand.value].info
                                                       : operand.info);
  }
  return !op.tf(names, proposal.attrs, in).empty();
}

}  // namespace

StatusOr<std::vector<const OpSpec*>> SelectOps(const GenOptions& options) {
  std::set<std::string> known;
  for (const auto& op : Catalog()) {
    known.insert(op.name);
    known.insert(op.family);
  }
  for (const auto* list : {&options.include, &options.exclude}) {
    for (const auto& name : *list) {
      if (!known.count(name)) {
        return InvalidArgument("unknown operator or family '" + name +
                               "' (convcheck gen --list-ops lists them)");
      }
    }
  }
  auto listed = [](const std::vector<std::string>& list, const OpSpec& op) {
    return std::find(list.begin(), list.end(), op.name) != list.end() ||
           std::find(list.begin(), list.end(), op.family) != list.end();
  };
  std::vector<const OpSpec*> ops;
  for (const auto& op : Catalog()) {
    if (!options.include.empty() && !listed(options.include, op)) continue;
    if (listed(options.exclude, op)) continue;
    if (options.tensorflow && !op.tf) continue;
    ops.push_back(&op);
  }
  if (ops.empty()) {
    return InvalidArgument(options.tensorflow ? "the operator lists leave no operator with a "
                                                "TensorFlow form to generate"
                                              : "the operator lists leave no operator to generate");
  }
  return ops;
}

Status ParseNodeRange(const std::string& text, GenOptions& options) {
  static const std::regex kRange(R"((\d{1,6})(?:\.\.(\d{1,6}))?)");
  std::smatch match;
  if (!std::regex_match(text, match, kRange)) {
    return InvalidArgument("--nodes '" + text + "': expected MIN..MAX or N, e.g. 5..30");
  }
  options.min_nodes = std::stoll(match[1]);
  options.max_nodes = match[2].matched ? std::stoll(match[2]) : options.min_nodes;
  if (options.min_nodes < 1 || options.max_nodes < options.min_nodes || options.max_nodes > 1000) {
    return InvalidArgument("--nodes '" + text + "': need 1 <= MIN <= MAX <= 1000");
  }
  return Status::Ok();
}

StatusOr<Graph> Generate(uint64_t seed, const GenOptions& options,
                         const std::map<std::string, int64_t>* coverage) {
  CC_ASSIGN_OR_RETURN(std::vector<const OpSpec*> ops, SelectOps(options));
  Rng rng(seed);
  Graph graph;
  graph.seed = seed;
  const int64_t target = rng.Int(options.min_nodes, options.max_nodes);

  {
    // The first input: rank 1 to 4, favouring 2 to 4 where most operators apply.
    std::vector<int> candidates;
    ProposeContext ctx(graph, rng, options.limits, candidates);
    const int64_t rank = rng.Chance(0.15) ? 1 : rng.Int(2, 4);
    Value input;
    input.kind = ValueKind::kInput;
    input.info = ProposeContext::Float(ctx.RandomShape(rank), -1, 1);
    graph.values.push_back(input);
    graph.inputs.push_back(0);
  }

  std::map<std::string, int64_t> used;  // In this graph.
  const int64_t max_attempts = target * 60 + 200;
  for (int64_t attempt = 0;
       attempt < max_attempts && static_cast<int64_t>(graph.nodes.size()) < target; ++attempt) {
    // Weighted choice: 1 / (1 + uses), counting earlier models (coverage) and this one, so the
    // operators seen least come first and no single operator dominates a graph.
    std::vector<double> weights(ops.size());
    double total = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      int64_t seen = used[ops[i]->name];
      if (coverage != nullptr) {
        auto it = coverage->find(ops[i]->name);
        if (it != coverage->end()) seen += it->second;
      }
      weights[i] = 1.0 / (1.0 + static_cast<double>(seen));
      total += weights[i];
    }
    double pick = rng.Uniform() * total;
    size_t chosen = 0;
    for (; chosen + 1 < ops.size() && pick >= weights[chosen]; ++chosen) pick -= weights[chosen];
    const OpSpec& op = *ops[chosen];

    std::vector<int> candidates;
    for (size_t v = 0; v < graph.values.size(); ++v) {
      if (graph.values[v].kind != ValueKind::kParam) candidates.push_back(static_cast<int>(v));
    }
    ProposeContext ctx(graph, rng, options.limits, std::move(candidates));
    std::optional<Proposal> proposal = op.propose(ctx);
    if (!proposal) continue;
    if (options.tensorflow && !HasTensorFlowForm(graph, op, *proposal)) continue;
    if (TryAdd(graph, op, *proposal, options.limits, seed)) ++used[op.name];
  }
  if (graph.nodes.empty()) {
    return Internal("seed " + std::to_string(seed) + ": no operator could be placed");
  }
  FinishGraph(graph);
  return graph;
}

Status Reinfer(Graph& graph, const Limits& limits) {
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    const OpSpec* op = FindOp(node.op);
    const std::string where = "node " + std::to_string(n) + " (" + node.op + ")";
    if (op == nullptr) return InvalidArgument(where + ": unknown operator");
    std::vector<ValueInfo> in;
    for (int v : node.inputs) in.push_back(graph.values[v].info);
    StatusOr<std::vector<ValueInfo>> out = op->infer(in, node.attrs);
    if (!out.ok()) return InvalidArgument(where + ": " + out.status().message());
    if (out->size() != node.outputs.size()) {
      return InvalidArgument(where + ": " + std::to_string(out->size()) + " outputs, graph has " +
                             std::to_string(node.outputs.size()));
    }
    for (size_t i = 0; i < out->size(); ++i) {
      Status ok = CheckOutput((*out)[i], limits);
      if (!ok.ok()) return InvalidArgument(where + ": " + ok.message());
      graph.values[node.outputs[i]].info = (*out)[i];
    }
  }
  return Status::Ok();
}

}  // namespace convcheck::gen
