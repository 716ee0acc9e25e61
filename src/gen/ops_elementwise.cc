// Elementwise math, activations, comparisons and casts.
#include <algorithm>
#include <cmath>
#include <set>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

bool IsFloat(const ValueInfo& info) { return info.dtype == DataType::kFloat32; }
bool IsBool(const ValueInfo& info) { return info.dtype == DataType::kBool; }

// A candidate of `dtype` satisfying `pred`, exactly computed when `exact`; like Pick, the newest
// half of the time.
std::optional<int> PickTyped(ProposeContext& ctx, DataType dtype, bool exact,
                             const std::function<bool(const ValueInfo&)>& pred) {
  std::vector<bool> is_exact;
  if (exact) is_exact = ExactValues(ctx.graph());
  std::vector<int> fits;
  for (int v : ctx.candidates()) {
    const ValueInfo& info = ctx.info(v);
    if (info.dtype != dtype || !pred(info)) continue;
    if (exact && !is_exact[v]) continue;
    fits.push_back(v);
  }
  if (fits.empty()) return std::nullopt;
  if (ctx.rng().Chance(0.5)) return fits.back();
  return ctx.rng().Choice(fits);
}

// Attribute values are multiples of 1/64, so the python literal, the ONNX float attribute and
// torch's internal double all hold the same number.
double Quantize(double x) { return std::round(x * 64.0) / 64.0; }

// A float unary op. `range` maps the input range to the output range (nullopt: unsafe or
// invalid there); `ties` says whether the op can make distinct inputs equal on that range
// (clamping, rounding, or saturating to a constant in float32).
struct UnaryDef {
  std::string name;
  std::string torch_name;
  std::string family;
  std::function<std::optional<Range>(Range, const Attrs&)> range;
  std::function<bool(Range, const Attrs&)> ties = [](Range, const Attrs&) { return false; };
  // Attributes for an operand with this info; empty by default.
  std::function<Attrs(Rng&, const ValueInfo&)> attrs = [](Rng&, const ValueInfo&) {
    return Attrs{};
  };
  // Python call suffix after the operand, e.g. ", negative_slope=0.25"; empty by default.
  std::function<std::string(const Attrs&)> py_extra = [](const Attrs&) { return std::string(); };
  std::function<void(OnnxEmitContext&)> onnx = nullptr;
  bool discontinuous = false;  // Only on exactly computed operands (see IsExactOp).
  // Operand ranges on which the op only takes exactly computed values: where it is so steep
  // that an upstream difference within tolerance would become one beyond it (sqrt near 0).
  std::function<bool(Range)> exact_if = nullptr;
  // For ops with a narrow domain (log): the range of a new model input, shaped like an
  // existing value, used when no value fits (and sometimes anyway).
  std::optional<Range> new_input_range = std::nullopt;
};

OpSpec FloatUnary(UnaryDef def) {
  // A `{}` in a definition's initializer list leaves a hook empty: use the defaults then.
  if (!def.ties) def.ties = [](Range, const Attrs&) { return false; };
  if (!def.attrs) def.attrs = [](Rng&, const ValueInfo&) { return Attrs{}; };
  if (!def.py_extra) def.py_extra = [](const Attrs&) { return std::string(); };
  OpSpec op;
  op.name = def.name;
  op.torch_name = def.torch_name;
  op.family = def.family;
  op.propose = [def](ProposeContext& ctx) -> std::optional<Proposal> {
    // Attributes may depend on the operand's range (clamp bounds): filter with a draw, then
    // draw them again for the chosen operand (infer checks the final ones).
    std::optional<int> x =
        PickTyped(ctx, DataType::kFloat32, def.discontinuous, [&](const ValueInfo& info) {
          return def.range(info.range, def.attrs(ctx.rng(), info)).has_value();
        });
    if (x && def.exact_if && def.exact_if(ctx.info(*x).range) && !ExactValues(ctx.graph())[*x]) {
      return std::nullopt;
    }
    if (def.new_input_range && (!x || ctx.rng().Chance(0.1))) {
      std::optional<int> like = ctx.Pick(IsFloat);
      if (!like) return std::nullopt;
      ValueInfo info = ProposeContext::Float(ctx.info(*like).shape, def.new_input_range->lo,
                                             def.new_input_range->hi);
      return Proposal{{Operand::Input(info)}, def.attrs(ctx.rng(), info)};
    }
    if (!x) return std::nullopt;
    Attrs attrs = def.attrs(ctx.rng(), ctx.info(*x));
    return Proposal{{Operand::Existing(*x)}, attrs};
  };
  op.infer = [def](const std::vector<ValueInfo>& in,
                   const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0])) return InvalidArgument(def.name + " takes one float");
    std::optional<Range> out_range = def.range(in[0].range, attrs);
    if (!out_range) return InvalidArgument(def.name + " is unsafe on this input range");
    ValueInfo out = in[0];
    out.range = *out_range;
    out.may_tie = in[0].may_tie || def.ties(in[0].range, attrs);
    return std::vector<ValueInfo>{out};
  };
  op.python = [def](const std::vector<std::string>& args, const Attrs& attrs,
                    const std::vector<ValueInfo>&) {
    return def.torch_name + "(" + args[0] + def.py_extra(attrs) + ")";
  };
  op.onnx = def.onnx;
  return op;
}

// ONNX lowering by a single node of this type.
std::function<void(OnnxEmitContext&)> OnnxSingle(std::string onnx_op) {
  return [onnx_op](OnnxEmitContext& ctx) { ctx.Node(onnx_op, {ctx.in()[0]}, {ctx.out()[0]}); };
}

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Clip(x, lo, hi) with bounds as scalar constants (Clip takes them as inputs since opset 11).
void OnnxClip(OnnxEmitContext& ctx, double lo, double hi) {
  ctx.Node("Clip",
           {ctx.in()[0], ctx.ConstFloats({static_cast<float>(lo)}, true),
            ctx.ConstFloats({static_cast<float>(hi)}, true)},
           {ctx.out()[0]});
}

