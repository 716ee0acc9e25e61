//===- gen/catalog.h - The operators the generator knows ------------------===//
//
// One OpSpec per PyTorch operation, NNSmith-style: how to pick operands and attributes for it
// (propose), its dtype, shape and value-range rule (infer), and how to write it as PyTorch
// (python) and as ONNX (onnx). `infer` is the single authority on validity: the generator calls
// it on every proposal, the reducer on every edited graph, and it refuses what would be invalid
// in PyTorch or would leave the safe value range (a log of a value that may be <= 0, an exp that
// may overflow), so that a NaN or Inf in an output means a bug, never the model.
//
// The operators live in ops_*.cc, one file per family, each with a Register...Ops function that
// catalog.cc calls once.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_GEN_CATALOG_H_
#define CONVCHECK_GEN_CATALOG_H_

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "gen/graph.h"
#include "gen/rng.h"

namespace convcheck::gen {

/// Caps that keep generated models small and fast.
struct Limits {
  int64_t max_elements = 4096;  // Per tensor.
  int64_t max_rank = 5;
  int64_t max_dim = 32;
  double max_magnitude = 1e6;  // |element| bound every value's range must respect.
};

/// An operand of a proposed node: an existing value, a new model input, or a new parameter
/// (a weight, filled uniformly in info.range; or an int64 tensor, e.g. gather indices, filled
/// with integers in [range.lo, range.hi]).
struct Operand {
  enum class Kind { kValue, kNewInput, kParam };
  Kind kind = Kind::kValue;
  int value = -1;  // kValue.
  ValueInfo info;  // kNewInput, kParam.

  static Operand Existing(int value_id);
  static Operand Input(ValueInfo info);
  static Operand Param(ValueInfo info);
};

struct Proposal {
  std::vector<Operand> operands;  // In the operator's operand order.
  Attrs attrs;
};

/// What `propose` sees: the graph so far and where to draw from.
class ProposeContext {
 public:
  ProposeContext(const Graph& graph, Rng& rng, const Limits& limits, std::vector<int> candidates)
      : graph_(graph), rng_(rng), limits_(limits), candidates_(std::move(candidates)) {}

  const Graph& graph() const { return graph_; }
  Rng& rng() { return rng_; }
  const Limits& limits() const { return limits_; }
  /// Values that may be operands (inputs and node outputs, not params), oldest first.
  const std::vector<int>& candidates() const { return candidates_; }
  const ValueInfo& info(int value) const { return graph_.values[value].info; }

  /// A candidate whose info satisfies `pred`, favouring recent values (deep chains over wide
  /// forests); nullopt when none does.
  std::optional<int> Pick(const std::function<bool(const ValueInfo&)>& pred);
  /// A float32 shape of this rank within the limits (dims in [1, max_dim], at most
  /// max_elements in total).
  std::vector<int64_t> RandomShape(int64_t rank);
  /// A float32 input/param info in [lo, hi].
  static ValueInfo Float(std::vector<int64_t> shape, double lo, double hi);

 private:
  const Graph& graph_;
  Rng& rng_;
  const Limits& limits_;
  std::vector<int> candidates_;
};

/// Writes the ONNX nodes of one generated node into a graph being built.
class OnnxEmitContext {
 public:
  OnnxEmitContext(onnx::GraphProto& graph, std::string prefix, std::vector<std::string> in,
                  std::vector<std::string> out, const Attrs& attrs, std::vector<ValueInfo> in_info,
                  std::vector<ValueInfo> out_info)
      : graph_(graph),
        prefix_(std::move(prefix)),
        in_(std::move(in)),
        out_(std::move(out)),
        attrs_(attrs),
        in_info_(std::move(in_info)),
        out_info_(std::move(out_info)) {}

  const std::vector<std::string>& in() const { return in_; }
  const std::vector<std::string>& out() const { return out_; }
  const Attrs& attrs() const { return attrs_; }
  const std::vector<ValueInfo>& in_info() const { return in_info_; }
  const std::vector<ValueInfo>& out_info() const { return out_info_; }

  /// A fresh name for an intermediate value.
  std::string Temp();
  /// Adds a node; returns it so attributes can be added with the Set... helpers below.
  onnx::NodeProto& Node(const std::string& op_type, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs);
  /// Constant initializers; return their names.
  std::string ConstInts(const std::vector<int64_t>& values, bool scalar = false);
  std::string ConstFloats(const std::vector<float>& values, bool scalar = false);

