#include "localize/reduce.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "campaign/signature.h"
#include "gen/emit.h"
#include "gen/generator.h"

namespace convcheck::localize {

namespace fs = std::filesystem;

std::string ReductionSignature(const pipeline::JobResult& result) {
  if (result.verdict == oracle::Verdict::kPass) return "";
  std::string signature = std::string(oracle::VerdictName(result.verdict)) + "|" + result.subtype +
                          "|" + result.stage + "|" + campaign::FailingOp(result);
  if (result.verdict == oracle::Verdict::kIncorrectBehavior) {
    signature += "|blame=" + result.blame;
  } else {
    std::string message = result.signature;
    if (message.empty() || message == oracle::VerdictName(result.verdict)) {
      message = campaign::NormalizeMessage(result.error);
    }
    signature += "|" + message;
  }
  return signature;
}

gen::Graph DeadCodeEliminated(gen::Graph graph) {
  std::vector<bool> live(graph.values.size(), false);
  for (int v : graph.outputs) live[v] = true;
  std::vector<bool> keep(graph.nodes.size(), false);
  for (int n = static_cast<int>(graph.nodes.size()) - 1; n >= 0; --n) {
    const gen::Node& node = graph.nodes[n];
    bool needed = false;
    for (int v : node.outputs) needed = needed || live[v];
    if (!needed) continue;
    keep[n] = true;
    for (int v : node.inputs) live[v] = true;
  }
  std::vector<gen::Node> nodes;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    if (!keep[n]) continue;
    for (int v : graph.nodes[n].outputs) graph.values[v].producer = static_cast<int>(nodes.size());
    nodes.push_back(std::move(graph.nodes[n]));
  }
  graph.nodes = std::move(nodes);
  std::vector<int> inputs;
  for (int v : graph.inputs) {
    if (live[v]) inputs.push_back(v);
  }
  graph.inputs = inputs;
  return graph;
}

std::optional<gen::Graph> KeepNodes(const gen::Graph& graph, const std::vector<int>& keep) {
  gen::Graph out = graph;
  std::set<int> kept(keep.begin(), keep.end());
  std::set<int> computed;  // Values kept nodes compute.
  for (int n : keep) {
    for (int v : graph.nodes[n].outputs) computed.insert(v);
  }
  std::set<int> inputs(graph.inputs.begin(), graph.inputs.end());
  std::vector<gen::Node> nodes;
  for (int n : keep) {
    for (int v : graph.nodes[n].inputs) {
      gen::Value& value = out.values[v];
      if (value.kind == gen::ValueKind::kNode && !computed.count(v)) {
        // Cut loose: a removed node computed it; now the caller passes it in.
        value.kind = gen::ValueKind::kInput;
        value.producer = -1;
        inputs.insert(v);
      }
    }
    nodes.push_back(graph.nodes[n]);
  }
  out.nodes = std::move(nodes);
  for (size_t n = 0; n < out.nodes.size(); ++n) {
    for (int v : out.nodes[n].outputs) out.values[v].producer = static_cast<int>(n);
  }
  out.inputs.assign(inputs.begin(), inputs.end());
  // The results nobody reads any more are the outputs: removing the last nodes of a chain
  // makes the node before them the output, which is how a chain shrinks from its end.
  std::set<int> read;
  for (const auto& node : out.nodes) read.insert(node.inputs.begin(), node.inputs.end());
  std::vector<int> outputs;
  for (int v : computed) {
    if (!read.count(v)) outputs.push_back(v);
  }
  if (outputs.empty()) return std::nullopt;
  out.outputs = outputs;
  return DeadCodeEliminated(std::move(out));
}

namespace {

class Reducer {
 public:
  Reducer(const ReduceOptions& options, workers::Session& session)
      : options_(options), session_(session) {}

