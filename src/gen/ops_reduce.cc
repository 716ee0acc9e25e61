// Reductions, the softmax family and scans (cumsum, topk, argmax, sort).
#include <algorithm>
#include <cmath>
#include <set>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

bool IsFloat(const ValueInfo& info) { return info.dtype == DataType::kFloat32; }

// A float candidate of rank >= 1 satisfying `pred`; exactly computed and tie-free for the
// tie-sensitive ops.
std::optional<int> PickFloat(ProposeContext& ctx, bool tie_sensitive,
                             const std::function<bool(const ValueInfo&)>& pred) {
  std::vector<bool> exact;
  if (tie_sensitive) exact = ExactValues(ctx.graph());
  std::vector<int> fits;
  for (int v : ctx.candidates()) {
    const ValueInfo& info = ctx.info(v);
    if (!IsFloat(info) || info.rank() < 1 || !pred(info)) continue;
    if (tie_sensitive && (info.may_tie || !exact[v] || HasReconvergentAncestry(ctx.graph(), v))) {
      continue;
    }
    fits.push_back(v);
  }
  if (fits.empty()) return std::nullopt;
  if (ctx.rng().Chance(0.5)) return fits.back();
  return ctx.rng().Choice(fits);
}

Range Widen(Range r) {
  const double slack = 1e-6 * std::max(std::fabs(r.lo), std::fabs(r.hi)) + 1e-7;
  return {r.lo - slack, r.hi + slack};
}

// Dims to reduce: usually one or two, sometimes all (a scalar result).
std::vector<int64_t> RandomDims(Rng& rng, int64_t rank, bool single) {
  std::vector<int64_t> all(rank);
  for (int64_t i = 0; i < rank; ++i) all[i] = i;
  if (single) return {rng.Int(0, rank - 1)};
  if (rng.Chance(0.1)) return all;  // With keepdim=False a rank-0 result, refused for now.
  const int64_t count = std::min<int64_t>(rank, rng.Chance(0.6) ? 1 : 2);
  std::vector<int64_t> dims;
  while (static_cast<int64_t>(dims.size()) < count) {
    const int64_t d = rng.Int(0, rank - 1);
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.push_back(d);
  }
  std::sort(dims.begin(), dims.end());
  return dims;
}

struct Reduced {
  std::vector<int64_t> shape;  // The result's.
  int64_t count = 1;           // Elements reduced into each result.
};

// The result shape of reducing `dims` (sorted, distinct, in range) of `shape`.
StatusOr<Reduced> ReduceShape(const std::vector<int64_t>& shape, const std::vector<int64_t>& dims,
                              bool keepdim) {
  if (dims.empty()) return InvalidArgument("no dims to reduce");
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0 || dims[i] >= static_cast<int64_t>(shape.size()) ||
        (i > 0 && dims[i] <= dims[i - 1])) {
      return InvalidArgument("bad reduction dims");
    }
  }
  Reduced out;
  for (size_t i = 0; i < shape.size(); ++i) {
    const bool reduced = std::find(dims.begin(), dims.end(), static_cast<int64_t>(i)) != dims.end();
    if (reduced) out.count *= shape[i];
    if (!reduced) {
      out.shape.push_back(shape[i]);
    } else if (keepdim) {
      out.shape.push_back(1);
    }
  }
  // Rank-0 results are refused for now: the python worker and gen_selfcheck.py store a 0-d
  // reference output as shape [1] (np.ascontiguousarray), so every scalar would mismatch.
  if (out.shape.empty()) return InvalidArgument("rank-0 result");
  return out;
}

std::string PyBool(int64_t b) { return b ? "True" : "False"; }

