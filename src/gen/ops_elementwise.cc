// Elementwise math, activations, comparisons and casts.
#include <algorithm>
#include <cmath>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

bool IsFloat(const ValueInfo& info) { return info.dtype == DataType::kFloat32; }

// A float unary op whose output range follows from the input's by a monotone-or-not map given
// as `range` (nullopt: not applicable to that input range).
OpSpec FloatUnary(std::string name, std::string torch_name, std::string family,
                  std::function<std::optional<Range>(Range)> range, std::string python_fmt,
                  std::string onnx_op, bool introduces_ties = false) {
  OpSpec op;
  op.name = std::move(name);
  op.torch_name = torch_name;
  op.family = std::move(family);
  op.propose = [range](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x =
        ctx.Pick([&](const ValueInfo& info) { return IsFloat(info) && range(info.range); });
    if (!x) return std::nullopt;
    return Proposal{{Operand::Existing(*x)}, {}};
  };
  op.infer = [range, introduces_ties, op_name = op.name](
                 const std::vector<ValueInfo>& in,
                 const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0])) return InvalidArgument(op_name + " takes one float");
    std::optional<Range> out_range = range(in[0].range);
    if (!out_range) return InvalidArgument(op_name + " is unsafe on this input range");
    ValueInfo out = in[0];
    out.range = *out_range;
    out.may_tie = in[0].may_tie || introduces_ties;
    return std::vector<ValueInfo>{out};
  };
  op.python = [torch_name](const std::vector<std::string>& args, const Attrs&,
                           const std::vector<ValueInfo>&) { return torch_name + "(" + args[0] + ")"; };
  op.onnx = [onnx_op](OnnxEmitContext& ctx) { ctx.Node(onnx_op, {ctx.in()[0]}, {ctx.out()[0]}); };
  (void)python_fmt;
  return op;
}

// A float binary op with NumPy broadcasting; the second operand is an existing value of a
// broadcast-compatible shape, or a new input or parameter of such a shape.
OpSpec FloatBinary(std::string name, std::string torch_name,
                   std::function<std::optional<Range>(Range, Range)> range, std::string onnx_op) {
  OpSpec op;
  op.name = std::move(name);
  op.torch_name = torch_name;
  op.family = "elementwise";
  op.propose = [range](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> a = ctx.Pick(IsFloat);
    if (!a) return std::nullopt;
    const ValueInfo& ai = ctx.info(*a);
    std::optional<int> b = ctx.Pick([&](const ValueInfo& info) {
      return IsFloat(info) && BroadcastShapes(ai.shape, info.shape).ok() &&
             range(ai.range, info.range);
    });
    if (b && ctx.rng().Chance(0.7)) return Proposal{{Operand::Existing(*a), Operand::Existing(*b)}, {}};
    // A new operand: the same shape, or ones in some dims (broadcast), as a weight or an input.
    std::vector<int64_t> shape = ai.shape;
    for (auto& d : shape) {
      if (ctx.rng().Chance(0.3)) d = 1;
    }
    ValueInfo other = ProposeContext::Float(shape, -1, 1);
    if (!range(ai.range, other.range)) other.range = {0.5, 1.5};
    if (!range(ai.range, other.range)) return std::nullopt;
    return Proposal{{Operand::Existing(*a), ctx.rng().Chance(0.5) ? Operand::Param(other)
                                                                   : Operand::Input(other)},
                    {}};
  };
  op.infer = [range, op_name = op.name](const std::vector<ValueInfo>& in,
                                        const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 2 || !IsFloat(in[0]) || !IsFloat(in[1])) {
      return InvalidArgument(op_name + " takes two floats");
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, BroadcastShapes(in[0].shape, in[1].shape));
    std::optional<Range> out_range = range(in[0].range, in[1].range);
    if (!out_range) return InvalidArgument(op_name + " is unsafe on these input ranges");
    ValueInfo out;
    out.dtype = DataType::kFloat32;
    out.shape = shape;
    out.range = *out_range;
    // Broadcasting repeats elements along the broadcast dims.
    out.may_tie = in[0].may_tie || in[1].may_tie || in[0].shape != in[1].shape;
    return std::vector<ValueInfo>{out};
  };
  op.python = [torch_name](const std::vector<std::string>& args, const Attrs&,
                           const std::vector<ValueInfo>&) {
    return torch_name + "(" + args[0] + ", " + args[1] + ")";
  };
  op.onnx = [onnx_op](OnnxEmitContext& ctx) {
    ctx.Node(onnx_op, {ctx.in()[0], ctx.in()[1]}, {ctx.out()[0]});
  };
  return op;
}

}  // namespace

void RegisterElementwiseOps(std::vector<OpSpec>& ops) {
  ops.push_back(FloatUnary(
      "relu", "torch.relu", "activation",
      [](Range r) -> std::optional<Range> { return Range{std::max(0.0, r.lo), std::max(0.0, r.hi)}; },
      "", "Relu", /*introduces_ties=*/true));
  ops.push_back(FloatBinary(
      "add", "torch.add",
      [](Range a, Range b) -> std::optional<Range> { return AddRanges(a, b); }, "Add"));
}

}  // namespace convcheck::gen
