//===- interp/kernels/misc/gradient.cc - Gradient (ai.onnx.preview.training 1) ===//
//
// Gradient computes dy/dx for each x named in `xs`, where y (attribute `y`) is computed by the
// nodes of the same graph from the tensors named in `xs` and `zs` (whose values are the node's
// inputs, xs first) and from initializers. Reverse-mode differentiation over those nodes, with
// the upstream gradient of y all ones (the spec's convention: the gradient of sum(y)).
//
// Supported in the differentiated part of the graph: Add, Sub, Mul, Div, Neg and Identity, with
// multidirectional broadcasting (a broadcast operand's gradient is summed over the broadcast
// dimensions). Any other operator there is Unimplemented, naming it.
//
// Numerics: forward values and gradients in double, rounded once to each x's type.
//
//===----------------------------------------------------------------------===//
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/kernels.h"
#include "onnx/tensor_proto.h"

namespace convcheck::interp {
namespace {

struct Dense {
  Shape shape;
  std::vector<double> v;
};

Dense FromTensor(const Tensor& t) {
  Dense d{t.shape(), std::vector<double>(static_cast<size_t>(t.num_elements()))};
  for (int64_t i = 0; i < t.num_elements(); ++i) d.v[i] = t.GetAsDouble(i);
  return d;
}

// Sums `g` (of shape `out`) down to `shape`, the operand's shape before broadcasting.
std::vector<double> ReduceTo(const std::vector<double>& g, const Shape& out, const Shape& shape) {
  std::vector<double> r(static_cast<size_t>(NumElements(shape)), 0.0);
  BroadcastIndex index(out, {shape});
  for (size_t i = 0; i < g.size(); ++i) {
    r[index[0]] += g[i];
    index.Next();
  }
  return r;
}

bool Supported(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Neg" ||
         op == "Identity";
}

class Gradient final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    xs_ = ctx.attr_strings("xs");
    zs_ = ctx.attr_strings("zs");
    y_ = ctx.attr_string("y", "");
    if (xs_.empty() || y_.empty()) return InvalidArgument("Gradient needs the attributes xs and y");
    const int n = static_cast<int>(xs_.size() + zs_.size());
    CC_RETURN_IF_ERROR(
        ctx.ExpectArity(n, n, static_cast<int>(xs_.size()), static_cast<int>(xs_.size())));
    for (int i = 0; i < n; ++i) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      if (!IsFloatingPoint(ctx.input(i).dtype())) {
        return InvalidArgument("Gradient input " + std::to_string(i) + " must be float, got " +
                               std::string(DataTypeName(ctx.input(i).dtype())));
      }
    }
    // The nodes between the given tensors and y, in graph order.
    const onnx::GraphProto& graph = ctx.graph();
    std::set<std::string> given(xs_.begin(), xs_.end());
    given.insert(zs_.begin(), zs_.end());
    std::map<std::string, int> producer;
    for (int i = 0; i < graph.node_size(); ++i) {
      for (const auto& out : graph.node(i).output()) producer[out] = i;
    }
    std::set<int> needed;
    std::vector<std::string> todo = {y_};
    while (!todo.empty()) {
      const std::string name = todo.back();
      todo.pop_back();
      if (given.count(name)) continue;
      auto it = producer.find(name);
      if (it == producer.end()) continue;  // An initializer, checked when it is read.
      if (!needed.insert(it->second).second) continue;
      const onnx::NodeProto& node = graph.node(it->second);
      if (!Supported(node.op_type())) {
        return Unimplemented("Gradient through " + node.op_type() +
                             " is not supported (Add, Sub, "
                             "Mul, Div, Neg and Identity are)");
      }
      for (const auto& in : node.input()) todo.push_back(in);
    }
    nodes_.assign(needed.begin(), needed.end());
    for (size_t k = 0; k < xs_.size(); ++k) {
      ctx.SetOutput(static_cast<int>(k), ctx.input(static_cast<int>(k)).dtype(),
                    ctx.input(static_cast<int>(k)).shape());
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const onnx::GraphProto& graph = ctx.graph();
    std::map<std::string, Dense> values;
    for (size_t k = 0; k < xs_.size() + zs_.size(); ++k) {
      const std::string& name = k < xs_.size() ? xs_[k] : zs_[k - xs_.size()];
      values[name] = FromTensor(ctx.input(static_cast<int>(k)));
    }
    auto value = [&](const std::string& name) -> StatusOr<const Dense*> {
      auto it = values.find(name);
      if (it != values.end()) return &it->second;
      for (const auto& init : graph.initializer()) {
        if (init.name() == name) {
          CC_ASSIGN_OR_RETURN(Tensor t, onnxio::TensorFromProto(init));
          values[name] = FromTensor(t);
          return &values[name];
        }
      }
      return InvalidArgument("Gradient needs '" + name +
                             "', which is neither in xs, zs nor an "
                             "initializer");
    };
    // Forward.
    for (int i : nodes_) {
      const onnx::NodeProto& node = graph.node(i);
      const std::string& op = node.op_type();
      CC_ASSIGN_OR_RETURN(const Dense* a, value(node.input(0)));
      Dense out;
      if (op == "Neg" || op == "Identity") {
        out = *a;
        if (op == "Neg") {
          for (double& v : out.v) v = -v;
        }
      } else {
        CC_ASSIGN_OR_RETURN(const Dense* b, value(node.input(1)));
        CC_ASSIGN_OR_RETURN(out.shape, BroadcastShapes({a->shape, b->shape}));
        out.v.resize(static_cast<size_t>(NumElements(out.shape)));
        BroadcastIndex index(out.shape, {a->shape, b->shape});
        for (double& v : out.v) {
          const double x = a->v[index[0]], y = b->v[index[1]];
          v = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
          index.Next();
        }
      }
      values[node.output(0)] = std::move(out);
    }
    // Backward from y.
    CC_ASSIGN_OR_RETURN(const Dense* y, value(y_));
    std::map<std::string, std::vector<double>> grads;
    grads[y_].assign(y->v.size(), 1.0);
    auto accumulate = [&](const std::string& name, const std::vector<double>& g) {
      std::vector<double>& slot = grads[name];
      if (slot.empty()) slot.assign(g.size(), 0.0);
      for (size_t i = 0; i < g.size(); ++i) slot[i] += g[i];
    };
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
      const onnx::NodeProto& node = graph.node(*it);
      auto gi = grads.find(node.output(0));
      if (gi == grads.end()) continue;
      const std::vector<double> g = gi->second;
      const std::string& op = node.op_type();
      const Dense& a = values[node.input(0)];
      if (op == "Neg" || op == "Identity") {
        std::vector<double> ga = g;
        if (op == "Neg") {
          for (double& v : ga) v = -v;
        }
        accumulate(node.input(0), ga);
        continue;
      }
      const Dense& b = values[node.input(1)];
      const Shape& out = values[node.output(0)].shape;
      std::vector<double> ga(g.size()), gb(g.size());
      BroadcastIndex index(out, {a.shape, b.shape});
      for (size_t i = 0; i < g.size(); ++i) {
        const double x = a.v[index[0]], v = b.v[index[1]];
        if (op == "Add") {
          ga[i] = g[i], gb[i] = g[i];
        } else if (op == "Sub") {
          ga[i] = g[i], gb[i] = -g[i];
        } else if (op == "Mul") {
          ga[i] = g[i] * v, gb[i] = g[i] * x;
        } else {
          ga[i] = g[i] / v, gb[i] = -g[i] * x / (v * v);
        }
        index.Next();
      }
      accumulate(node.input(0), ReduceTo(ga, out, a.shape));
      accumulate(node.input(1), ReduceTo(gb, out, b.shape));
    }
    for (size_t k = 0; k < xs_.size(); ++k) {
      Tensor& o = ctx.output(static_cast<int>(k));
      auto it = grads.find(xs_[k]);
      if (it == grads.end()) continue;  // y does not depend on x: zeros.
      for (int64_t i = 0; i < o.num_elements(); ++i) o.SetFromDouble(i, it->second[i]);
    }
    return Status::Ok();
  }

 private:
  std::vector<std::string> xs_, zs_;
  std::string y_;
  std::vector<int> nodes_;  // Graph indices, ascending (graph order is topological).
};

}  // namespace

std::unique_ptr<Kernel> MakeGradient() { return std::make_unique<Gradient>(); }

}  // namespace convcheck::interp