// A reduction over the "dims" attribute with "keepdim". `range` gives the output range from the
// input range and the reduced count (nullopt: unsafe); `single` ops take one dim (torch.prod,
// argmax); `python` gets the operand and a ", dim=..., keepdim=..." suffix.
struct ReduceDef {
  std::string name;
  std::string torch_name;
  std::function<std::optional<Range>(Range, int64_t)> range;
  std::function<void(OnnxEmitContext&, const std::vector<int64_t>& dims, int64_t keepdim)> onnx;
  bool single = false;
  bool tie_sensitive = false;
  DataType out_type = DataType::kFloat32;
  bool out_ties = false;
  int64_t min_count = 1;
  std::string extra_args = "";  // Between dim and keepdim, e.g. ", unbiased=True".
};

OpSpec Reduce(ReduceDef def) {
  OpSpec op;
  op.name = def.name;
  op.torch_name = def.torch_name;
  op.family = "reduce";
  op.propose = [def](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = PickFloat(ctx, def.tie_sensitive, [&](const ValueInfo& info) {
      return def.range(info.range, 2).has_value();
    });
    if (!x) return std::nullopt;
    const ValueInfo& info = ctx.info(*x);
    Attrs attrs{{"dims", RandomDims(ctx.rng(), info.rank(), def.single)},
                {"keepdim", static_cast<int64_t>(ctx.rng().Chance(0.5))}};
    return Proposal{{Operand::Existing(*x)}, attrs};
  };
  op.infer = [def](const std::vector<ValueInfo>& in,
                   const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0])) return InvalidArgument(def.name + " takes one float");
    const std::vector<int64_t> dims = AttrInts(attrs, "dims");
    if (def.single && dims.size() != 1) return InvalidArgument(def.name + " takes one dim");
    if (def.tie_sensitive && in[0].may_tie) {
      return InvalidArgument(def.name + ": elements may tie, engines break ties differently");
    }
    CC_ASSIGN_OR_RETURN(Reduced reduced, ReduceShape(in[0].shape, dims, AttrInt(attrs, "keepdim")));
    if (reduced.count < def.min_count) return InvalidArgument(def.name + ": too few elements");
    std::optional<Range> range = def.range(in[0].range, reduced.count);
    if (!range) return InvalidArgument(def.name + " is unsafe on this range");
    ValueInfo out;
    out.dtype = def.out_type;
    out.shape = reduced.shape;
    out.range = *range;
    out.may_tie = in[0].may_tie || def.out_ties;
    return std::vector<ValueInfo>{out};
  };
  op.python = [def](const std::vector<std::string>& args, const Attrs& attrs,
                    const std::vector<ValueInfo>&) {
    const std::vector<int64_t> dims = AttrInts(attrs, "dims");
    const std::string dim = def.single ? std::to_string(dims[0]) : PyTuple(dims);
    return def.torch_name + "(" + args[0] + ", dim=" + dim + def.extra_args +
           ", keepdim=" + PyBool(AttrInt(attrs, "keepdim")) + ")";
  };
  op.onnx = [def](OnnxEmitContext& ctx) {
    def.onnx(ctx, AttrInts(ctx.attrs(), "dims"), AttrInt(ctx.attrs(), "keepdim"));
  };
  return op;
}

// Opset 17 reductions other than ReduceSum take their axes as an attribute (an input from 18).
std::function<void(OnnxEmitContext&, const std::vector<int64_t>&, int64_t)> OnnxReduceAttr(
    std::string onnx_op) {
  return [onnx_op](OnnxEmitContext& ctx, const std::vector<int64_t>& dims, int64_t keepdim) {
    onnx::NodeProto& node = ctx.Node(onnx_op, {ctx.in()[0]}, {ctx.out()[0]});
    SetAttr(node, "axes", dims);
    SetAttr(node, "keepdims", keepdim);
  };
}

// ReduceSum has taken its axes as an input since opset 13.
void OnnxReduceSum(OnnxEmitContext& ctx, const std::string& x, const std::vector<int64_t>& dims,
                   int64_t keepdim, const std::string& out) {
  SetAttr(ctx.Node("ReduceSum", {x, ctx.ConstInts(dims)}, {out}), "keepdims", keepdim);
}

