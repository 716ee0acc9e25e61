//===- localize/diff.h - The first node where two runs part ---------------===//
//
// Two runs of a graph: two models on one engine (two converters, or a model before and after
// an optimizer), or one model on an engine and on ref64 (the blame is the engine). Each value
// of the second run (B) is matched to its counterpart in the first (A): by name, then by the
// producer's position (the node of the same op type, or failing that any op, that reads the
// counterparts of its inputs, whatever their order), then by the producer's rank among the
// nodes of its op type. Then B's nodes are walked in graph order and each output compared with
// its counterpart under the tolerance rule (oracle/compare.h), one pair of tensors in memory at
// a time. The first node whose output fails is the first divergent node: in a topological
// order every node that feeds it came earlier and passed, so it is where the difference starts.
//
// Engines whose optimizer is at fault compute rightly once every value is a graph output (a
// fused value cannot be fetched, so the fusion does not happen). When the engine's plain run
// diverges but the fully exposed one does not, the search goes on with one value exposed at a
// time, bisecting over the nodes that lead to the failing output; the node it names is the
// last node of the rewritten pattern, the one whose value comes out wrong.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_LOCALIZE_DIFF_H_
#define CONVCHECK_LOCALIZE_DIFF_H_

#include <onnx/onnx_pb.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "localize/capture.h"
#include "oracle/tolerance.h"

namespace convcheck::localize {

/// For each value name of `b` produced by a node or a graph input, the name of its counterpart
/// in `a`, when there is one; `by` tells how it was found ("name", "producer", "rank", "input").
struct ValueMatch {
  std::string a;
  std::string by;
};
std::map<std::string, ValueMatch> MatchValues(const onnx::ModelProto& a, const onnx::ModelProto& b);

struct DivergentNode {
  std::string node;  // Its name in B ("#<index>" when unnamed).
  int index = -1;    // Position among B's top-level nodes.
  std::string op_type;
  std::string output;       // The output that failed.
  std::string counterpart;  // Its counterpart in A.
  double error_ratio = 0;   // inf for a shape, dtype or NaN pattern difference.
  std::string subtype;      // value_mismatch, shape_mismatch...
};

struct DiffOptions {
  std::string backend_a = "ref";  // Engine of the first run (the reference side).
  std::string backend_b = "ref";
  backends::BackendOptions backend_options;
  oracle::Tolerance tolerance;
  double timeout_s = 300;
  int64_t batch = 200;
  std::string work_dir;  // Captures go here (removed by the caller).
};

struct DiffResult {
  std::optional<DivergentNode> first;  // nullopt when nothing diverges.
  std::vector<DivergentNode> path;     // From `first` down to a graph output, diverging.
  int64_t compared = 0;                // Values compared.
  int64_t unmatched = 0;               // B's values without a counterpart.
  int64_t diverging = 0;               // Values that failed.
  bool outputs_diverge = false;        // A graph output of B failed.
  std::string method = "all_exposed";  // or "one_at_a_time" (see above), "plain".
  int64_t engine_runs = 0;
  std::string note;  // One line when something could not be compared.
};

/// Runs A and B on the same inputs (`inputs_a` bound to A's inputs, `inputs_b` to B's) and
/// compares. An engine that fails on either model is an error naming it.
StatusOr<DiffResult> DiffModels(const std::string& path_a, const onnx::ModelProto& a,
                                const std::vector<std::vector<Tensor>>& inputs_a,
                                const std::string& path_b, const onnx::ModelProto& b,
                                const std::vector<std::vector<Tensor>>& inputs_b,
                                const DiffOptions& options, workers::Session& session);

nlohmann::json ToJson(const DivergentNode& node);
nlohmann::json ToJson(const DiffResult& result);

}  // namespace convcheck::localize

#endif  // CONVCHECK_LOCALIZE_DIFF_H_