 private:
  onnx::GraphProto& graph_;
  std::string prefix_;
  std::vector<std::string> in_, out_;
  const Attrs& attrs_;
  std::vector<ValueInfo> in_info_, out_info_;
  int temps_ = 0;
};

void SetAttr(onnx::NodeProto& node, const std::string& name, int64_t value);
void SetAttr(onnx::NodeProto& node, const std::string& name, float value);
void SetAttr(onnx::NodeProto& node, const std::string& name, const std::string& value);
void SetAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values);
void SetAttr(onnx::NodeProto& node, const std::string& name, const std::vector<float>& values);

struct OpSpec {
  std::string name;        // Catalog name, e.g. "conv2d"; what --ops and the reports use.
  std::string torch_name;  // e.g. "torch.nn.functional.conv2d".
  std::string family;      // elementwise, activation, compare, reduce, softmax, linear, conv,
                           // pool, norm, shape, index, resize, cast, scan
  std::function<std::optional<Proposal>(ProposeContext&)> propose;
  /// Output infos from operand infos and attributes; an error when the node would be invalid in
  /// PyTorch or could leave the safe range.
  std::function<StatusOr<std::vector<ValueInfo>>(const std::vector<ValueInfo>& in,
                                                 const Attrs& attrs)>
      infer;
  /// A python expression over the operand expressions `args`; a tuple for several outputs.
  std::function<std::string(const std::vector<std::string>& args, const Attrs& attrs,
                            const std::vector<ValueInfo>& in)>
      python;
  /// ONNX nodes (opset 17) computing the same outputs.
  std::function<void(OnnxEmitContext&)> onnx;
  /// A TensorFlow python expression computing the same outputs (like `python`, over `tf` and
  /// the operand expressions); empty when the operator has no TensorFlow form, which keeps it
  /// out of models generated for TensorFlow (ops_tf.cc).
  std::function<std::string(const std::vector<std::string>& args, const Attrs& attrs,
                            const std::vector<ValueInfo>& in)>
      tf;
};

/// Every operator, sorted by name.
const std::vector<OpSpec>& Catalog();
/// The operator with this name, or nullptr.
const OpSpec* FindOp(const std::string& name);

// Registration, one per ops_*.cc file.
void RegisterElementwiseOps(std::vector<OpSpec>& ops);  // elementwise, activation, compare, cast
void RegisterReduceOps(std::vector<OpSpec>& ops);       // reduce, softmax, scan (cumsum, topk...)
void RegisterNnOps(std::vector<OpSpec>& ops);           // linear, conv, pool, norm, resize
void RegisterShapeOps(std::vector<OpSpec>& ops);        // shape, index
/// Adds the TensorFlow form of every operator that has one; after the others.
void AddTensorFlowForms(std::vector<OpSpec>& ops);

// Small helpers the ops share.

/// Operators whose float32 results every engine computes to the bit: correctly rounded IEEE
/// operations, selections, comparisons and data movement. Discontinuous operators (floor, sign,
/// casts, comparisons) and index results (argmax, topk, sort) only take values computed by
/// these: a last-ulp difference upstream (a sigmoid computed another way) would flip a floor or
/// swap two near-equal elements and look like a bug. Used when proposing; infer ignores it.
bool IsExactOp(const std::string& op);
/// For every value of the graph, whether it is computed exactly (inputs and params are).
std::vector<bool> ExactValues(const Graph& graph);
/// Whether some value reaches `value` along two paths: topk(x) - x, or x - flip(x), hold exact
/// zeros that no range or tie flag shows, and the engines break such ties differently.
bool HasReconvergentAncestry(const Graph& graph, int value);

/// The broadcast shape of two shapes (NumPy rules), or an error.
StatusOr<std::vector<int64_t>> BroadcastShapes(const std::vector<int64_t>& a,
                                               const std::vector<int64_t>& b);
/// Interval arithmetic.
Range AddRanges(Range a, Range b);
Range MulRanges(Range a, Range b);
Range UnionRange(Range a, Range b);
/// A python list literal "[1, 2, 3]" / tuple "(1, 2, 3)".
std::string PyList(const std::vector<int64_t>& values);
std::string PyTuple(const std::vector<int64_t>& values);
/// A float literal that reads back to the same double ("0.1", "1e-05").
std::string PyFloat(double value);

}  // namespace convcheck::gen

#endif  // CONVCHECK_GEN_CATALOG_H_