// Unbiased variance, two-pass like torch (a one-pass E[x^2] - E[x]^2 could go negative).
void OnnxVar(OnnxEmitContext& ctx, const std::vector<int64_t>& dims, int64_t keepdim,
             const std::string& out) {
  const ValueInfo& in = ctx.in_info()[0];
  int64_t count = 1;
  for (int64_t d : dims) count *= in.shape[d];
  const std::string mean = ctx.Temp(), diff = ctx.Temp(), sq = ctx.Temp(), sum = ctx.Temp();
  onnx::NodeProto& m = ctx.Node("ReduceMean", {ctx.in()[0]}, {mean});
  SetAttr(m, "axes", dims);
  SetAttr(m, "keepdims", static_cast<int64_t>(1));
  ctx.Node("Sub", {ctx.in()[0], mean}, {diff});
  ctx.Node("Mul", {diff, diff}, {sq});
  OnnxReduceSum(ctx, sq, dims, keepdim, sum);
  ctx.Node("Div", {sum, ctx.ConstFloats({static_cast<float>(count - 1)}, true)}, {out});
}

// The dim-attribute ops over one dim: softmax, log_softmax, cumsum.
struct DimDef {
  std::string name;
  std::string torch_name;
  std::string family;
  // Output range and extra ties from the input range and the dim's size.
  std::function<std::optional<Range>(Range, int64_t)> range;
  std::function<bool(Range, int64_t)> ties;
  std::function<void(OnnxEmitContext&, int64_t dim)> onnx;
};

OpSpec DimOp(DimDef def) {
  OpSpec op;
  op.name = def.name;
  op.torch_name = def.torch_name;
  op.family = def.family;
  op.propose = [def](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = PickFloat(ctx, false, [&](const ValueInfo& info) {
      return def.range(info.range, info.shape.back()).has_value();
    });
    if (!x) return std::nullopt;
    return Proposal{{Operand::Existing(*x)}, {{"dim", ctx.rng().Int(0, ctx.info(*x).rank() - 1)}}};
  };
  op.infer = [def](const std::vector<ValueInfo>& in,
                   const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0])) return InvalidArgument(def.name + " takes one float");
    const int64_t dim = AttrInt(attrs, "dim");
    if (dim < 0 || dim >= in[0].rank()) return InvalidArgument(def.name + ": bad dim");
    const int64_t size = in[0].shape[dim];
    std::optional<Range> range = def.range(in[0].range, size);
    if (!range) return InvalidArgument(def.name + " is unsafe on this range");
    ValueInfo out = in[0];
    out.range = *range;
    out.may_tie = in[0].may_tie || def.ties(in[0].range, size);
    return std::vector<ValueInfo>{out};
  };
  op.python = [def](const std::vector<std::string>& args, const Attrs& attrs,
                    const std::vector<ValueInfo>&) {
    return def.torch_name + "(" + args[0] + ", dim=" + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  op.onnx = [def](OnnxEmitContext& ctx) { def.onnx(ctx, AttrInt(ctx.attrs(), "dim")); };
  return op;
}

// Ops with (values, indices) results along one dim: topk, sort, max_dim. All refuse inputs that
// may tie. Attributes: "dim", and "k" (topk), "descending" (sort), "keepdim" (max_dim).
enum class IndexedKind { kTopk, kSort, kMaxDim };