Range ClampRange(Range r, double lo, double hi) {
  return {std::clamp(r.lo, lo, hi), std::clamp(r.hi, lo, hi)};
}

// Ties when the range reaches where the clamp cuts.
bool ClampTies(Range r, double lo, double hi) { return r.lo < lo || r.hi > hi; }

// Gelu, silu and mish are not monotone: each falls to a single minimum, at `argmin`, and rises
// after it, so on a range its extremes are at the ends or at that minimum.
Range BoundWithMinimum(Range r, double (*f)(double), double argmin) {
  double lo = std::min(f(r.lo), f(r.hi));
  if (r.lo <= argmin && argmin <= r.hi) lo = std::min(lo, f(argmin));
  return Range{lo, std::max(f(r.lo), f(r.hi))};
}

double Gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double Silu(double x) { return x * Sigmoid(x); }
double Mish(double x) { return x * std::tanh(std::log1p(std::exp(x))); }

// A small slack for the float32 rounding of computed bounds, so that a range derived in double
// stays a sound bound on float32 results.
Range Widen(Range r) {
  const double slack = 1e-6 * std::max(std::fabs(r.lo), std::fabs(r.hi)) + 1e-7;
  return {r.lo - slack, r.hi + slack};
}

std::vector<UnaryDef> UnaryDefs() {
  std::vector<UnaryDef> defs;
  auto add = [&](UnaryDef def) { defs.push_back(std::move(def)); };

  // relu: always flagged as tying (zeros), as before.
  add({"relu",
       "torch.relu",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         return Range{std::max(0.0, r.lo), std::max(0.0, r.hi)};
       },
       [](Range, const Attrs&) { return true; },
       {},
       {},
       OnnxSingle("Relu")});
  // Saturating functions: float32 results collapse to the asymptote far enough out, which is a
  // tie; thresholds are where the derivative drops below ~1e-3 (conservative).
  add({"sigmoid",
       "torch.sigmoid",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         return Range{std::max(0.0, Sigmoid(r.lo) - 1e-7), std::min(1.0, Sigmoid(r.hi) + 1e-7)};
       },
       [](Range r, const Attrs&) { return r.lo < -7 || r.hi > 7; },
       {},
       {},
       OnnxSingle("Sigmoid")});
  add({"tanh",
       "torch.tanh",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         return Range{std::max(-1.0, std::tanh(r.lo) - 1e-7),
                      std::min(1.0, std::tanh(r.hi) + 1e-7)};
       },
       [](Range r, const Attrs&) { return r.lo < -4 || r.hi > 4; },
       {},
       {},
       OnnxSingle("Tanh")});
  add({"exp",
       "torch.exp",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (r.hi > 13) return std::nullopt;
         return Widen({std::max(0.0, std::exp(r.lo)), std::exp(r.hi)});
       },
       // Underflow to zero (and denormals, which some engines flush).
       [](Range r, const Attrs&) { return r.lo < -80; },
       {},
       {},
       OnnxSingle("Exp")});
  add({"log",
       "torch.log",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         // Keep well away from 0: log there amplifies upstream rounding differences.
         if (r.lo < 1e-3 + 1e-5 * r.hi) return std::nullopt;
         return Widen({std::log(r.lo), std::log(r.hi)});
       },
       {},
       {},
       {},
       OnnxSingle("Log")});
  add({"sqrt",
       "torch.sqrt",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (r.lo < 0) return std::nullopt;
         return Range{std::sqrt(r.lo), std::sqrt(r.hi) * (1 + 1e-6)};
       },
       {},
       {},
       {},
       OnnxSingle("Sqrt"),
       false,
       [](Range r) { return r.lo < 1e-3; }});
  add({"rsqrt",
       "torch.rsqrt",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (r.lo < 1e-2 + 1e-5 * r.hi) return std::nullopt;
         return Widen({1.0 / std::sqrt(r.hi), 1.0 / std::sqrt(r.lo)});
       },
       {},
       {},
       {},
       [](OnnxEmitContext& ctx) {
         const std::string root = ctx.Temp();
         ctx.Node("Sqrt", {ctx.in()[0]}, {root});
         ctx.Node("Reciprocal", {root}, {ctx.out()[0]});
       }});
  // Even functions: x and -x give the same result.
  add({"abs",
       "torch.abs",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (r.lo >= 0) return r;
         if (r.hi <= 0) return Range{-r.hi, -r.lo};
         return Range{0, std::max(-r.lo, r.hi)};
       },
       [](Range r, const Attrs&) { return r.lo < 0 && r.hi > 0; },
       {},
       {},
       OnnxSingle("Abs")});
  add({"neg",
       "torch.neg",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         return Range{-r.hi, -r.lo};
       },
       {},
       {},
       {},
       OnnxSingle("Neg")});
  // Large arguments: engines reduce them differently; keep to where results agree.
  add({"sin",
       "torch.sin",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (std::max(std::fabs(r.lo), std::fabs(r.hi)) > 1000) return std::nullopt;
         return Range{-1, 1};
       },
       {},
       {},
       {},
       OnnxSingle("Sin")});
  add({"cos",
       "torch.cos",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (std::max(std::fabs(r.lo), std::fabs(r.hi)) > 1000) return std::nullopt;
         return Range{-1, 1};
       },
       [](Range r, const Attrs&) { return r.lo < 0 && r.hi > 0; },
       {},
       {},
       OnnxSingle("Cos")});
  add({"atan",
       "torch.atan",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         return Widen({std::atan(r.lo), std::atan(r.hi)});
       },
       [](Range r, const Attrs&) { return r.lo < -30 || r.hi > 30; },
       {},
       {},
       OnnxSingle("Atan")});
  auto rounding = [&](std::string name, std::string torch_name, double (*f)(double),
                      std::string onnx_op) {
    // A constant result (floor of a sigmoid) would hide every error: refused.
    UnaryDef def{name,
                 torch_name,
                 "elementwise",
                 [f](Range r, const Attrs&) -> std::optional<Range> {
                   if (f(r.lo) == f(r.hi)) return std::nullopt;
                   return Range{f(r.lo), f(r.hi)};
                 },
                 [](Range, const Attrs&) { return true; },
                 {},
                 {},
                 OnnxSingle(onnx_op)};
    def.discontinuous = true;
    add(def);
  };
  rounding(
      "floor", "torch.floor", [](double x) { return std::floor(x); }, "Floor");
  rounding(
      "ceil", "torch.ceil", [](double x) { return std::ceil(x); }, "Ceil");
  // torch.round and ONNX Round both round half to even; nearbyint does under the default mode.
  rounding(
      "round", "torch.round", [](double x) { return std::nearbyint(x); }, "Round");
  rounding(
      "sign", "torch.sign", [](double x) { return x > 0   ? 1.0
                                                  : x < 0 ? -1.0
                                                          : 0.0; }, "Sign");
  add({"reciprocal",
       "torch.reciprocal",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         // Same sign throughout and at least 0.1 away from zero.
         if (r.lo >= 0.1) return Widen({1.0 / r.hi, 1.0 / r.lo});
         if (r.hi <= -0.1) return Widen({1.0 / r.hi, 1.0 / r.lo});
         return std::nullopt;
       },
       {},
       {},
       {},
       OnnxSingle("Reciprocal")});
  add({"erf",
       "torch.erf",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         return Range{std::max(-1.0, std::erf(r.lo) - 1e-7), std::min(1.0, std::erf(r.hi) + 1e-7)};
       },
       [](Range r, const Attrs&) { return r.lo < -2.7 || r.hi > 2.7; },
       {},
       {},
       OnnxSingle("Erf")});
  add({"square",
       "torch.square",
       "elementwise",
       [](Range r, const Attrs&) -> std::optional<Range> {
         const double m = std::max(std::fabs(r.lo), std::fabs(r.hi));
         const double lo = (r.lo <= 0 && r.hi >= 0) ? 0.0 : std::min(r.lo * r.lo, r.hi * r.hi);
         return Range{lo, m * m * (1 + 1e-6)};
       },
       [](Range r, const Attrs&) { return r.lo < 0 && r.hi > 0; },
       {},
       {},
       [](OnnxEmitContext& ctx) {
         ctx.Node("Mul", {ctx.in()[0], ctx.in()[0]}, {ctx.out()[0]});
       }});
  // torch's exact gelu: x * 0.5 * (1 + erf(x / sqrt(2))); the Gelu op is opset 20.
  add({"gelu",
       "torch.nn.functional.gelu",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         // Minimum about -0.17 at x = -0.7518.
         return Widen(BoundWithMinimum(r, Gelu, -0.7517916));
       },
       [](Range r, const Attrs&) { return r.lo < -4; },
       {},
       {},
       [](OnnxEmitContext& ctx) {
         const std::string scaled = ctx.Temp(), erf = ctx.Temp(), plus = ctx.Temp(),
                           half = ctx.Temp();
         ctx.Node("Mul",
                  {ctx.in()[0], ctx.ConstFloats({static_cast<float>(1.0 / std::sqrt(2.0))}, true)},
                  {scaled});
         ctx.Node("Erf", {scaled}, {erf});
         ctx.Node("Add", {erf, ctx.ConstFloats({1.0f}, true)}, {plus});
         ctx.Node("Mul", {ctx.in()[0], ctx.ConstFloats({0.5f}, true)}, {half});
         ctx.Node("Mul", {half, plus}, {ctx.out()[0]});
       }});
  add({"silu",
       "torch.nn.functional.silu",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         // Minimum about -0.2785 at x = -1.2785.
         return Widen(BoundWithMinimum(r, Silu, -1.2784645));
       },
       [](Range r, const Attrs&) { return r.lo < -20; },
       {},
       {},
       [](OnnxEmitContext& ctx) {
         const std::string s = ctx.Temp();
         ctx.Node("Sigmoid", {ctx.in()[0]}, {s});
         ctx.Node("Mul", {ctx.in()[0], s}, {ctx.out()[0]});
       }});
  {
    UnaryDef elu{"elu", "torch.nn.functional.elu", "activation",
                 [](Range r, const Attrs& a) -> std::optional<Range> {
                   const double alpha = AttrFloat(a, "alpha", 1.0);
                   auto f = [&](double x) { return x > 0 ? x : alpha * std::expm1(x); };
                   return Widen({f(r.lo), f(r.hi)});
                 },
                 [](Range r, const Attrs&) { return r.lo < -7; }};
    elu.attrs = [](Rng& rng, const ValueInfo&) {
      return Attrs{{"alpha", Quantize(rng.Uniform(0.25, 2.0))}};
    };
    elu.py_extra = [](const Attrs& a) { return ", alpha=" + PyFloat(AttrFloat(a, "alpha")); };
    elu.onnx = [](OnnxEmitContext& ctx) {
      SetAttr(ctx.Node("Elu", {ctx.in()[0]}, {ctx.out()[0]}), "alpha",
              static_cast<float>(AttrFloat(ctx.attrs(), "alpha")));
    };
    add(elu);
  }
  // ONNX Selu's default alpha and gamma are torch's constants.
  add({"selu",
       "torch.nn.functional.selu",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         constexpr double kAlpha = 1.6732632423543772, kScale = 1.0507009873554805;
         auto f = [&](double x) { return kScale * (x > 0 ? x : kAlpha * std::expm1(x)); };
         return Widen({f(r.lo), f(r.hi)});
       },
       [](Range r, const Attrs&) { return r.lo < -7; },
       {},
       {},
       OnnxSingle("Selu")});
  {
    UnaryDef leaky{"leaky_relu", "torch.nn.functional.leaky_relu", "activation",
                   [](Range r, const Attrs& a) -> std::optional<Range> {
                     const double s = AttrFloat(a, "negative_slope", 0.01);
                     auto f = [&](double x) { return x > 0 ? x : s * x; };
                     return Range{f(r.lo), f(r.hi)};
                   }};
    leaky.attrs = [](Rng& rng, const ValueInfo&) {
      return Attrs{{"negative_slope", std::max(1.0 / 64, Quantize(rng.Uniform(0, 0.5)))}};
    };
    leaky.py_extra = [](const Attrs& a) {
      return ", negative_slope=" + PyFloat(AttrFloat(a, "negative_slope"));
    };
    leaky.onnx = [](OnnxEmitContext& ctx) {
      SetAttr(ctx.Node("LeakyRelu", {ctx.in()[0]}, {ctx.out()[0]}), "alpha",
              static_cast<float>(AttrFloat(ctx.attrs(), "negative_slope")));
    };
    add(leaky);
  }
  {
    UnaryDef hardtanh{
        "hardtanh", "torch.nn.functional.hardtanh", "activation",
        [](Range r, const Attrs& a) -> std::optional<Range> {
          return ClampRange(r, AttrFloat(a, "min_val", -1), AttrFloat(a, "max_val", 1));
        },
        [](Range r, const Attrs& a) {
          return ClampTies(r, AttrFloat(a, "min_val", -1), AttrFloat(a, "max_val", 1));
        }};
    hardtanh.attrs = [](Rng& rng, const ValueInfo&) {
      return Attrs{{"min_val", Quantize(rng.Uniform(-2, -1.0 / 64))},
                   {"max_val", Quantize(rng.Uniform(1.0 / 64, 2))}};
    };
    hardtanh.py_extra = [](const Attrs& a) {
      return ", min_val=" + PyFloat(AttrFloat(a, "min_val")) +
             ", max_val=" + PyFloat(AttrFloat(a, "max_val"));
    };
    hardtanh.onnx = [](OnnxEmitContext& ctx) {
      OnnxClip(ctx, AttrFloat(ctx.attrs(), "min_val"), AttrFloat(ctx.attrs(), "max_val"));
    };
    add(hardtanh);
  }
  {
    UnaryDef clamp{"clamp", "torch.clamp", "elementwise",
                   [](Range r, const Attrs& a) -> std::optional<Range> {
                     const double lo = AttrFloat(a, "min"), hi = AttrFloat(a, "max");
                     if (lo > hi) return std::nullopt;
                     return ClampRange(r, lo, hi);
                   },
                   [](Range r, const Attrs& a) {
                     return ClampTies(r, AttrFloat(a, "min"), AttrFloat(a, "max"));
                   }};
    // Bounds inside the operand's range, so that the clamp does something.
    clamp.attrs = [](Rng& rng, const ValueInfo& info) {
      double a = Quantize(rng.Uniform(info.range.lo, info.range.hi));
      double b = Quantize(rng.Uniform(info.range.lo, info.range.hi));
      if (a > b) std::swap(a, b);
      if (a == b) b += 1.0 / 64;  // Not a constant result.
      return Attrs{{"min", a}, {"max", b}};
    };
    clamp.py_extra = [](const Attrs& a) {
      return ", min=" + PyFloat(AttrFloat(a, "min")) + ", max=" + PyFloat(AttrFloat(a, "max"));
    };
    clamp.onnx = [](OnnxEmitContext& ctx) {
      OnnxClip(ctx, AttrFloat(ctx.attrs(), "min"), AttrFloat(ctx.attrs(), "max"));
    };
    add(clamp);
  }
  add({"relu6",
       "torch.nn.functional.relu6",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> { return ClampRange(r, 0, 6); },
       [](Range r, const Attrs&) { return ClampTies(r, 0, 6); },
       {},
       {},
       [](OnnxEmitContext& ctx) { OnnxClip(ctx, 0, 6); }});
  // torch's softplus is linear above threshold 20 and ONNX Softplus is not: stay below it.
  add({"softplus",
       "torch.nn.functional.softplus",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (r.hi > 20) return std::nullopt;
         return Widen({std::log1p(std::exp(r.lo)), std::log1p(std::exp(r.hi))});
       },
       [](Range r, const Attrs&) { return r.lo < -20; },
       {},
       {},
       OnnxSingle("Softplus")});
  add({"softsign",
       "torch.nn.functional.softsign",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         auto f = [](double x) { return x / (1 + std::fabs(x)); };
         return Widen({f(r.lo), f(r.hi)});
       },
       [](Range r, const Attrs&) { return r.lo < -30 || r.hi > 30; },
       {},
       {},
       OnnxSingle("Softsign")});
  add({"hardswish",
       "torch.nn.functional.hardswish",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         auto f = [](double x) { return x * std::clamp(x + 3, 0.0, 6.0) / 6; };
         // Minimum -0.375 at x = -1.5.
         double lo = std::min(f(r.lo), f(r.hi));
         if (r.lo <= -1.5 && r.hi >= -1.5) lo = -0.375;
         return Widen({lo, std::max(f(r.lo), f(r.hi))});
       },
       [](Range r, const Attrs&) { return r.lo < -3; },
       {},
       {},
       OnnxSingle("HardSwish")});
  add({"hardsigmoid",
       "torch.nn.functional.hardsigmoid",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         auto f = [](double x) { return std::clamp(x / 6 + 0.5, 0.0, 1.0); };
         return Widen({f(r.lo), f(r.hi)});
       },
       [](Range r, const Attrs&) { return r.lo < -3 || r.hi > 3; },
       {},
       {},
       [](OnnxEmitContext& ctx) {
         onnx::NodeProto& node = ctx.Node("HardSigmoid", {ctx.in()[0]}, {ctx.out()[0]});
         SetAttr(node, "alpha", static_cast<float>(1.0 / 6));
         SetAttr(node, "beta", 0.5f);
       }});
  // log(sigmoid(x)), as torch.onnx writes it. ONNX Runtime's Sigmoid keeps an absolute, not a
  // relative, error bound: about 1e-4 relative at x = -8, 7% at -14, and exactly 0 (so log
  // gives -inf) below about -17, where torch's logsigmoid is simply x. That is a known finding
  // (reported); below -10 every model would only find it again.
  add({"logsigmoid",
       "torch.nn.functional.logsigmoid",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (r.lo < -10) return std::nullopt;
         return Widen({std::log(Sigmoid(r.lo)), std::min(0.0, std::log(Sigmoid(r.hi)))});
       },
       [](Range r, const Attrs&) { return r.hi > 15; },
       {},
       {},
       [](OnnxEmitContext& ctx) {
         const std::string s = ctx.Temp();
         ctx.Node("Sigmoid", {ctx.in()[0]}, {s});
         ctx.Node("Log", {s}, {ctx.out()[0]});
       }});
  // x * tanh(softplus(x)); below softplus's threshold (see softplus).
  add({"mish",
       "torch.nn.functional.mish",
       "activation",
       [](Range r, const Attrs&) -> std::optional<Range> {
         if (r.hi > 20) return std::nullopt;
         // Minimum about -0.3088 at x = -1.1924.
         return Widen(BoundWithMinimum(r, Mish, -1.1923926));
       },
       [](Range r, const Attrs&) { return r.lo < -20; },
       {},
       {},
       [](OnnxEmitContext& ctx) {
         const std::string sp = ctx.Temp(), th = ctx.Temp();
         ctx.Node("Softplus", {ctx.in()[0]}, {sp});
         ctx.Node("Tanh", {sp}, {th});
         ctx.Node("Mul", {ctx.in()[0], th}, {ctx.out()[0]});
       }});
  return defs;
}