  // Runs the job on the graph; its reduction signature, or an error of convcheck itself.
  StatusOr<std::string> Test(const gen::Graph& graph, pipeline::JobResult* result_out) {
    ++tests_;
    const std::string stem = options_.work_dir + "/candidate-" + std::to_string(tests_);
    pipeline::JobSpec spec = options_.job;
    CC_ASSIGN_OR_RETURN(spec.source, gen::WriteSource(graph, stem, options_.emitter));
    spec.keep_dir.clear();
    CC_ASSIGN_OR_RETURN(pipeline::JobResult result, pipeline::RunConvertJob(spec, session_));
    session_.ReleaseDirs();
    std::error_code ec;
    fs::remove(spec.source.substr(spec.source.find(':') + 1), ec);
    fs::remove(stem + ".json", ec);
    if (result_out != nullptr) *result_out = result;
    return ReductionSignature(result);
  }

  // True when the candidate fails the same way; it then becomes the current best.
  StatusOr<bool> Accept(const gen::Graph& candidate, const std::string& what) {
    if (tests_ >= options_.max_tests) return false;
    pipeline::JobResult result;
    CC_ASSIGN_OR_RETURN(std::string signature, Test(candidate, &result));
    if (signature != signature_) return false;
    best_ = candidate;
    best_result_ = result;
    if (options_.log) {
      options_.log(what + ": " + std::to_string(best_.nodes.size()) + " nodes, " +
                   std::to_string(best_.outputs.size()) + " outputs (test " +
                   std::to_string(tests_) + ")");
    }
    return true;
  }