OpSpec Indexed(std::string name, std::string torch_name, IndexedKind kind) {
  OpSpec op;
  op.name = name;
  op.torch_name = torch_name;
  op.family = "scan";
  op.propose = [kind](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = PickFloat(ctx, true, [](const ValueInfo&) { return true; });
    if (!x) return std::nullopt;
    const ValueInfo& info = ctx.info(*x);
    const int64_t dim = ctx.rng().Int(0, info.rank() - 1);
    Attrs attrs{{"dim", dim}};
    if (kind == IndexedKind::kTopk) attrs["k"] = ctx.rng().Int(1, info.shape[dim]);
    if (kind == IndexedKind::kSort) {
      attrs["descending"] = static_cast<int64_t>(ctx.rng().Chance(0.5));
    }
    if (kind == IndexedKind::kMaxDim) {
      attrs["keepdim"] = static_cast<int64_t>(ctx.rng().Chance(0.5));
    }
    return Proposal{{Operand::Existing(*x)}, attrs};
  };
  op.infer = [name, kind](const std::vector<ValueInfo>& in,
                          const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0])) return InvalidArgument(name + " takes one float");
    if (in[0].may_tie) {
      return InvalidArgument(name + ": elements may tie, engines break ties differently");
    }
    const int64_t dim = AttrInt(attrs, "dim", -1);
    if (dim < 0 || dim >= in[0].rank()) return InvalidArgument(name + ": bad dim");
    const int64_t size = in[0].shape[dim];
    ValueInfo values = in[0];
    if (kind == IndexedKind::kTopk) {
      const int64_t k = AttrInt(attrs, "k");
      if (k < 1 || k > size) return InvalidArgument("topk: k out of range");
      values.shape[dim] = k;
    }
    if (kind == IndexedKind::kMaxDim) {
      if (AttrInt(attrs, "keepdim")) {
        values.shape[dim] = 1;
      } else {
        values.shape.erase(values.shape.begin() + dim);
        if (values.shape.empty()) return InvalidArgument("max_dim: rank-0 result (see Reduce)");
      }
    }
    ValueInfo indices = values;
    indices.dtype = DataType::kInt64;
    indices.range = {0, static_cast<double>(size - 1)};
    indices.may_tie = true;
    return std::vector<ValueInfo>{values, indices};
  };
  op.python = [torch_name, kind](const std::vector<std::string>& args, const Attrs& attrs,
                                 const std::vector<ValueInfo>&) {
    const std::string dim = std::to_string(AttrInt(attrs, "dim"));
    switch (kind) {
      case IndexedKind::kTopk:
        return torch_name + "(" + args[0] + ", " + std::to_string(AttrInt(attrs, "k")) +
               ", dim=" + dim + ", largest=True, sorted=True)";
      case IndexedKind::kSort:
        return torch_name + "(" + args[0] + ", dim=" + dim +
               ", descending=" + PyBool(AttrInt(attrs, "descending")) + ")";
      case IndexedKind::kMaxDim:
        return torch_name + "(" + args[0] + ", dim=" + dim +
               ", keepdim=" + PyBool(AttrInt(attrs, "keepdim")) + ")";
    }
    return std::string();
  };
  op.onnx = [kind](OnnxEmitContext& ctx) {
    const int64_t dim = AttrInt(ctx.attrs(), "dim");
    if (kind == IndexedKind::kMaxDim) {
      const int64_t keepdim = AttrInt(ctx.attrs(), "keepdim");
      onnx::NodeProto& max = ctx.Node("ReduceMax", {ctx.in()[0]}, {ctx.out()[0]});
      SetAttr(max, "axes", std::vector<int64_t>{dim});
      SetAttr(max, "keepdims", keepdim);
      onnx::NodeProto& arg = ctx.Node("ArgMax", {ctx.in()[0]}, {ctx.out()[1]});
      SetAttr(arg, "axis", dim);
      SetAttr(arg, "keepdims", keepdim);
      return;
    }
    // Sorting is a TopK of every element; ascending is "smallest first".
    const int64_t k =
        kind == IndexedKind::kTopk ? AttrInt(ctx.attrs(), "k") : ctx.in_info()[0].shape[dim];
    const int64_t largest = kind == IndexedKind::kTopk ? 1 : AttrInt(ctx.attrs(), "descending");
    onnx::NodeProto& node =
        ctx.Node("TopK", {ctx.in()[0], ctx.ConstInts({k})}, {ctx.out()[0], ctx.out()[1]});
    SetAttr(node, "axis", dim);
    SetAttr(node, "largest", largest);
    SetAttr(node, "sorted", static_cast<int64_t>(1));
  };
  return op;
}