// A binary op with NumPy broadcasting over operands of the given dtypes; the second operand is
// an existing value of a broadcast-compatible shape, or a new input or parameter of such a
// shape. `range` is nullopt when the op is unsafe on those ranges.
struct BinaryDef {
  std::string name;
  std::string torch_name;
  std::string family;
  DataType a_type = DataType::kFloat32;
  DataType b_type = DataType::kFloat32;
  DataType out_type = DataType::kFloat32;
  std::function<std::optional<Range>(Range, Range)> range = nullptr;
  std::function<void(OnnxEmitContext&)> onnx = nullptr;
  bool out_ties = false;       // The output may tie whatever the inputs (bool results).
  bool discontinuous = false;  // Operands computed exactly only (see IsExactOp).
  // Range of a new second operand, from the first's; a default weight range otherwise.
  std::function<Range(Range)> new_b_range = [](Range) { return Range{-1, 1}; };
  // Which existing values may be the first operand; and, if set, the range of a new first
  // operand (a parameter shaped like an existing value) when none may.
  std::function<bool(const ValueInfo&)> a_pred = [](const ValueInfo&) { return true; };
  std::optional<Range> new_a_range = std::nullopt;
  bool self_ok = false;  // f(x, x) has no ties x has not (add, maximum, minimum).
};

