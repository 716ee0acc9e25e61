#include "gen/catalog.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

namespace convcheck::gen {

Operand Operand::Existing(int value_id) {
  Operand operand;
  operand.kind = Kind::kValue;
  operand.value = value_id;
  return operand;
}

Operand Operand::Input(ValueInfo info) {
  Operand operand;
  operand.kind = Kind::kNewInput;
  operand.info = std::move(info);
  return operand;
}

Operand Operand::Param(ValueInfo info) {
  Operand operand;
  operand.kind = Kind::kParam;
  operand.info = std::move(info);
  return operand;
}

std::optional<int> ProposeContext::Pick(const std::function<bool(const ValueInfo&)>& pred) {
  std::vector<int> fits;
  for (int v : candidates_) {
    if (pred(info(v))) fits.push_back(v);
  }
  if (fits.empty()) return std::nullopt;
  // Half the time the newest fitting value, otherwise any: chains grow deep, and older values
  // still get reused (fan-out, which single chains never exercise).
  if (rng_.Chance(0.5)) return fits.back();
  return rng_.Choice(fits);
}

std::vector<int64_t> ProposeContext::RandomShape(int64_t rank) {
  std::vector<int64_t> shape(rank, 1);
  int64_t total = 1;
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t room = std::max<int64_t>(1, limits_.max_elements / total);
    const int64_t max_dim = std::min<int64_t>(limits_.max_dim, room);
    // Small dims are more common than large ones: 1..4 half the time.
    shape[i] = rng_.Chance(0.5) ? rng_.Int(1, std::min<int64_t>(4, max_dim)) : rng_.Int(1, max_dim);
    total *= shape[i];
  }
  return shape;
}

ValueInfo ProposeContext::Float(std::vector<int64_t> shape, double lo, double hi) {
  ValueInfo info;
  info.dtype = DataType::kFloat32;
  info.shape = std::move(shape);
  info.range = {lo, hi};
  return info;
}

std::string OnnxEmitContext::Temp() { return prefix_ + "_t" + std::to_string(temps_++); }

onnx::NodeProto& OnnxEmitContext::Node(const std::string& op_type,
                                       const std::vector<std::string>& inputs,
                                       const std::vector<std::string>& outputs) {
  onnx::NodeProto* node = graph_.add_node();
  node->set_op_type(op_type);
  node->set_name(prefix_ + "_" + op_type + std::to_string(graph_.node_size()));
  for (const auto& name : inputs) node->add_input(name);
  for (const auto& name : outputs) node->add_output(name);
  return *node;
}

std::string OnnxEmitContext::ConstInts(const std::vector<int64_t>& values, bool scalar) {
  onnx::TensorProto* tensor = graph_.add_initializer();
  std::string name = Temp();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::INT64);
  if (!scalar) tensor->add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) tensor->add_int64_data(v);
  return name;
}

std::string OnnxEmitContext::ConstFloats(const std::vector<float>& values, bool scalar) {
  onnx::TensorProto* tensor = graph_.add_initializer();
  std::string name = Temp();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::FLOAT);
  if (!scalar) tensor->add_dims(static_cast<int64_t>(values.size()));
  for (float v : values) tensor->add_float_data(v);
  return name;
}

void SetAttr(onnx::NodeProto& node, const std::string& name, int64_t value) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto::INT);
  attr->set_i(value);
}

void SetAttr(onnx::NodeProto& node, const std::string& name, float value) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto::FLOAT);
  attr->set_f(value);
}

void SetAttr(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto::STRING);
  attr->set_s(value);
}

void SetAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) attr->add_ints(v);
}

void SetAttr(onnx::NodeProto& node, const std::string& name, const std::vector<float>& values) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto::FLOATS);
  for (float v : values) attr->add_floats(v);
}

const std::vector<OpSpec>& Catalog() {
  static const std::vector<OpSpec>* catalog = [] {
    auto* ops = new std::vector<OpSpec>();
    RegisterElementwiseOps(*ops);
    RegisterReduceOps(*ops);
    RegisterNnOps(*ops);
    RegisterShapeOps(*ops);
    AddTensorFlowForms(*ops);
    std::sort(ops->begin(), ops->end(),
              [](const OpSpec& a, const OpSpec& b) { return a.name < b.name; });
    return ops;
  }();
  return *catalog;
}

const OpSpec* FindOp(const std::string& name) {
  for (const auto& op : Catalog()) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

bool IsExactOp(const std::string& op) {
  static const std::set<std::string> kExact = {
      // Elementwise, selections and casts.
      "relu", "neg", "abs", "add", "sub", "mul", "div", "maximum", "minimum", "clamp", "hardtanh",
      "relu6", "floor", "ceil", "round", "sign", "square", "sqrt", "to_int64", "to_float",
      "add_int_float", "gt", "gt_int", "lt", "ge", "le", "eq", "ne", "where", "logical_and",
      "logical_or", "logical_xor", "logical_not",
      // Reductions that select rather than sum.
      "amax", "amin", "argmax", "argmin", "topk", "sort", "max_dim", "max_pool1d", "max_pool2d",
      "max_pool3d",
      // Data movement.
      "reshape", "flatten", "transpose", "permute", "squeeze", "unsqueeze", "expand", "stack",
      "slice", "gather", "index_select", "flip", "repeat", "split", "chunk", "concat", "roll",
      "pad", "scatter"};
  return kExact.count(op) > 0;
}

std::vector<bool> ExactValues(const Graph& graph) {
  std::vector<bool> exact(graph.values.size(), true);
  for (size_t v = 0; v < graph.values.size(); ++v) {
    const Value& value = graph.values[v];
    if (value.kind != ValueKind::kNode) continue;
    bool ok = IsExactOp(graph.nodes[value.producer].op);
    for (int in : graph.nodes[value.producer].inputs) ok = ok && exact[in];
    exact[v] = ok;
  }
  return exact;
}

bool HasReconvergentAncestry(const Graph& graph, int value) {
  // Walks the ancestry edge by edge: a value reached a second time has two paths to `value`.
  std::vector<bool> seen(graph.values.size(), false);
  std::vector<int> stack = {value};
  seen[value] = true;
  while (!stack.empty()) {
    const Value& v = graph.values[stack.back()];
    stack.pop_back();
    if (v.kind != ValueKind::kNode) continue;
    for (int in : graph.nodes[v.producer].inputs) {
      if (graph.values[in].kind == ValueKind::kParam) continue;  // Weights are drawn once each.
      if (seen[in]) return true;
      seen[in] = true;
      stack.push_back(in);
    }
  }
  return false;
}

StatusOr<std::vector<int64_t>> BroadcastShapes(const std::vector<int64_t>& a,
                                               const std::vector<int64_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return InvalidArgument("shapes do not broadcast (" + std::to_string(da) + " vs " +
                             std::to_string(db) + ")");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Range AddRanges(Range a, Range b) { return {a.lo + b.lo, a.hi + b.hi}; }

Range MulRanges(Range a, Range b) {
  const double c[] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

Range UnionRange(Range a, Range b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

namespace {
std::string JoinInts(const std::vector<int64_t>& values) {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(values[i]);
  }
  return text;
}
}  // namespace

std::string PyList(const std::vector<int64_t>& values) { return "[" + JoinInts(values) + "]"; }

std::string PyTuple(const std::vector<int64_t>& values) {
  return "(" + JoinInts(values) + (values.size() == 1 ? ",)" : ")");
}

std::string PyFloat(double value) {
  char buffer[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string text = buffer;
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

}  // namespace convcheck::gen