  // Zeller's ddmin over `items`: tries removing chunks, halving the chunk size when none can go.
  // `build` makes the candidate graph from the items kept.
  template <typename Build>
  Status DeltaDebug(std::vector<int> items, Build build, const std::string& what) {
    size_t chunks = 2;
    while (items.size() >= 2 && tests_ < options_.max_tests) {
      const size_t size = (items.size() + chunks - 1) / chunks;
      bool reduced = false;
      for (size_t start = 0; start < items.size(); start += size) {
        std::vector<int> rest(items.begin(), items.begin() + start);
        rest.insert(rest.end(), items.begin() + std::min(items.size(), start + size), items.end());
        if (rest.empty()) continue;
        std::optional<gen::Graph> candidate = build(rest);
        if (!candidate) continue;
        CC_ASSIGN_OR_RETURN(bool accepted, Accept(*candidate, what));
        if (accepted) {
          items = build_items_(best_, what);
          chunks = std::max<size_t>(chunks - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (chunks >= items.size()) break;
        chunks = std::min(items.size(), chunks * 2);
      }
    }
    return Status::Ok();
  }

  StatusOr<ReduceResult> Run(const gen::Graph& graph) {
    pipeline::JobResult first;
    CC_ASSIGN_OR_RETURN(signature_, Test(graph, &first));
    if (signature_.empty()) {
      return InvalidArgument(
          "the model does not fail (it passes with these options), so there "
          "is nothing to reduce");
    }
    if (first.verdict == oracle::Verdict::kSourceError) {
      // Not a conversion failure: reducing it would only shrink the model's own error.
      return InvalidArgument("the model itself fails in its framework (source_error: " +
                             first.error + "), so there is no conversion failure to reduce");
    }
    if (options_.log) options_.log("failure to keep: " + signature_);
    best_ = graph;
    best_result_ = first;

    // Items are re-read from the best graph after each accepted step: ids of outputs, indices of
    // nodes.
    build_items_ = [](const gen::Graph& g, const std::string& what) {
      std::vector<int> items;
      if (what == "outputs") return g.outputs;
      for (size_t n = 0; n < g.nodes.size(); ++n) items.push_back(static_cast<int>(n));
      return items;
    };
    CC_RETURN_IF_ERROR(DeltaDebug(
        best_.outputs,
        [&](const std::vector<int>& kept) -> std::optional<gen::Graph> {
          gen::Graph candidate = best_;
          candidate.outputs = kept;
          return DeadCodeEliminated(std::move(candidate));
        },
        "outputs"));
    CC_RETURN_IF_ERROR(DeltaDebug(
        build_items_(best_, "nodes"),
        [&](const std::vector<int>& kept) { return KeepNodes(best_, kept); }, "nodes"));
    CC_RETURN_IF_ERROR(ShrinkShapes());
    CC_RETURN_IF_ERROR(SimplifyAttributes());

    ReduceResult result;
    result.graph = best_;
    result.signature = signature_;
    result.tests = tests_;
    result.nodes_before = static_cast<int64_t>(graph.nodes.size());
    result.nodes_after = static_cast<int64_t>(best_.nodes.size());
    result.result = best_result_;
    return result;
  }

  // Input dimensions to 1, or halved, where every operator's rule still accepts the graph.
  Status ShrinkShapes() {
    gen::Limits limits;
    for (size_t i = 0; i < best_.inputs.size(); ++i) {
      for (size_t d = 0; d < best_.values[best_.inputs[i]].info.shape.size(); ++d) {
        for (int attempt = 0; attempt < 2; ++attempt) {
          const int64_t dim = best_.values[best_.inputs[i]].info.shape[d];
          if (dim <= 1) break;
          gen::Graph candidate = best_;
          candidate.values[candidate.inputs[i]].info.shape[d] = attempt == 0 ? 1 : dim / 2;
          if (!gen::Reinfer(candidate, limits).ok()) continue;
          CC_ASSIGN_OR_RETURN(bool accepted, Accept(candidate, "shapes"));
          if (accepted) break;
        }
      }
    }
    return Status::Ok();
  }

  // Attributes to their plainest values (0 or 1; lists all 0 or all 1: no padding, unit
  // stride, the first dim), where every operator's rule still accepts the graph: what is left
  // is an attribute the failure needs.
  Status SimplifyAttributes() {
    gen::Limits limits;
    for (size_t n = 0; n < best_.nodes.size(); ++n) {
      const gen::Attrs attrs = best_.nodes[n].attrs;
      for (const auto& [name, value] : attrs) {
        std::vector<gen::AttrValue> simpler;
        if (const auto* i = std::get_if<int64_t>(&value)) {
          for (int64_t plain : {int64_t{0}, int64_t{1}}) {
            if (*i != plain) simpler.emplace_back(plain);
          }
        } else if (const auto* f = std::get_if<double>(&value)) {
          for (double plain : {0.0, 1.0}) {
            if (*f != plain) simpler.emplace_back(plain);
          }
        } else if (const auto* list = std::get_if<std::vector<int64_t>>(&value)) {
          for (int64_t plain : {int64_t{0}, int64_t{1}}) {
            std::vector<int64_t> same(list->size(), plain);
            if (*list != same) simpler.emplace_back(same);
          }
        }
        for (const auto& plain : simpler) {
          gen::Graph candidate = best_;
          candidate.nodes[n].attrs[name] = plain;
          if (!gen::Reinfer(candidate, limits).ok()) continue;
          CC_ASSIGN_OR_RETURN(bool accepted, Accept(candidate, "attributes (" + best_.nodes[n].op +
                                                                   "." + name + ")"));
          if (accepted) break;
        }
      }
    }
    return Status::Ok();
  }

 private:
  const ReduceOptions& options_;
  workers::Session& session_;
  std::string signature_;
  int64_t tests_ = 0;
  gen::Graph best_;
  pipeline::JobResult best_result_;
  std::function<std::vector<int>(const gen::Graph&, const std::string&)> build_items_;
};

}  // namespace

StatusOr<ReduceResult> Reduce(const gen::Graph& graph, const ReduceOptions& options,
                              workers::Session& session) {
  std::error_code ec;
  fs::create_directories(options.work_dir, ec);
  if (ec) return Internal("cannot create '" + options.work_dir + "': " + ec.message());
  Reducer reducer(options, session);
  return reducer.Run(graph);
}

}  // namespace convcheck::localize