// A new operand of `dtype` shaped like `shape` with some dims set to 1 (broadcast).
ValueInfo NewOperand(Rng& rng, std::vector<int64_t> shape, DataType dtype, Range range) {
  for (auto& d : shape) {
    if (rng.Chance(0.3)) d = 1;
  }
  // Sometimes a lower rank, which broadcasts from the right.
  if (!shape.empty() && rng.Chance(0.15)) shape.erase(shape.begin());
  ValueInfo info;
  info.dtype = dtype;
  info.shape = shape;
  info.range = range;
  // Integers and bools from a small range repeat.
  info.may_tie = dtype != DataType::kFloat32;
  return info;
}

// A first operand of `dtype`: an existing value, or (for int64 and bool, which only a few ops
// produce) sometimes a new model input.
std::optional<Operand> FirstOperand(ProposeContext& ctx, DataType dtype, bool exact,
                                    const std::function<bool(const ValueInfo&)>& pred,
                                    std::optional<ValueInfo>* info_out) {
  std::optional<int> a = PickTyped(ctx, dtype, exact, pred);
  if (a && (dtype == DataType::kFloat32 || ctx.rng().Chance(0.6))) {
    *info_out = ctx.info(*a);
    return Operand::Existing(*a);
  }
  if (dtype == DataType::kFloat32) return std::nullopt;
  ValueInfo info;
  info.dtype = dtype;
  info.shape = ctx.RandomShape(ctx.rng().Int(1, 3));
  info.range = dtype == DataType::kInt64 ? Range{-5, 5} : Range{0, 1};
  info.may_tie = true;
  *info_out = info;
  return Operand::Input(info);
}

