//===- gen/graph.h - The generator's graph of PyTorch operations ----------===//
//
// A generated model is a graph in this small IR before it is anything else: the generator builds
// it, the emitters write it as a PyTorch module (python source) or as an ONNX model, and the
// reducer edits it and infers it again. Every value carries what the generator needs to keep the
// model valid by construction: its dtype and static shape, an interval that bounds its elements
// (so that no operator is applied where it would give NaN or Inf), and whether its elements may
// tie (argmax, topk and sort are only applied where ties cannot make engines disagree).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_GEN_GRAPH_H_
#define CONVCHECK_GEN_GRAPH_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "core/dtype.h"
#include "core/status.h"

namespace convcheck::gen {

/// Bounds on a value's elements. For int64 values, the integers lie in [lo, hi]; for bool, [0, 1].
struct Range {
  double lo = 0;
  double hi = 0;
};

struct ValueInfo {
  DataType dtype = DataType::kFloat32;
  std::vector<int64_t> shape;
  Range range;
  bool may_tie = false;  // Elements may be exactly equal (clamped, expanded, rounded...).

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t NumElements() const;
  /// max(|lo|, |hi|).
  double Magnitude() const;
};

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>>;
using Attrs = std::map<std::string, AttrValue>;

/// Typed access to attributes; the generator wrote them, so a missing or mistyped one is a bug
/// and these return a default (0, 0.0, "", {}) rather than an error.
int64_t AttrInt(const Attrs& attrs, const std::string& name, int64_t fallback = 0);
double AttrFloat(const Attrs& attrs, const std::string& name, double fallback = 0);
std::string AttrString(const Attrs& attrs, const std::string& name);
std::vector<int64_t> AttrInts(const Attrs& attrs, const std::string& name);

enum class ValueKind { kInput, kParam, kNode };

struct Value {
  ValueKind kind = ValueKind::kNode;
  ValueInfo info;
  int producer = -1;  // Node index, for kNode.
  uint64_t fill = 0;  // For kParam: the seed of its deterministic fill (see FillFloat).
};

struct Node {
  std::string op;            // Catalog name, e.g. "conv2d".
  std::vector<int> inputs;   // Value ids, in the operator's operand order (params included).
  std::vector<int> outputs;  // Value ids.
  Attrs attrs;
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;   // Topological order.
  std::vector<int> inputs;   // Value ids of the model's arguments, in order.
  std::vector<int> outputs;  // Value ids the model returns, in order.
  uint64_t seed = 0;         // What it was generated from (informational).

  /// Params (weights, index tensors), in value order.
  std::vector<int> Params() const;
  /// For each value, the nodes that read it.
  std::vector<std::vector<int>> Consumers() const;
  /// Operator name -> count.
  std::map<std::string, int64_t> OpCounts() const;
};

/// The graph as JSON (graph.json in a generated case), and back. FromJson checks ids and order.
nlohmann::json ToJson(const Graph& graph);
StatusOr<Graph> GraphFromJson(const nlohmann::json& json);
StatusOr<Graph> LoadGraph(const std::string& path);
Status SaveGraph(const Graph& graph, const std::string& path);

// Deterministic fills shared by the emitters: the python source computes the same numbers with
// torch integer ops (emit_python.cc), so the PyTorch module and the ONNX model hold the same
// weights to the bit, whatever torch's own generator does.

/// The n-th 31-bit hash of a fill seed.
uint32_t FillHash(uint64_t seed, uint64_t index);
/// float32 values uniform in [lo, hi).
std::vector<float> FillFloat(uint64_t seed, int64_t count, double lo, double hi);
/// int64 values in [lo, hi].
std::vector<int64_t> FillInt(uint64_t seed, int64_t count, int64_t lo, int64_t hi);

}  // namespace convcheck::gen

#endif  // CONVCHECK_GEN_GRAPH_H_