double Mag(Range r) { return std::max(std::fabs(r.lo), std::fabs(r.hi)); }

}  // namespace

void RegisterReduceOps(std::vector<OpSpec>& ops) {
  auto reduce = [&](ReduceDef def) { ops.push_back(Reduce(std::move(def))); };
  reduce({"sum", "torch.sum",
          [](Range r, int64_t n) -> std::optional<Range> {
            return Widen({std::min(r.lo, n * r.lo), std::max(r.hi, n * r.hi)});
          },
          [](OnnxEmitContext& ctx, const std::vector<int64_t>& dims, int64_t keepdim) {
            OnnxReduceSum(ctx, ctx.in()[0], dims, keepdim, ctx.out()[0]);
          }});
  reduce({"mean", "torch.mean", [](Range r, int64_t) -> std::optional<Range> { return Widen(r); },
          OnnxReduceAttr("ReduceMean")});
  reduce({"amax", "torch.amax", [](Range r, int64_t) -> std::optional<Range> { return r; },
          OnnxReduceAttr("ReduceMax")});
  reduce({"amin", "torch.amin", [](Range r, int64_t) -> std::optional<Range> { return r; },
          OnnxReduceAttr("ReduceMin")});
  // Products grow fast: only where every partial product stays within 1e4 in magnitude.
  reduce({"prod", "torch.prod",
          [](Range r, int64_t n) -> std::optional<Range> {
            const double m = Mag(r);
            if (m > 1 && n * std::log(m) > std::log(1e4)) return std::nullopt;
            const double mn = std::pow(m, static_cast<double>(n));
            if (r.lo >= 0) return Widen({std::pow(r.lo, static_cast<double>(n)), mn});
            return Widen({-mn, mn});
          },
          OnnxReduceAttr("ReduceProd"), /*single=*/true});
  // Bounded so that even a naive exp-sum-log stays finite and accurate.
  reduce({"logsumexp", "torch.logsumexp",
          [](Range r, int64_t n) -> std::optional<Range> {
            if (Mag(r) > 50) return std::nullopt;
            return Widen({r.lo, r.hi + std::log(static_cast<double>(n))});
          },
          OnnxReduceAttr("ReduceLogSumExp")});
  // Unbiased variance needs two elements; Popoviciu bounds the population variance by
  // (hi - lo)^2 / 4.
  auto var_range = [](Range r, int64_t n) -> std::optional<Range> {
    const double w = r.hi - r.lo;
    return Range{0, w * w / 4 * n / std::max<int64_t>(1, n - 1) * (1 + 1e-5) + 1e-7};
  };
  {
    ReduceDef var{"var", "torch.var", var_range,
                  [](OnnxEmitContext& ctx, const std::vector<int64_t>& dims, int64_t keepdim) {
                    OnnxVar(ctx, dims, keepdim, ctx.out()[0]);
                  }};
    var.min_count = 2;
    var.extra_args = ", unbiased=True";
    reduce(var);
    ReduceDef std_def{"std", "torch.std",
                      [var_range](Range r, int64_t n) -> std::optional<Range> {
                        return Range{0, std::sqrt(var_range(r, n)->hi)};
                      },
                      [](OnnxEmitContext& ctx, const std::vector<int64_t>& dims, int64_t keepdim) {
                        const std::string v = ctx.Temp();
                        OnnxVar(ctx, dims, keepdim, v);
                        ctx.Node("Sqrt", {v}, {ctx.out()[0]});
                      }};
    std_def.min_count = 2;
    std_def.extra_args = ", unbiased=True";
    reduce(std_def);
  }
  {
    // Not "norm": that is the family of batch_norm and friends, and --ops takes both.
    ReduceDef norm{"vector_norm", "torch.linalg.vector_norm",
                   [](Range r, int64_t n) -> std::optional<Range> {
                     return Range{0, Mag(r) * std::sqrt(static_cast<double>(n)) * (1 + 1e-5)};
                   },
                   OnnxReduceAttr("ReduceL2")};
    norm.extra_args = ", ord=2";
    reduce(norm);
  }
  auto arg = [&](std::string name, std::string onnx_op) {
    ReduceDef def{
        name, "torch." + name,
        [](Range, int64_t) -> std::optional<Range> {
          return Range{0, 0};
        },
        [onnx_op](OnnxEmitContext& ctx, const std::vector<int64_t>& dims, int64_t keepdim) {
          onnx::NodeProto& node = ctx.Node(onnx_op, {ctx.in()[0]}, {ctx.out()[0]});
          SetAttr(node, "axis", dims[0]);
          SetAttr(node, "keepdims", keepdim);
        }};
    def.single = true;
    def.tie_sensitive = true;
    def.out_type = DataType::kInt64;
    def.out_ties = true;
    OpSpec op = Reduce(def);
    // The index range is [0, size - 1] of the reduced dim, which the generic rule cannot see.
    op.infer = [generic = op.infer](const std::vector<ValueInfo>& in,
                                    const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
      CC_ASSIGN_OR_RETURN(std::vector<ValueInfo> out, generic(in, attrs));
      const int64_t dim = AttrInts(attrs, "dims")[0];
      out[0].range = {0, static_cast<double>(in[0].shape[dim] - 1)};
      return out;
    };
    ops.push_back(op);
  };
  arg("argmax", "ArgMax");
  arg("argmin", "ArgMin");

  // Over a dim of size 1 both are constant (1 and 0) in PyTorch but near-constant noise in an
  // engine that computes exp(x - max) / sum, which a later std or division blows up: a false
  // mismatch found by fuzzing (std(exp(softmax(x, dim of 1)))). Refused.
  ops.push_back(DimOp({"softmax", "torch.softmax", "softmax",
                       [](Range, int64_t size) -> std::optional<Range> {
                         if (size == 1) return std::nullopt;
                         return Range{0, 1};
                       },
                       // A single element gives 1; a wide spread underflows to 0.
                       [](Range r, int64_t size) { return size == 1 || r.hi - r.lo > 20; },
                       [](OnnxEmitContext& ctx, int64_t dim) {
                         SetAttr(ctx.Node("Softmax", {ctx.in()[0]}, {ctx.out()[0]}), "axis", dim);
                       }}));
  ops.push_back(DimOp({"log_softmax", "torch.log_softmax", "softmax",
                       [](Range r, int64_t size) -> std::optional<Range> {
                         if (size == 1) return std::nullopt;
                         return Widen({r.lo - r.hi - std::log(static_cast<double>(size)), 0});
                       },
                       [](Range, int64_t size) { return size == 1; },
                       [](OnnxEmitContext& ctx, int64_t dim) {
                         SetAttr(ctx.Node("LogSoftmax", {ctx.in()[0]}, {ctx.out()[0]}), "axis",
                                 dim);
                       }}));
  ops.push_back(
      DimOp({"cumsum", "torch.cumsum", "scan",
             [](Range r, int64_t size) -> std::optional<Range> {
               return Widen({std::min(r.lo, size * r.lo), std::max(r.hi, size * r.hi)});
             },
             [](Range, int64_t) { return false; },
             [](OnnxEmitContext& ctx, int64_t dim) {
               ctx.Node("CumSum", {ctx.in()[0], ctx.ConstInts({dim}, true)}, {ctx.out()[0]});
             }}));
  ops.push_back(Indexed("topk", "torch.topk", IndexedKind::kTopk));
  ops.push_back(Indexed("sort", "torch.sort", IndexedKind::kSort));
  ops.push_back(Indexed("max_dim", "torch.max", IndexedKind::kMaxDim));
}

}  // namespace convcheck::gen