OpSpec Binary(BinaryDef def) {
  OpSpec op;
  op.name = def.name;
  op.torch_name = def.torch_name;
  op.family = def.family;
  op.propose = [def](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<ValueInfo> ai;
    std::optional<Operand> a = FirstOperand(ctx, def.a_type, def.discontinuous, def.a_pred, &ai);
    if (def.new_a_range && (!a || ctx.rng().Chance(0.3))) {
      std::optional<int> like = ctx.Pick(IsFloat);
      if (!like) return std::nullopt;
      ai = ProposeContext::Float(ctx.info(*like).shape, def.new_a_range->lo, def.new_a_range->hi);
      a = Operand::Param(*ai);
    }
    if (!a) return std::nullopt;
    std::optional<int> b =
        PickTyped(ctx, def.b_type, def.discontinuous, [&](const ValueInfo& info) {
          return BroadcastShapes(ai->shape, info.shape).ok() && def.range(ai->range, info.range);
        });
    // x - x, x / x, x * x and x > x tie (or are constant) although x does not, which infer
    // cannot see from the operands' infos: no value twice, except where the result is x or 2x.
    if (b && a->kind == Operand::Kind::kValue && a->value == *b && !def.self_ok) b.reset();
    if (b && ctx.rng().Chance(0.7)) return Proposal{{*a, Operand::Existing(*b)}, {}};
    Range b_range = def.b_type == DataType::kInt64  ? Range{-5, 5}
                    : def.b_type == DataType::kBool ? Range{0, 1}
                                                    : def.new_b_range(ai->range);
    ValueInfo other = NewOperand(ctx.rng(), ai->shape, def.b_type, b_range);
    if (!def.range(ai->range, other.range)) return std::nullopt;
    // No bool parameters (the emitters fill float and int64 ones only).
    const bool param = def.b_type != DataType::kBool && ctx.rng().Chance(0.5);
    return Proposal{{*a, param ? Operand::Param(other) : Operand::Input(other)}, {}};
  };
  op.infer = [def](const std::vector<ValueInfo>& in,
                   const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 2 || in[0].dtype != def.a_type || in[1].dtype != def.b_type) {
      return InvalidArgument(def.name + ": wrong operand count or dtypes");
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, BroadcastShapes(in[0].shape, in[1].shape));
    std::optional<Range> out_range = def.range(in[0].range, in[1].range);
    if (!out_range) return InvalidArgument(def.name + " is unsafe on these input ranges");
    ValueInfo out;
    out.dtype = def.out_type;
    out.shape = shape;
    out.range = *out_range;
    // Broadcasting repeats elements along the broadcast dims.
    out.may_tie = def.out_ties || in[0].may_tie || in[1].may_tie || in[0].shape != in[1].shape;
    return std::vector<ValueInfo>{out};
  };
  op.python = [def](const std::vector<std::string>& args, const Attrs&,
                    const std::vector<ValueInfo>&) {
    return def.torch_name + "(" + args[0] + ", " + args[1] + ")";
  };
  op.onnx = def.onnx;
  return op;
}

