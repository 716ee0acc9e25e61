#include "localize/diff.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "interp/executor.h"
#include "oracle/compare.h"

namespace convcheck::localize {
namespace {

namespace fs = std::filesystem;

struct GraphIndex {
  const onnx::GraphProto* graph = nullptr;
  std::map<std::string, std::pair<int, int>> producer;  // value -> (node, output index)
  std::map<std::string, std::vector<int>> consumers;    // value -> nodes reading it
  std::set<std::string> initializers;
  std::vector<std::string> inputs;                // Graph inputs that are not initializers.
  std::map<std::string, std::vector<int>> by_op;  // op_type -> nodes, in order

  explicit GraphIndex(const onnx::GraphProto& g) : graph(&g) {
    for (const auto& init : g.initializer()) initializers.insert(init.name());
    for (const auto& in : g.input()) {
      if (!initializers.count(in.name())) inputs.push_back(in.name());
    }
    for (int n = 0; n < g.node_size(); ++n) {
      const auto& node = g.node(n);
      by_op[node.op_type()].push_back(n);
      for (int k = 0; k < node.output_size(); ++k) {
        if (!node.output(k).empty()) producer[node.output(k)] = {n, k};
      }
      for (const auto& in : node.input()) {
        if (!in.empty()) consumers[in].push_back(n);
      }
    }
  }
};

std::string NodeLabel(const onnx::NodeProto& node, int index) {
  return node.name().empty() ? "#" + std::to_string(index) : node.name();
}

// ref64 computes in float64; compare in the other side's float type.
void AlignFloat(Tensor& x, const Tensor& other) {
  if (x.dtype() == DataType::kFloat64 && other.dtype() != DataType::kFloat64 &&
      IsFloatingPoint(other.dtype())) {
    x = interp::CastTensor(x, other.dtype());
  }
}

// Compares value `b_name` of run B with `a_name` of run A over every set; nullopt when either
// was not captured.
std::optional<oracle::OutputComparison> CompareValue(const CapturedRun& a,
                                                     const std::string& a_name,
                                                     const CapturedRun& b,
                                                     const std::string& b_name,
                                                     const oracle::Tolerance& tolerance) {
  std::vector<std::vector<Tensor>> expected, actual;
  for (size_t s = 0; s < a.files.size() && s < b.files.size(); ++s) {
    StatusOr<Tensor> ta = a.Read(s, a_name);
    StatusOr<Tensor> tb = b.Read(s, b_name);
    if (!ta.ok() || !tb.ok()) return std::nullopt;
    AlignFloat(*ta, *tb);
    AlignFloat(*tb, *ta);
    expected.push_back({std::move(*ta)});
    actual.push_back({std::move(*tb)});
  }
  if (expected.empty()) return std::nullopt;
  oracle::Comparison c = oracle::CompareOutputs(expected, actual, tolerance, {b_name});
  if (c.outputs.empty()) return std::nullopt;
  return c.outputs[0];
}

nlohmann::json JsonRatio(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

struct Walk {
  std::map<int, DivergentNode> diverged;  // B node index -> its worst failing output
  int64_t compared = 0, unmatched = 0, diverging = 0;
  bool outputs_diverge = false;
};

// Compares B's node outputs (all, or those of `only_nodes`) with their counterparts.
Walk CompareRuns(const onnx::ModelProto& b, const std::map<std::string, ValueMatch>& matches,
                 const CapturedRun& run_a, const CapturedRun& run_b,
                 const oracle::Tolerance& tolerance, const std::set<int>* only_nodes) {
  Walk walk;
  std::set<std::string> outputs;
  for (const auto& o : b.graph().output()) outputs.insert(o.name());
  for (int n = 0; n < b.graph().node_size(); ++n) {
    if (only_nodes != nullptr && !only_nodes->count(n)) continue;
    const auto& node = b.graph().node(n);
    for (const auto& name : node.output()) {
      if (name.empty()) continue;
      auto m = matches.find(name);
      if (m == matches.end()) {
        ++walk.unmatched;
        continue;
      }
      std::optional<oracle::OutputComparison> c =
          CompareValue(run_a, m->second.a, run_b, name, tolerance);
      if (!c) continue;
      ++walk.compared;
      if (c->pass()) continue;
      ++walk.diverging;
      // A shape or dtype difference has no element-wise ratio: nothing can make it pass.
      if (c->subtype == oracle::kShapeMismatch || c->subtype == oracle::kDtypeMismatch) {
        c->error_ratio = INFINITY;
      }
      if (outputs.count(name)) walk.outputs_diverge = true;
      DivergentNode d{NodeLabel(node, n), n,         node.op_type(), name, m->second.a,
                      c->error_ratio,     c->subtype};
      auto it = walk.diverged.find(n);
      if (it == walk.diverged.end() || !(it->second.error_ratio >= d.error_ratio)) {
        walk.diverged[n] = d;
      }
    }
  }
  return walk;
}

// From the first divergent node, the diverging consumers down to where the divergence stops.
std::vector<DivergentNode> DivergencePath(const onnx::ModelProto& b, const Walk& walk) {
  std::vector<DivergentNode> path;
  if (walk.diverged.empty()) return path;
  GraphIndex index(b.graph());
  int current = walk.diverged.begin()->first;
  std::set<int> visited;
  while (visited.insert(current).second) {
    path.push_back(walk.diverged.at(current));
    int next = -1;
    for (const auto& out : b.graph().node(current).output()) {
      auto c = index.consumers.find(out);
      if (c == index.consumers.end()) continue;
      for (int consumer : c->second) {
        if (walk.diverged.count(consumer) && (next < 0 || consumer < next)) next = consumer;
      }
    }
    if (next < 0) break;
    current = next;
  }
  return path;
}

std::string RunFailure(const std::string& which, const std::string& backend,
                       const CapturedRun& run) {
  return which + " failed on " + backend + ": " + std::string(oracle::VerdictName(run.failure)) +
         (run.code.empty() ? "" : " " + run.code) + ": " + run.message;
}

// The nodes that lead to `output` (Constant nodes left out), in graph order.
std::vector<int> Ancestors(const onnx::ModelProto& b, const std::string& output) {
  GraphIndex index(b.graph());
  std::set<int> seen;
  std::vector<std::string> stack{output};
  while (!stack.empty()) {
    std::string name = stack.back();
    stack.pop_back();
    auto p = index.producer.find(name);
    if (p == index.producer.end() || !seen.insert(p->second.first).second) continue;
    for (const auto& in : b.graph().node(p->second.first).input()) stack.push_back(in);
  }
  std::vector<int> nodes;
  for (int n : seen) {
    if (b.graph().node(n).op_type() != "Constant") nodes.push_back(n);
  }
  return nodes;
}

}  // namespace

std::map<std::string, ValueMatch> MatchValues(const onnx::ModelProto& a,
                                              const onnx::ModelProto& b) {
  GraphIndex ia(a.graph()), ib(b.graph());
  std::map<std::string, ValueMatch> match;
  std::set<std::string> a_inputs(ia.inputs.begin(), ia.inputs.end());
  for (size_t i = 0; i < ib.inputs.size(); ++i) {
    const std::string& name = ib.inputs[i];
    if (a_inputs.count(name)) {
      match[name] = {name, "name"};
    } else if (i < ia.inputs.size()) {
      match[name] = {ia.inputs[i], "input"};
    }
  }
  std::set<int> used_a;  // A's nodes already taken by a producer or rank match.
  std::map<std::string, int> rank_in_b;
  for (int n = 0; n < b.graph().node_size(); ++n) {
    const auto& node = b.graph().node(n);
    const int rank = rank_in_b[node.op_type()]++;
    // The counterparts of this node's inputs (initializers count when A has the same one).
    std::vector<std::string> counterparts;
    for (const auto& in : node.input()) {
      if (in.empty()) continue;
      auto m = match.find(in);
      if (m != match.end()) {
        counterparts.push_back(m->second.a);
      } else if (ib.initializers.count(in) && ia.initializers.count(in)) {
        counterparts.push_back(in);
      }
    }
    int partner = -1;
    std::string by;
    if (!counterparts.empty()) {
      // A's nodes reading every counterpart (as a multiset, whatever the operand order).
      std::set<int> candidates;
      auto first = ia.consumers.find(counterparts[0]);
      if (first != ia.consumers.end())
        candidates.insert(first->second.begin(), first->second.end());
      for (int candidate : std::vector<int>(candidates.begin(), candidates.end())) {
        std::multiset<std::string> reads;
        for (const auto& in : a.graph().node(candidate).input()) reads.insert(in);
        bool all = true;
        for (const auto& c : counterparts) {
          auto it = reads.find(c);
          if (it == reads.end()) {
            all = false;
            break;
          }
          reads.erase(it);
        }
        if (!all || used_a.count(candidate) ||
            a.graph().node(candidate).output_size() != node.output_size()) {
          candidates.erase(candidate);
        }
      }
      for (int candidate : candidates) {
        if (a.graph().node(candidate).op_type() == node.op_type()) {
          partner = candidate;
          break;
        }
      }
      if (partner < 0 && candidates.size() == 1) partner = *candidates.begin();
      by = "producer";
    }
    if (partner < 0) {
      auto same_op = ia.by_op.find(node.op_type());
      auto same_op_b = ib.by_op.find(node.op_type());
      if (same_op != ia.by_op.end() && same_op->second.size() == same_op_b->second.size() &&
          !used_a.count(same_op->second[rank])) {
        partner = same_op->second[rank];
        by = "rank";
      }
    }
    for (int k = 0; k < node.output_size(); ++k) {
      const std::string& name = node.output(k);
      if (name.empty()) continue;
      auto p = ia.producer.find(name);
      if (p != ia.producer.end()) {
        match[name] = {name, "name"};
        used_a.insert(p->second.first);
      } else if (partner >= 0 && k < a.graph().node(partner).output_size() &&
                 !a.graph().node(partner).output(k).empty()) {
        match[name] = {a.graph().node(partner).output(k), by};
      }
    }
    if (partner >= 0) used_a.insert(partner);
  }
  return match;
}

StatusOr<DiffResult> DiffModels(const std::string& path_a, const onnx::ModelProto& a,
                                const std::vector<std::vector<Tensor>>& inputs_a,
                                const std::string& path_b, const onnx::ModelProto& b,
                                const std::vector<std::vector<Tensor>>& inputs_b,
                                const DiffOptions& options, workers::Session& session) {
  const std::map<std::string, ValueMatch> matches = MatchValues(a, b);
  CaptureOptions capture;
  capture.backend_options = options.backend_options;
  capture.timeout_s = options.timeout_s;
  capture.batch = options.batch;
  capture.backend = options.backend_a;
  CC_ASSIGN_OR_RETURN(CapturedRun run_a, CaptureValues(path_a, a, inputs_a, options.work_dir + "/a",
                                                       capture, session));
  if (!run_a.ok()) return FailedPrecondition(RunFailure("model A", options.backend_a, run_a));
  capture.backend = options.backend_b;
  CC_ASSIGN_OR_RETURN(CapturedRun run_b, CaptureValues(path_b, b, inputs_b, options.work_dir + "/b",
                                                       capture, session));
  if (!run_b.ok()) return FailedPrecondition(RunFailure("model B", options.backend_b, run_b));

  DiffResult result;
  result.engine_runs = run_a.engine_runs + run_b.engine_runs;
  Walk walk = CompareRuns(b, matches, run_a, run_b, options.tolerance, nullptr);
  result.compared = walk.compared;
  result.unmatched = walk.unmatched;
  result.diverging = walk.diverging;
  result.outputs_diverge = walk.outputs_diverge;
  if (!run_b.uncaptured.empty()) {
    result.note = std::to_string(run_b.uncaptured.size()) + " value(s) of B could not be captured";
  }
  if (!walk.diverged.empty()) {
    result.path = DivergencePath(b, walk);
    result.first = result.path.front();
    return result;
  }
  if (options.backend_b == "ref" || options.backend_b == "ref64") return result;

  // Nothing diverged with every value exposed: does the engine's plain run agree too?
  CaptureOptions plain = capture;
  plain.only = {};
  for (const auto& o : b.graph().output()) plain.only.push_back(o.name());
  // `only` with the outputs alone exposes nothing new: the model is the engine's own.
  CC_ASSIGN_OR_RETURN(
      CapturedRun run_plain,
      CaptureValues(path_b, b, inputs_b, options.work_dir + "/plain", plain, session));
  result.engine_runs += run_plain.engine_runs;
  if (!run_plain.ok())
    return FailedPrecondition(RunFailure("model B", options.backend_b, run_plain));
  std::set<int> output_nodes;
  GraphIndex ib(b.graph());
  for (const auto& o : b.graph().output()) {
    auto p = ib.producer.find(o.name());
    if (p != ib.producer.end()) output_nodes.insert(p->second.first);
  }
  Walk plain_walk = CompareRuns(b, matches, run_a, run_plain, options.tolerance, &output_nodes);
  if (plain_walk.diverged.empty()) return result;
  result.outputs_diverge = true;
  const DivergentNode failing_output = plain_walk.diverged.begin()->second;

  // One value exposed at a time, bisecting over the nodes that lead to the failing output: the
  // smallest position whose value, exposed alone, comes out wrong.
  const std::vector<int> ancestors = Ancestors(b, failing_output.output);
  if (ancestors.empty()) {
    result.first = failing_output;
    result.path = {failing_output};
    return result;
  }
  size_t lo = 0, hi = ancestors.size() - 1;  // ancestors.back() produces the failing output.
  DivergentNode found = failing_output;
  int probe_id = 0;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    const int n = ancestors[mid];
    CaptureOptions one = capture;
    one.only = {};
    for (const auto& out : b.graph().node(n).output()) {
      if (!out.empty()) one.only.push_back(out);
    }
    CC_ASSIGN_OR_RETURN(
        CapturedRun probe,
        CaptureValues(path_b, b, inputs_b, options.work_dir + "/probe" + std::to_string(probe_id++),
                      one, session));
    result.engine_runs += probe.engine_runs;
    if (!probe.ok()) return FailedPrecondition(RunFailure("model B", options.backend_b, probe));
    std::set<int> just{n};
    Walk w = CompareRuns(b, matches, run_a, probe, options.tolerance, &just);
    if (!w.diverged.empty()) {
      found = w.diverged.begin()->second;
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (found.index != ancestors[lo]) {
    // The bisection ended on the failing output's own producer, known from the plain run.
    found = failing_output;
  }
  result.method = "one_at_a_time";
  result.first = found;
  result.path = {found};
  if (found.index != failing_output.index) result.path.push_back(failing_output);
  result.diverging = static_cast<int64_t>(result.path.size());
  result.note =
      "every value of B agreed while exposed as a graph output but B's plain run does "
      "not: the engine's optimizer rewrote the graph (found exposing one value at a time)";
  return result;
}

nlohmann::json ToJson(const DivergentNode& node) {
  return {{"node", node.node},
          {"index", node.index},
          {"op_type", node.op_type},
          {"output", node.output},
          {"counterpart", node.counterpart},
          {"error_ratio", JsonRatio(node.error_ratio)},
          {"subtype", node.subtype}};
}

nlohmann::json ToJson(const DiffResult& result) {
  nlohmann::json path = nlohmann::json::array();
  for (const auto& p : result.path) path.push_back(ToJson(p));
  return {{"first_divergent", result.first ? ToJson(*result.first) : nlohmann::json(nullptr)},
          {"path", path},
          {"compared", result.compared},
          {"unmatched", result.unmatched},
          {"diverging", result.diverging},
          {"outputs_diverge", result.outputs_diverge},
          {"method", result.method},
          {"engine_runs", result.engine_runs},
          {"note", result.note}};
}

}  // namespace convcheck::localize