std::function<void(OnnxEmitContext&)> OnnxBinary(std::string onnx_op) {
  return [onnx_op](OnnxEmitContext& ctx) {
    ctx.Node(onnx_op, {ctx.in()[0], ctx.in()[1]}, {ctx.out()[0]});
  };
}

// Division by b is safe when b keeps one sign and stays at least 0.1 from zero.
bool AwayFromZero(Range r) { return r.lo >= 0.1 || r.hi <= -0.1; }

Range DivRanges(Range a, Range b) { return Widen(MulRanges(a, Range{1.0 / b.hi, 1.0 / b.lo})); }

// x ** p for a python float exponent p.
OpSpec PowScalar() {
  OpSpec op;
  op.name = "pow";
  op.torch_name = "torch.pow";
  op.family = "elementwise";
  auto range = [](Range r, double p) -> std::optional<Range> {
    if (p == 2.0) {
      const double m = std::max(std::fabs(r.lo), std::fabs(r.hi));
      return Range{(r.lo <= 0 && r.hi >= 0) ? 0.0 : std::min(r.lo * r.lo, r.hi * r.hi),
                   m * m * (1 + 1e-6)};
    }
    if (p == 3.0) return Widen({r.lo * r.lo * r.lo, r.hi * r.hi * r.hi});
    if (p == 0.5) {
      if (r.lo < 0) return std::nullopt;
      return Range{std::sqrt(r.lo), std::sqrt(r.hi) * (1 + 1e-6)};
    }
    if (p == -1.0) {
      if (!AwayFromZero(r)) return std::nullopt;
      return Widen({1.0 / r.hi, 1.0 / r.lo});
    }
    return std::nullopt;
  };
  op.propose = [range](ProposeContext& ctx) -> std::optional<Proposal> {
    static const double kExponents[] = {2.0, 3.0, 0.5, -1.0};
    const double p = kExponents[ctx.rng().Int(0, 3)];
    std::optional<int> x =
        ctx.Pick([&](const ValueInfo& info) { return IsFloat(info) && range(info.range, p); });
    if (!x) return std::nullopt;
    // As sqrt: near 0, only exactly computed operands (see UnaryDef::exact_if).
    if (p == 0.5 && ctx.info(*x).range.lo < 1e-3 && !ExactValues(ctx.graph())[*x]) {
      return std::nullopt;
    }
    return Proposal{{Operand::Existing(*x)}, {{"exponent", p}}};
  };
  op.infer = [range](const std::vector<ValueInfo>& in,
                     const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0])) return InvalidArgument("pow takes one float");
    const double p = AttrFloat(attrs, "exponent");
    std::optional<Range> out_range = range(in[0].range, p);
    if (!out_range) return InvalidArgument("pow is unsafe on this range or exponent");
    ValueInfo out = in[0];
    out.range = *out_range;
    // Squaring is even.
    out.may_tie = in[0].may_tie || (p == 2.0 && in[0].range.lo < 0 && in[0].range.hi > 0);
    return std::vector<ValueInfo>{out};
  };
  op.python = [](const std::vector<std::string>& args, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.pow(" + args[0] + ", " + PyFloat(AttrFloat(attrs, "exponent")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    const float p = static_cast<float>(AttrFloat(ctx.attrs(), "exponent"));
    ctx.Node("Pow", {ctx.in()[0], ctx.ConstFloats({p}, true)}, {ctx.out()[0]});
  };
  return op;
}

// torch.where(cond, a, b): a bool condition and two floats, all broadcast together.
OpSpec Where() {
  OpSpec op;
  op.name = "where";
  op.torch_name = "torch.where";
  op.family = "compare";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<ValueInfo> ci;
    std::optional<Operand> c = FirstOperand(
        ctx, DataType::kBool, false, [](const ValueInfo&) { return true; }, &ci);
    if (!c) return std::nullopt;
    std::optional<int> a = ctx.Pick([&](const ValueInfo& info) {
      return IsFloat(info) && BroadcastShapes(ci->shape, info.shape).ok();
    });
    if (!a) return std::nullopt;
    StatusOr<std::vector<int64_t>> ca = BroadcastShapes(ci->shape, ctx.info(*a).shape);
    std::optional<int> b = ctx.Pick([&](const ValueInfo& info) {
      return IsFloat(info) && BroadcastShapes(*ca, info.shape).ok();
    });
    if (b && ctx.rng().Chance(0.6)) {
      return Proposal{{*c, Operand::Existing(*a), Operand::Existing(*b)}, {}};
    }
    ValueInfo other = NewOperand(ctx.rng(), *ca, DataType::kFloat32, {-1, 1});
    return Proposal{{*c, Operand::Existing(*a), Operand::Param(other)}, {}};
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 3 || !IsBool(in[0]) || !IsFloat(in[1]) || !IsFloat(in[2])) {
      return InvalidArgument("where takes a bool and two floats");
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> ab, BroadcastShapes(in[1].shape, in[2].shape));
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, BroadcastShapes(in[0].shape, ab));
    ValueInfo out;
    out.dtype = DataType::kFloat32;
    out.shape = shape;
    out.range = UnionRange(in[1].range, in[2].range);
    out.may_tie = in[1].may_tie || in[2].may_tie || in[1].shape != shape || in[2].shape != shape;
    return std::vector<ValueInfo>{out};
  };
  op.python = [](const std::vector<std::string>& args, const Attrs&,
                 const std::vector<ValueInfo>&) {
    return "torch.where(" + args[0] + ", " + args[1] + ", " + args[2] + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    ctx.Node("Where", {ctx.in()[0], ctx.in()[1], ctx.in()[2]}, {ctx.out()[0]});
  };
  return op;
}

// A unary op from one non-float dtype (or float) to another: logical_not and the casts.
struct CastDef {
  std::string name;
  std::string family;
  std::vector<DataType> from;
  DataType to;
  std::function<std::optional<Range>(Range)> range;
  std::function<std::string(const std::string&)> python;
  std::function<void(OnnxEmitContext&)> onnx;
  bool discontinuous = false;
  bool ties = false;
};

OpSpec Cast(CastDef def) {
  OpSpec op;
  op.name = def.name;
  op.torch_name = def.name == "logical_not" ? "torch.logical_not" : "torch.Tensor.to";
  op.family = def.family;
  op.propose = [def](ProposeContext& ctx) -> std::optional<Proposal> {
    const DataType from = ctx.rng().Choice(def.from);
    std::optional<ValueInfo> info;
    std::optional<Operand> x = FirstOperand(
        ctx, from, def.discontinuous,
        [&](const ValueInfo& i) { return def.range(i.range).has_value(); }, &info);
    if (!x) return std::nullopt;
    return Proposal{{*x}, {}};
  };
  op.infer = [def](const std::vector<ValueInfo>& in,
                   const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 ||
        std::find(def.from.begin(), def.from.end(), in[0].dtype) == def.from.end()) {
      return InvalidArgument(def.name + ": wrong operand dtype");
    }
    std::optional<Range> range = def.range(in[0].range);
    if (!range) return InvalidArgument(def.name + " is unsafe on this range");
    ValueInfo out = in[0];
    out.dtype = def.to;
    out.range = *range;
    out.may_tie = in[0].may_tie || def.ties;
    return std::vector<ValueInfo>{out};
  };
  op.python = [def](const std::vector<std::string>& args, const Attrs&,
                    const std::vector<ValueInfo>&) { return def.python(args[0]); };
  op.onnx = def.onnx;
  return op;
}

std::function<void(OnnxEmitContext&)> OnnxCast(int64_t to) {
  return [to](OnnxEmitContext& ctx) {
    SetAttr(ctx.Node("Cast", {ctx.in()[0]}, {ctx.out()[0]}), "to", to);
  };
}

}  // namespace

void RegisterElementwiseOps(std::vector<OpSpec>& ops) {
  for (UnaryDef& def : UnaryDefs()) {
    // Few values are positive and away from zero; these make their own operand when none is.
    if (def.name == "log" || def.name == "rsqrt") def.new_input_range = Range{0.1, 4};
    if (def.name == "reciprocal") def.new_input_range = Range{0.5, 2};
    ops.push_back(FloatUnary(std::move(def)));
  }
  ops.push_back(PowScalar());

  // Float binary arithmetic.
  auto arith = [&](std::string name, std::string torch_name,
                   std::function<std::optional<Range>(Range, Range)> range, std::string onnx_op,
                   std::function<Range(Range)> new_b_range = nullptr) {
    BinaryDef def{name, torch_name, "elementwise"};
    def.range = std::move(range);
    def.onnx = OnnxBinary(onnx_op);
    if (new_b_range) def.new_b_range = std::move(new_b_range);
    def.self_ok = name == "add" || name == "maximum" || name == "minimum";
    ops.push_back(Binary(std::move(def)));
  };
  arith(
      "add", "torch.add", [](Range a, Range b) -> std::optional<Range> { return AddRanges(a, b); },
      "Add");
  arith(
      "sub", "torch.sub",
      [](Range a, Range b) -> std::optional<Range> {
        return AddRanges(a, {-b.hi, -b.lo});
      },
      "Sub");
  arith(
      "mul", "torch.mul", [](Range a, Range b) -> std::optional<Range> { return MulRanges(a, b); },
      "Mul");
  arith(
      "div", "torch.div",
      [](Range a, Range b) -> std::optional<Range> {
        if (!AwayFromZero(b)) return std::nullopt;
        return DivRanges(a, b);
      },
      "Div",
      [](Range) {
        return Range{0.5, 1.5};
      });
  arith(
      "maximum", "torch.maximum",
      [](Range a, Range b) -> std::optional<Range> {
        return Range{std::max(a.lo, b.lo), std::max(a.hi, b.hi)};
      },
      "Max");
  arith(
      "minimum", "torch.minimum",
      [](Range a, Range b) -> std::optional<Range> {
        return Range{std::min(a.lo, b.lo), std::min(a.hi, b.hi)};
      },
      "Min");
  // Tensor ** tensor: a positive base away from 0 and a small exponent; b^e is monotone in
  // each argument for b > 0, so the extremes are at the corners.
  {
    BinaryDef def{"pow_tensor", "torch.pow", "elementwise"};
    def.range = [](Range b, Range e) -> std::optional<Range> {
      if (b.lo < 0.1 || e.lo < -3 || e.hi > 3) return std::nullopt;
      const double c[] = {std::pow(b.lo, e.lo), std::pow(b.lo, e.hi), std::pow(b.hi, e.lo),
                          std::pow(b.hi, e.hi)};
      return Widen({*std::min_element(c, c + 4), *std::max_element(c, c + 4)});
    };
    def.onnx = OnnxBinary("Pow");
    def.new_b_range = [](Range) { return Range{-2, 2}; };
    def.a_pred = [](const ValueInfo& info) { return info.range.lo >= 0.1; };
    def.new_a_range = Range{0.25, 2};
    ops.push_back(Binary(std::move(def)));
  }

  // Comparisons: float with float, or int64 with int64. Equality only on int64, where it is
  // exact.
  auto compare = [&](std::string name, std::string torch_name, DataType type,
                     std::function<void(OnnxEmitContext&)> onnx) {
    BinaryDef def{name, torch_name, "compare", type, type, DataType::kBool};
    // Ranges that do not overlap would give a constant result.
    def.range = [](Range a, Range b) -> std::optional<Range> {
      if (a.hi < b.lo || b.hi < a.lo) return std::nullopt;
      return Range{0, 1};
    };
    def.onnx = std::move(onnx);
    def.out_ties = true;
    def.discontinuous = true;
    // A new operand over the same range, so that the comparison goes both ways.
    def.new_b_range = [](Range a) { return a; };
    ops.push_back(Binary(std::move(def)));
  };
  compare("gt", "torch.gt", DataType::kFloat32, OnnxBinary("Greater"));
  compare("lt", "torch.lt", DataType::kFloat32, OnnxBinary("Less"));
  compare("ge", "torch.ge", DataType::kFloat32, OnnxBinary("GreaterOrEqual"));
  compare("le", "torch.le", DataType::kFloat32, OnnxBinary("LessOrEqual"));
  compare("gt_int", "torch.gt", DataType::kInt64, OnnxBinary("Greater"));
  compare("eq", "torch.eq", DataType::kInt64, OnnxBinary("Equal"));
  compare("ne", "torch.ne", DataType::kInt64, [](OnnxEmitContext& ctx) {
    const std::string eq = ctx.Temp();
    ctx.Node("Equal", {ctx.in()[0], ctx.in()[1]}, {eq});
    ctx.Node("Not", {eq}, {ctx.out()[0]});
  });
  ops.push_back(Where());

  auto logical = [&](std::string name, std::string onnx_op) {
    BinaryDef def{name,           "torch." + name, "compare", DataType::kBool, DataType::kBool,
                  DataType::kBool};
    def.range = [](Range, Range) -> std::optional<Range> { return Range{0, 1}; };
    def.onnx = OnnxBinary(onnx_op);
    def.out_ties = true;
    ops.push_back(Binary(std::move(def)));
  };
  logical("logical_and", "And");
  logical("logical_or", "Or");
  logical("logical_xor", "Xor");
  ops.push_back(Cast({"logical_not",
                      "compare",
                      {DataType::kBool},
                      DataType::kBool,
                      [](Range) -> std::optional<Range> {
                        return Range{0, 1};
                      },
                      [](const std::string& x) { return "torch.logical_not(" + x + ")"; },
                      OnnxSingle("Not"),
                      false,
                      true}));

  // Casts. float -> int64 truncates toward zero in both torch and ONNX Cast.
  ops.push_back(Cast({"to_int64",
                      "cast",
                      {DataType::kFloat32},
                      DataType::kInt64,
                      [](Range r) -> std::optional<Range> {
                        if (std::trunc(r.lo) == std::trunc(r.hi)) return std::nullopt;
                        return Range{std::trunc(r.lo), std::trunc(r.hi)};
                      },
                      [](const std::string& x) { return x + ".to(torch.int64)"; },
                      OnnxCast(onnx::TensorProto::INT64),
                      true,
                      true}));
  ops.push_back(Cast({"to_float",
                      "cast",
                      {DataType::kInt64, DataType::kBool},
                      DataType::kFloat32,
                      [](Range r) -> std::optional<Range> { return r; },
                      [](const std::string& x) { return x + ".to(torch.float32)"; },
                      OnnxCast(onnx::TensorProto::FLOAT),
                      false,
                      true}));
  // torch.add(int64, float32) promotes to float32; ONNX needs the cast spelled out.
  {
    BinaryDef def{"add_int_float",  "torch.add",        "cast",
                  DataType::kInt64, DataType::kFloat32, DataType::kFloat32};
    def.range = [](Range a, Range b) -> std::optional<Range> { return AddRanges(a, b); };
    def.onnx = [](OnnxEmitContext& ctx) {
      const std::string cast = ctx.Temp();
      SetAttr(ctx.Node("Cast", {ctx.in()[0]}, {cast}), "to",
              static_cast<int64_t>(onnx::TensorProto::FLOAT));
      ctx.Node("Add", {cast, ctx.in()[1]}, {ctx.out()[0]});
    };
    ops.push_back(Binary(std::move(def)));
  }
}

}  // namespace convcheck::gen
