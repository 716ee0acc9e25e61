// matmul and linear, convolutions, pooling, normalizations, interpolate.
//
// The value-range rules are interval bounds: a dot product over K terms is bounded by
// K * max|w| * max|x| (+ max|bias|), a normalized value by sqrt(group size). Weights are filled
// like PyTorch's default init, uniform in +-1/sqrt(fan_in), so that the bounds stay small enough
// for deep chains.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

constexpr double kEps = 1e-5;  // The eps of every normalization, in torch and in ONNX.

bool IsFloat(const ValueInfo& info) { return info.dtype == DataType::kFloat32; }

ValueInfo FloatOut(std::vector<int64_t> shape, Range range, bool may_tie) {
  ValueInfo out;
  out.dtype = DataType::kFloat32;
  out.shape = std::move(shape);
  out.range = range;
  out.may_tie = may_tie;
  return out;
}

Range Symmetric(double magnitude) { return {-magnitude, magnitude}; }

int64_t Product(const std::vector<int64_t>& values) {
  int64_t p = 1;
  for (int64_t v : values) p *= v;
  return p;
}

std::vector<int64_t> Divisors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

// A weight or bias filled like torch's default init for this fan-in.
ValueInfo Weight(std::vector<int64_t> shape, int64_t fan_in) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(1, fan_in)));
  return ProposeContext::Float(std::move(shape), -bound, bound);
}

// A float value of this rank, or a new input of a random shape of this rank when none fits
// (convolutions and pooling need rank 3-5, which the first input may not have).
std::optional<Operand> PickOrInput(ProposeContext& ctx, int64_t rank,
                                   const std::function<bool(const ValueInfo&)>& extra) {
  std::optional<int> x = ctx.Pick(
      [&](const ValueInfo& info) { return IsFloat(info) && info.rank() == rank && extra(info); });
  if (x && ctx.rng().Chance(0.85)) return Operand::Existing(*x);
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::vector<int64_t> shape = ctx.RandomShape(rank);
    // Batch and channels small, spatial dims not too small: more room for kernels.
    if (rank >= 3) {
      shape[0] = ctx.rng().Int(1, 2);
      shape[1] = ctx.rng().Int(1, 6);
      for (int64_t i = 2; i < rank; ++i) shape[i] = ctx.rng().Int(rank >= 5 ? 2 : 3, 10);
    }
    ValueInfo info = ProposeContext::Float(shape, -1, 1);
    if (info.NumElements() <= ctx.limits().max_elements && extra(info)) {
      return Operand::Input(info);
    }
  }
  return std::nullopt;
}

ValueInfo OperandInfo(const ProposeContext& ctx, const Operand& operand) {
  return operand.kind == Operand::Kind::kValue ? ctx.info(operand.value) : operand.info;
}

// ---------------------------------------------------------------------------------------------
// linear, matmul, bmm

OpSpec Linear() {
  OpSpec op;
  op.name = "linear";
  op.torch_name = "torch.nn.functional.linear";
  op.family = "linear";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick([](const ValueInfo& info) {
      return IsFloat(info) && info.rank() >= 1 && info.rank() <= 4 && info.shape.back() <= 64;
    });
    if (!x) return std::nullopt;
    const ValueInfo& xi = ctx.info(*x);
    const int64_t in = xi.shape.back();
    const int64_t out = ctx.rng().Chance(0.5) ? ctx.rng().Int(1, 4) : ctx.rng().Int(1, 24);
    Proposal p;
    p.operands = {Operand::Existing(*x), Operand::Param(Weight({out, in}, in))};
    if (ctx.rng().Chance(0.7)) p.operands.push_back(Operand::Param(Weight({out}, in)));
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() < 2 || in.size() > 3) return InvalidArgument("linear takes x, weight[, bias]");
    for (const auto& i : in) {
      if (!IsFloat(i)) return InvalidArgument("linear takes floats");
    }
    const ValueInfo& x = in[0];
    const ValueInfo& w = in[1];
    if (x.rank() < 1 || w.rank() != 2) return InvalidArgument("linear: bad ranks");
    if (w.shape[1] != x.shape.back()) return InvalidArgument("linear: in_features mismatch");
    double bias = 0;
    if (in.size() == 3) {
      if (in[2].shape != std::vector<int64_t>{w.shape[0]}) {
        return InvalidArgument("linear: bias shape mismatch");
      }
      bias = in[2].Magnitude();
    }
    std::vector<int64_t> shape = x.shape;
    shape.back() = w.shape[0];
    const double bound = static_cast<double>(w.shape[1]) * w.Magnitude() * x.Magnitude() + bias;
    return std::vector<ValueInfo>{FloatOut(shape, Symmetric(bound), x.may_tie)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs&, const std::vector<ValueInfo>&) {
    return "torch.nn.functional.linear(" + a[0] + ", " + a[1] +
           (a.size() == 3 ? ", " + a[2] : std::string()) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    const auto& in = ctx.in();
    if (ctx.in_info()[0].rank() == 2) {
      // Gemm computes x * w^T + bias for 2-D x in one node, as exporters write it.
      std::vector<std::string> args = {in[0], in[1]};
      if (in.size() == 3) args.push_back(in[2]);
      SetAttr(ctx.Node("Gemm", args, {ctx.out()[0]}), "transB", int64_t{1});
      return;
    }
    const std::string wt = ctx.Temp();
    SetAttr(ctx.Node("Transpose", {in[1]}, {wt}), "perm", std::vector<int64_t>{1, 0});
    if (in.size() == 2) {
      ctx.Node("MatMul", {in[0], wt}, {ctx.out()[0]});
      return;
    }
    const std::string mm = ctx.Temp();
    ctx.Node("MatMul", {in[0], wt}, {mm});
    ctx.Node("Add", {mm, in[2]}, {ctx.out()[0]});
  };
  return op;
}

// The batch-broadcast matrix product shape of a [..., n, k] and b [..., k, m].
StatusOr<std::vector<int64_t>> MatMulShape(const ValueInfo& a, const ValueInfo& b) {
  if (a.rank() < 2 || b.rank() < 2) return InvalidArgument("matmul: operands need rank >= 2");
  if (a.shape[a.rank() - 1] != b.shape[b.rank() - 2]) {
    return InvalidArgument("matmul: inner dims differ");
  }
  std::vector<int64_t> ab(a.shape.begin(), a.shape.end() - 2);
  std::vector<int64_t> bb(b.shape.begin(), b.shape.end() - 2);
  CC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, BroadcastShapes(ab, bb));
  shape.push_back(a.shape[a.rank() - 2]);
  shape.push_back(b.shape[b.rank() - 1]);
  return shape;
}

OpSpec MatMul(bool batched) {
  OpSpec op;
  op.name = batched ? "bmm" : "matmul";
  op.torch_name = batched ? "torch.bmm" : "torch.matmul";
  op.family = "linear";
  op.propose = [batched](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<Operand> a;
    if (batched) {
      a = PickOrInput(ctx, 3, [](const ValueInfo& i) { return i.shape[2] <= 64; });
    } else {
      std::optional<int> x = ctx.Pick([](const ValueInfo& info) {
        return IsFloat(info) && info.rank() >= 2 && info.rank() <= 4 && info.shape.back() <= 64;
      });
      if (x) a = Operand::Existing(*x);
    }
    if (!a) return std::nullopt;
    const ValueInfo ai = OperandInfo(ctx, *a);
    const int64_t k = ai.shape.back();
    std::optional<int> b = ctx.Pick([&](const ValueInfo& info) {
      if (!IsFloat(info) || info.rank() < 2) return false;
      if (batched && (info.rank() != 3 || info.shape[0] != ai.shape[0])) return false;
      if (!batched && info.rank() > 4) return false;
      return MatMulShape(ai, info).ok();
    });
    if (b && ctx.rng().Chance(0.6)) return Proposal{{*a, Operand::Existing(*b)}, {}};
    // A new right operand [batch..., k, m]; for matmul, a suffix of a's batch dims (or ones),
    // which exercises broadcasting.
    std::vector<int64_t> shape(ai.shape.begin(), ai.shape.end() - 2);
    if (!batched) {
      const size_t drop = static_cast<size_t>(ctx.rng().Int(0, static_cast<int64_t>(shape.size())));
      shape.erase(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(drop));
      for (auto& d : shape) {
        if (ctx.rng().Chance(0.3)) d = 1;
      }
    }
    shape.push_back(k);
    shape.push_back(ctx.rng().Int(1, 12));
    if (ctx.rng().Chance(0.6)) return Proposal{{*a, Operand::Param(Weight(shape, k))}, {}};
    return Proposal{{*a, Operand::Input(ProposeContext::Float(shape, -1, 1))}, {}};
  };
  op.infer = [batched](const std::vector<ValueInfo>& in,
                       const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 2 || !IsFloat(in[0]) || !IsFloat(in[1])) {
      return InvalidArgument("matmul takes two floats");
    }
    if (batched && (in[0].rank() != 3 || in[1].rank() != 3 || in[0].shape[0] != in[1].shape[0])) {
      return InvalidArgument("bmm takes [b, n, k] and [b, k, m]");
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, MatMulShape(in[0], in[1]));
    const double k = static_cast<double>(in[0].shape.back());
    const double bound = k * in[0].Magnitude() * in[1].Magnitude();
    // Broadcasting pairs one matrix with different others, which repeats no output; equal
    // rows or columns of an operand (ties) do.
    const bool tie = in[0].may_tie || in[1].may_tie;
    return std::vector<ValueInfo>{FloatOut(shape, Symmetric(bound), tie)};
  };
  op.python = [batched](const std::vector<std::string>& a, const Attrs&,
                        const std::vector<ValueInfo>&) {
    return std::string(batched ? "torch.bmm(" : "torch.matmul(") + a[0] + ", " + a[1] + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    ctx.Node("MatMul", {ctx.in()[0], ctx.in()[1]}, {ctx.out()[0]});
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// Convolutions

// Attributes of one convolution or pooling window, per spatial dim.
struct Window {
  std::vector<int64_t> kernel, stride, padding, dilation, output_padding;
};

Window ReadWindow(const Attrs& attrs) {
  return {AttrInts(attrs, "kernel"), AttrInts(attrs, "stride"), AttrInts(attrs, "padding"),
          AttrInts(attrs, "dilation"), AttrInts(attrs, "output_padding")};
}

void WriteWindow(const Window& w, Attrs& attrs) {
  attrs["kernel"] = w.kernel;
  attrs["stride"] = w.stride;
  attrs["padding"] = w.padding;
  if (!w.dilation.empty()) attrs["dilation"] = w.dilation;
  if (!w.output_padding.empty()) attrs["output_padding"] = w.output_padding;
}

// The output length of a (transposed) convolution or pool along one dim; < 1 when invalid.
int64_t WindowOut(int64_t length, const Window& w, size_t i, bool transpose) {
  const int64_t d = w.dilation.empty() ? 1 : w.dilation[i];
  const int64_t span = d * (w.kernel[i] - 1) + 1;
  if (transpose) {
    const int64_t op = w.output_padding.empty() ? 0 : w.output_padding[i];
    return (length - 1) * w.stride[i] - 2 * w.padding[i] + span + op;
  }
  const int64_t padded = length + 2 * w.padding[i];
  if (padded < span) return 0;
  return (padded - span) / w.stride[i] + 1;
}

// Checks the window's vectors against the number of spatial dims.
Status CheckWindow(const Window& w, size_t n, bool need_dilation, bool transpose) {
  if (w.kernel.size() != n || w.stride.size() != n || w.padding.size() != n ||
      (need_dilation && w.dilation.size() != n) || (transpose && w.output_padding.size() != n)) {
    return InvalidArgument("window attributes do not match the spatial rank");
  }
  for (size_t i = 0; i < n; ++i) {
    if (w.kernel[i] < 1 || w.stride[i] < 1 || w.padding[i] < 0 ||
        (need_dilation && w.dilation[i] < 1)) {
      return InvalidArgument("bad window attribute");
    }
    if (transpose && (w.output_padding[i] < 0 || w.output_padding[i] >= w.stride[i])) {
      return InvalidArgument("output_padding must be smaller than stride");
    }
  }
  return Status::Ok();
}

OpSpec Conv(int64_t n, bool transpose) {
  OpSpec op;
  const std::string nd = std::to_string(n) + "d";
  op.name = (transpose ? "conv_transpose" : "conv") + nd;
  op.torch_name = "torch.nn.functional." + op.name;
  op.family = "conv";
  op.propose = [n, transpose](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<Operand> x =
        PickOrInput(ctx, n + 2, [](const ValueInfo& info) { return info.shape[1] <= 32; });
    if (!x) return std::nullopt;
    const ValueInfo xi = OperandInfo(ctx, *x);
    Rng& rng = ctx.rng();
    const int64_t c = xi.shape[1];
    const std::vector<int64_t> divisors = Divisors(c);
    const int64_t groups = rng.Chance(0.2) ? c : rng.Chance(0.6) ? 1 : rng.Choice(divisors);
    const int64_t mult = rng.Int(1, std::max<int64_t>(1, std::min<int64_t>(4, 16 / groups)));
    for (int attempt = 0; attempt < 10; ++attempt) {
      Window w;
      for (int64_t i = 0; i < n; ++i) {
        w.kernel.push_back(rng.Int(1, 3));
        w.stride.push_back(rng.Chance(0.7) ? 1 : 2);
        w.dilation.push_back(rng.Chance(0.8) ? 1 : 2);
        const int64_t span = w.dilation.back() * (w.kernel.back() - 1);
        // Transposed: padding within the span, so every output reads some input.
        w.padding.push_back(transpose ? rng.Int(0, std::min<int64_t>(2, span)) : rng.Int(0, 2));
        if (transpose) w.output_padding.push_back(rng.Int(0, w.stride.back() - 1));
      }
      bool ok = true;
      for (int64_t i = 0; i < n; ++i) {
        if (WindowOut(xi.shape[2 + i], w, static_cast<size_t>(i), transpose) < 1) ok = false;
      }
      if (!ok) continue;
      Proposal p;
      WriteWindow(w, p.attrs);
      p.attrs["groups"] = groups;
      const int64_t ksize = Product(w.kernel);
      std::vector<int64_t> wshape;
      int64_t cout, fan_in;
      if (transpose) {
        cout = groups * mult;
        wshape = {c, mult};
        fan_in = (c / groups) * ksize;
      } else {
        cout = groups * mult;
        wshape = {cout, c / groups};
        fan_in = (c / groups) * ksize;
      }
      wshape.insert(wshape.end(), w.kernel.begin(), w.kernel.end());
      p.operands = {*x, Operand::Param(Weight(wshape, fan_in))};
      if (rng.Chance(0.7)) p.operands.push_back(Operand::Param(Weight({cout}, fan_in)));
      return p;
    }
    return std::nullopt;
  };
  op.infer = [n, transpose, name = op.name](
                 const std::vector<ValueInfo>& in,
                 const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() < 2 || in.size() > 3) return InvalidArgument(name + " takes x, weight[, bias]");
    for (const auto& i : in) {
      if (!IsFloat(i)) return InvalidArgument(name + " takes floats");
    }
    const ValueInfo& x = in[0];
    const ValueInfo& w = in[1];
    if (x.rank() != n + 2 || w.rank() != n + 2) return InvalidArgument(name + ": bad ranks");
    const Window win = ReadWindow(attrs);
    CC_RETURN_IF_ERROR(CheckWindow(win, static_cast<size_t>(n), true, transpose));
    const int64_t groups = AttrInt(attrs, "groups", 1);
    const int64_t c = x.shape[1];
    if (groups < 1 || c % groups != 0) return InvalidArgument(name + ": groups must divide C");
    int64_t cout;
    if (transpose) {
      if (w.shape[0] != c) return InvalidArgument(name + ": weight[0] must equal C");
      cout = w.shape[1] * groups;
    } else {
      if (w.shape[1] != c / groups) return InvalidArgument(name + ": weight[1] must be C/groups");
      if (w.shape[0] % groups != 0) return InvalidArgument(name + ": groups must divide Cout");
      cout = w.shape[0];
    }
    for (int64_t i = 0; i < n; ++i) {
      if (w.shape[2 + i] != win.kernel[i]) return InvalidArgument(name + ": kernel mismatch");
    }
    double bias = 0;
    if (in.size() == 3) {
      if (in[2].shape != std::vector<int64_t>{cout}) return InvalidArgument(name + ": bad bias");
      bias = in[2].Magnitude();
    }
    std::vector<int64_t> shape = {x.shape[0], cout};
    bool padded = false;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t len = WindowOut(x.shape[2 + i], win, static_cast<size_t>(i), transpose);
      if (len < 1) return InvalidArgument(name + ": empty output");
      if (transpose && win.padding[i] > win.dilation[i] * (win.kernel[i] - 1)) {
        return InvalidArgument(name + ": padding beyond the kernel span");
      }
      shape.push_back(len);
      // Transposed, strides and dilations leave gaps that no input reaches.
      padded =
          padded || win.padding[i] > 0 || (transpose && (win.stride[i] > 1 || win.dilation[i] > 1));
    }
    // Each output sums at most (C/groups) * prod(kernel) products.
    const double terms = static_cast<double>(c / groups * Product(win.kernel));
    const double bound = terms * w.Magnitude() * x.Magnitude() + bias;
    // Outputs that read only padding (or, transposed, no input at all) equal the bias.
    return std::vector<ValueInfo>{FloatOut(shape, Symmetric(bound), x.may_tie || padded)};
  };
  op.python = [transpose, name = op.name](const std::vector<std::string>& a, const Attrs& attrs,
                                          const std::vector<ValueInfo>&) {
    const Window w = ReadWindow(attrs);
    std::string s = "torch.nn.functional." + name + "(" + a[0] + ", " + a[1] + ", " +
                    (a.size() == 3 ? a[2] : "None") + ", " + PyTuple(w.stride) + ", " +
                    PyTuple(w.padding) + ", ";
    const std::string groups = std::to_string(AttrInt(attrs, "groups", 1));
    // The two signatures order their trailing arguments differently.
    if (transpose)
      return s + PyTuple(w.output_padding) + ", " + groups + ", " + PyTuple(w.dilation) + ")";
    return s + PyTuple(w.dilation) + ", " + groups + ")";
  };
  op.onnx = [transpose](OnnxEmitContext& ctx) {
    const Window w = ReadWindow(ctx.attrs());
    onnx::NodeProto& node =
        ctx.Node(transpose ? "ConvTranspose" : "Conv", ctx.in(), {ctx.out()[0]});
    SetAttr(node, "kernel_shape", w.kernel);
    SetAttr(node, "strides", w.stride);
    SetAttr(node, "dilations", w.dilation);
    std::vector<int64_t> pads = w.padding;
    pads.insert(pads.end(), w.padding.begin(), w.padding.end());
    SetAttr(node, "pads", pads);
    SetAttr(node, "group", AttrInt(ctx.attrs(), "groups", 1));
    if (transpose) SetAttr(node, "output_padding", w.output_padding);
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// Pooling

OpSpec Pool(int64_t n, bool max) {
  OpSpec op;
  op.name = std::string(max ? "max_pool" : "avg_pool") + std::to_string(n) + "d";
  op.torch_name = "torch.nn.functional." + op.name;
  op.family = "pool";
  op.propose = [n, max](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<Operand> x = PickOrInput(ctx, n + 2, [n](const ValueInfo& info) {
      for (int64_t i = 0; i < n; ++i) {
        if (info.shape[2 + i] < 2) return false;
      }
      return true;
    });
    if (!x) return std::nullopt;
    const ValueInfo xi = OperandInfo(ctx, *x);
    Rng& rng = ctx.rng();
    for (int attempt = 0; attempt < 10; ++attempt) {
      Window w;
      bool ok = true;
      for (int64_t i = 0; i < n; ++i) {
        w.kernel.push_back(rng.Int(1, 3));
        w.stride.push_back(rng.Chance(0.5) ? w.kernel.back() : rng.Int(1, 2));
        w.padding.push_back(rng.Chance(0.6) ? 0 : rng.Int(0, w.kernel.back() / 2));
        if (WindowOut(xi.shape[2 + i], w, static_cast<size_t>(i), false) < 1) ok = false;
        if (!max && n == 3 && xi.shape[2 + i] < w.kernel.back()) ok = false;
      }
      if (!ok) continue;
      Proposal p;
      p.operands = {*x};
      WriteWindow(w, p.attrs);
      return p;
    }
    return std::nullopt;
  };
  op.infer = [n, max, name = op.name](const std::vector<ValueInfo>& in,
                                      const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0]) || in[0].rank() != n + 2) {
      return InvalidArgument(name + " takes one float of rank " + std::to_string(n + 2));
    }
    const Window w = ReadWindow(attrs);
    CC_RETURN_IF_ERROR(CheckWindow(w, static_cast<size_t>(n), false, false));
    std::vector<int64_t> shape = {in[0].shape[0], in[0].shape[1]};
    bool padded = false;
    for (int64_t i = 0; i < n; ++i) {
      // torch's limit; it also means every window holds at least one real element.
      if (w.padding[i] > w.kernel[i] / 2) return InvalidArgument(name + ": padding > kernel/2");
      const int64_t len = WindowOut(in[0].shape[2 + i], w, static_cast<size_t>(i), false);
      if (len < 1) return InvalidArgument(name + ": empty output");
      // avg_pool3d alone also wants the unpadded input to hold a whole window.
      if (!max && n == 3 && in[0].shape[2 + i] < w.kernel[i]) {
        return InvalidArgument(name + ": input smaller than the kernel");
      }
      shape.push_back(len);
      padded = padded || w.padding[i] > 0;
    }
    Range range = in[0].range;
    // count_include_pad: padded zeros enter the average.
    if (!max && padded) range = UnionRange(range, {0, 0});
    const bool tie = max || in[0].may_tie || padded;
    return std::vector<ValueInfo>{FloatOut(shape, range, tie)};
  };
  op.python = [name = op.name](const std::vector<std::string>& a, const Attrs& attrs,
                               const std::vector<ValueInfo>&) {
    const Window w = ReadWindow(attrs);
    return "torch.nn.functional." + name + "(" + a[0] + ", " + PyTuple(w.kernel) + ", " +
           PyTuple(w.stride) + ", " + PyTuple(w.padding) + ")";
  };
  op.onnx = [max](OnnxEmitContext& ctx) {
    const Window w = ReadWindow(ctx.attrs());
    onnx::NodeProto& node =
        ctx.Node(max ? "MaxPool" : "AveragePool", {ctx.in()[0]}, {ctx.out()[0]});
    SetAttr(node, "kernel_shape", w.kernel);
    SetAttr(node, "strides", w.stride);
    std::vector<int64_t> pads = w.padding;
    pads.insert(pads.end(), w.padding.begin(), w.padding.end());
    SetAttr(node, "pads", pads);
    if (!max) SetAttr(node, "count_include_pad", int64_t{1});
  };
  return op;
}

OpSpec AdaptiveAvgPool2d() {
  OpSpec op;
  op.name = "adaptive_avg_pool2d";
  op.torch_name = "torch.nn.functional.adaptive_avg_pool2d";
  op.family = "pool";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<Operand> x = PickOrInput(ctx, 4, [](const ValueInfo&) { return true; });
    if (!x) return std::nullopt;
    const ValueInfo xi = OperandInfo(ctx, *x);
    Proposal p;
    p.operands = {*x};
    if (ctx.rng().Chance(0.3)) {
      p.attrs["size"] = std::vector<int64_t>{1, 1};
    } else {
      p.attrs["size"] = std::vector<int64_t>{ctx.rng().Choice(Divisors(xi.shape[2])),
                                             ctx.rng().Choice(Divisors(xi.shape[3]))};
    }
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0]) || in[0].rank() != 4) {
      return InvalidArgument("adaptive_avg_pool2d takes one float of rank 4");
    }
    const std::vector<int64_t> size = AttrInts(attrs, "size");
    if (size.size() != 2) return InvalidArgument("adaptive_avg_pool2d: bad size");
    for (int i = 0; i < 2; ++i) {
      // Only even windows, so that it is a plain AveragePool in ONNX.
      if (size[i] < 1 || in[0].shape[2 + i] % size[i] != 0) {
        return InvalidArgument("adaptive_avg_pool2d: output size must divide the input");
      }
    }
    return std::vector<ValueInfo>{
        FloatOut({in[0].shape[0], in[0].shape[1], size[0], size[1]}, in[0].range, in[0].may_tie)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.nn.functional.adaptive_avg_pool2d(" + a[0] + ", " +
           PyTuple(AttrInts(attrs, "size")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    const std::vector<int64_t> size = AttrInts(ctx.attrs(), "size");
    const ValueInfo& x = ctx.in_info()[0];
    if (size[0] == 1 && size[1] == 1) {
      ctx.Node("GlobalAveragePool", {ctx.in()[0]}, {ctx.out()[0]});
      return;
    }
    const std::vector<int64_t> kernel = {x.shape[2] / size[0], x.shape[3] / size[1]};
    onnx::NodeProto& node = ctx.Node("AveragePool", {ctx.in()[0]}, {ctx.out()[0]});
    SetAttr(node, "kernel_shape", kernel);
    SetAttr(node, "strides", kernel);
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// Normalizations

// Per-channel affine params, [C] each: scale in [0.5, 1.5], shift in [-0.5, 0.5].
Operand Scale(int64_t c) { return Operand::Param(ProposeContext::Float({c}, 0.5, 1.5)); }
Operand Shift(int64_t c) { return Operand::Param(ProposeContext::Float({c}, -0.5, 0.5)); }

bool AllFloat(const std::vector<ValueInfo>& in) {
  return std::all_of(in.begin(), in.end(), IsFloat);
}

OpSpec BatchNorm() {
  OpSpec op;
  op.name = "batch_norm";
  op.torch_name = "torch.nn.functional.batch_norm";
  op.family = "norm";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick([](const ValueInfo& info) {
      return IsFloat(info) && info.rank() >= 2 && info.rank() <= 5;
    });
    if (!x) return std::nullopt;
    const int64_t c = ctx.info(*x).shape[1];
    return Proposal{
        {Operand::Existing(*x), Operand::Param(ProposeContext::Float({c}, -1, 1)),  // running_mean
         Operand::Param(ProposeContext::Float({c}, 0.5, 2)),                        // running_var
         Scale(c), Shift(c)},
        {}};
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 5 || !AllFloat(in)) return InvalidArgument("batch_norm takes 5 floats");
    const ValueInfo& x = in[0];
    if (x.rank() < 2) return InvalidArgument("batch_norm needs rank >= 2");
    for (size_t i = 1; i < 5; ++i) {
      if (in[i].shape != std::vector<int64_t>{x.shape[1]}) {
        return InvalidArgument("batch_norm: params must be [C]");
      }
    }
    // The running variance divides: it must stay away from zero.
    if (in[2].range.lo <= 0) return InvalidArgument("batch_norm: running_var may be <= 0");
    const double bound =
        (x.Magnitude() + in[1].Magnitude()) / std::sqrt(in[2].range.lo + kEps) * in[3].Magnitude() +
        in[4].Magnitude();
    return std::vector<ValueInfo>{FloatOut(x.shape, Symmetric(bound), x.may_tie)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs&, const std::vector<ValueInfo>&) {
    // The emitter makes float params nn.Parameters; running statistics must not require grad
    // (batch_norm refuses them when torch.onnx traces with autograd on).
    return "torch.nn.functional.batch_norm(" + a[0] + ", " + a[1] + ".detach(), " + a[2] +
           ".detach(), " + a[3] + ", " + a[4] + ", False, 0.1, " + PyFloat(kEps) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    const auto& in = ctx.in();
    onnx::NodeProto& node =
        ctx.Node("BatchNormalization", {in[0], in[3], in[4], in[1], in[2]}, {ctx.out()[0]});
    SetAttr(node, "epsilon", static_cast<float>(kEps));
  };
  return op;
}

// |(x - mean) / sqrt(var + eps)| <= sqrt(n - 1) over a group of n elements; then the affine.
Range NormalizedRange(int64_t group, const ValueInfo& scale, const ValueInfo& shift) {
  return Symmetric(std::sqrt(static_cast<double>(group)) * scale.Magnitude() + shift.Magnitude());
}

// Normalizing subtracts the group's mean: large values with a small spread cancel, and the
// float32 rounding of the mean (~1e-7 * |x|) is then divided by the small deviation. Engines
// that sum in another order would disagree beyond any tolerance, so the statistics are only
// taken over moderate values.
constexpr double kMaxNormalizedMagnitude = 1e3;

Status CheckNormalizable(const ValueInfo& x, const std::string& name) {
  if (x.Magnitude() > kMaxNormalizedMagnitude) {
    return InvalidArgument(name + ": input too large for exact statistics");
  }
  return Status::Ok();
}

OpSpec LayerNorm() {
  OpSpec op;
  op.name = "layer_norm";
  op.torch_name = "torch.nn.functional.layer_norm";
  op.family = "norm";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick([](const ValueInfo& info) {
      return IsFloat(info) && info.rank() >= 1 && info.shape.back() >= 2 &&
             info.Magnitude() <= kMaxNormalizedMagnitude;
    });
    if (!x) return std::nullopt;
    const ValueInfo& xi = ctx.info(*x);
    const int64_t k = xi.rank() >= 2 && ctx.rng().Chance(0.4) ? 2 : 1;
    std::vector<int64_t> shape(xi.shape.end() - k, xi.shape.end());
    return Proposal{{Operand::Existing(*x), Operand::Param(ProposeContext::Float(shape, 0.5, 1.5)),
                     Operand::Param(ProposeContext::Float(shape, -0.5, 0.5))},
                    {}};
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 3 || !AllFloat(in)) return InvalidArgument("layer_norm takes 3 floats");
    const ValueInfo& x = in[0];
    CC_RETURN_IF_ERROR(CheckNormalizable(x, "layer_norm"));
    const int64_t k = in[1].rank();
    if (k < 1 || k > x.rank() || in[2].shape != in[1].shape ||
        !std::equal(in[1].shape.begin(), in[1].shape.end(), x.shape.end() - k)) {
      return InvalidArgument("layer_norm: weight/bias must match the last dims");
    }
    return std::vector<ValueInfo>{
        FloatOut(x.shape, NormalizedRange(Product(in[1].shape), in[1], in[2]), x.may_tie)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs&,
                 const std::vector<ValueInfo>& in) {
    return "torch.nn.functional.layer_norm(" + a[0] + ", " + PyList(in[1].shape) + ", " + a[1] +
           ", " + a[2] + ", " + PyFloat(kEps) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    onnx::NodeProto& node = ctx.Node("LayerNormalization", ctx.in(), {ctx.out()[0]});
    SetAttr(node, "axis", ctx.in_info()[0].rank() - ctx.in_info()[1].rank());
    SetAttr(node, "epsilon", static_cast<float>(kEps));
  };
  return op;
}

OpSpec GroupNorm() {
  OpSpec op;
  op.name = "group_norm";
  op.torch_name = "torch.nn.functional.group_norm";
  op.family = "norm";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick([](const ValueInfo& info) {
      return IsFloat(info) && info.rank() >= 2 && info.rank() <= 5 && info.shape[1] >= 2 &&
             info.Magnitude() <= kMaxNormalizedMagnitude;
    });
    if (!x) return std::nullopt;
    const int64_t c = ctx.info(*x).shape[1];
    Proposal p{{Operand::Existing(*x), Scale(c), Shift(c)}, {}};
    // Groups of two elements at least (infer refuses smaller ones).
    const ValueInfo& xi = ctx.info(*x);
    std::vector<int64_t> groups;
    for (int64_t g : Divisors(c)) {
      if (xi.NumElements() / xi.shape[0] / g >= 2) groups.push_back(g);
    }
    if (groups.empty()) return std::nullopt;
    p.attrs["groups"] = ctx.rng().Choice(groups);
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 3 || !AllFloat(in)) return InvalidArgument("group_norm takes 3 floats");
    const ValueInfo& x = in[0];
    if (x.rank() < 2) return InvalidArgument("group_norm needs rank >= 2");
    CC_RETURN_IF_ERROR(CheckNormalizable(x, "group_norm"));
    const int64_t c = x.shape[1];
    const int64_t groups = AttrInt(attrs, "groups");
    if (groups < 1 || c % groups != 0) return InvalidArgument("group_norm: groups must divide C");
    if (in[1].shape != std::vector<int64_t>{c} || in[2].shape != in[1].shape) {
      return InvalidArgument("group_norm: weight/bias must be [C]");
    }
    const int64_t group = x.NumElements() / x.shape[0] / groups;
    // torch refuses one-element groups ("Expected more than 1 value per channel").
    if (group < 2) return InvalidArgument("group_norm: groups of one element");
    return std::vector<ValueInfo>{
        FloatOut(x.shape, NormalizedRange(group, in[1], in[2]), x.may_tie)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.nn.functional.group_norm(" + a[0] + ", " +
           std::to_string(AttrInt(attrs, "groups")) + ", " + a[1] + ", " + a[2] + ", " +
           PyFloat(kEps) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    // InstanceNormalization over [N, groups, rest] normalizes each group; the per-channel
    // affine follows on the original shape.
    const ValueInfo& x = ctx.in_info()[0];
    const int64_t groups = AttrInt(ctx.attrs(), "groups");
    const std::string grouped = ctx.Temp(), normed = ctx.Temp(), back = ctx.Temp(),
                      scale = ctx.Temp(), shift = ctx.Temp(), scaled = ctx.Temp();
    ctx.Node("Reshape", {ctx.in()[0], ctx.ConstInts({x.shape[0], groups, -1})}, {grouped});
    onnx::NodeProto& norm = ctx.Node("InstanceNormalization",
                                     {grouped, ctx.ConstFloats(std::vector<float>(groups, 1.0f)),
                                      ctx.ConstFloats(std::vector<float>(groups, 0.0f))},
                                     {normed});
    SetAttr(norm, "epsilon", static_cast<float>(kEps));
    ctx.Node("Reshape", {normed, ctx.ConstInts(x.shape)}, {back});
    std::vector<int64_t> affine(x.rank() - 1, 1);
    affine[0] = x.shape[1];
    ctx.Node("Reshape", {ctx.in()[1], ctx.ConstInts(affine)}, {scale});
    ctx.Node("Reshape", {ctx.in()[2], ctx.ConstInts(affine)}, {shift});
    ctx.Node("Mul", {back, scale}, {scaled});
    ctx.Node("Add", {scaled, shift}, {ctx.out()[0]});
  };
  return op;
}

OpSpec InstanceNorm() {
  OpSpec op;
  op.name = "instance_norm";
  op.torch_name = "torch.nn.functional.instance_norm";
  op.family = "norm";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<Operand> x = PickOrInput(ctx, ctx.rng().Int(3, 5), [](const ValueInfo& info) {
      return info.NumElements() / info.shape[0] / info.shape[1] >= 2 &&
             info.Magnitude() <= kMaxNormalizedMagnitude;
    });
    if (!x) return std::nullopt;
    const int64_t c = OperandInfo(ctx, *x).shape[1];
    return Proposal{{*x, Scale(c), Shift(c)}, {}};
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs&) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 3 || !AllFloat(in)) return InvalidArgument("instance_norm takes 3 floats");
    const ValueInfo& x = in[0];
    if (x.rank() < 3) return InvalidArgument("instance_norm needs rank >= 3");
    CC_RETURN_IF_ERROR(CheckNormalizable(x, "instance_norm"));
    if (in[1].shape != std::vector<int64_t>{x.shape[1]} || in[2].shape != in[1].shape) {
      return InvalidArgument("instance_norm: weight/bias must be [C]");
    }
    const int64_t group = x.NumElements() / x.shape[0] / x.shape[1];
    if (group < 2) return InvalidArgument("instance_norm: one spatial element per channel");
    return std::vector<ValueInfo>{
        FloatOut(x.shape, NormalizedRange(group, in[1], in[2]), x.may_tie)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs&, const std::vector<ValueInfo>&) {
    return "torch.nn.functional.instance_norm(" + a[0] + ", weight=" + a[1] + ", bias=" + a[2] +
           ", eps=" + PyFloat(kEps) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    SetAttr(ctx.Node("InstanceNormalization", ctx.in(), {ctx.out()[0]}), "epsilon",
            static_cast<float>(kEps));
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// interpolate

OpSpec Interpolate() {
  OpSpec op;
  op.name = "interpolate";
  op.torch_name = "torch.nn.functional.interpolate";
  op.family = "resize";
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<Operand> x = PickOrInput(ctx, ctx.rng().Int(3, 5), [](const ValueInfo& info) {
      return info.NumElements() << (info.rank() - 2) <= 4096;
    });
    if (!x) return std::nullopt;
    const ValueInfo xi = OperandInfo(ctx, *x);
    Proposal p;
    p.operands = {*x};
    p.attrs["mode"] = std::string(ctx.rng().Chance(0.5) ? "nearest" : "linear");
    std::vector<int64_t> size(xi.shape.begin() + 2, xi.shape.end());
    for (auto& d : size) d *= 2;
    p.attrs["size"] = size;
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 1 || !IsFloat(in[0]) || in[0].rank() < 3 || in[0].rank() > 5) {
      return InvalidArgument("interpolate takes one float of rank 3-5");
    }
    const std::string mode = AttrString(attrs, "mode");
    if (mode != "nearest" && mode != "linear") return InvalidArgument("interpolate: bad mode");
    const std::vector<int64_t> size = AttrInts(attrs, "size");
    const ValueInfo& x = in[0];
    if (static_cast<int64_t>(size.size()) != x.rank() - 2) {
      return InvalidArgument("interpolate: size must cover the spatial dims");
    }
    std::vector<int64_t> shape = {x.shape[0], x.shape[1]};
    bool tie = x.may_tie || mode == "nearest";
    for (size_t i = 0; i < size.size(); ++i) {
      // Exactly 2x: nearest is then the same function in torch and ONNX (asymmetric, floor).
      if (size[i] != 2 * x.shape[2 + i]) return InvalidArgument("interpolate: only 2x sizes");
      if (x.shape[2 + i] == 1) tie = true;  // A single sample is repeated.
      shape.push_back(size[i]);
    }
    // Nearest copies and linear takes convex combinations: the range holds.
    return std::vector<ValueInfo>{FloatOut(shape, x.range, tie)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>& in) {
    const std::string mode = AttrString(attrs, "mode");
    std::string s = "torch.nn.functional.interpolate(" + a[0] +
                    ", size=" + PyTuple(AttrInts(attrs, "size")) + ", mode=";
    if (mode == "nearest") return s + "'nearest')";
    static const char* kLinear[] = {"'linear'", "'bilinear'", "'trilinear'"};
    return s + kLinear[in[0].rank() - 3] + ", align_corners=False)";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    const std::string mode = AttrString(ctx.attrs(), "mode");
    std::vector<int64_t> sizes = ctx.out_info()[0].shape;
    onnx::NodeProto& node =
        ctx.Node("Resize", {ctx.in()[0], "", "", ctx.ConstInts(sizes)}, {ctx.out()[0]});
    SetAttr(node, "mode", mode);
    if (mode == "nearest") {
      SetAttr(node, "coordinate_transformation_mode", std::string("asymmetric"));
      SetAttr(node, "nearest_mode", std::string("floor"));
    } else {
      SetAttr(node, "coordinate_transformation_mode", std::string("half_pixel"));
    }
  };
  return op;
}

}  // namespace

void RegisterNnOps(std::vector<OpSpec>& ops) {
  ops.push_back(Linear());
  ops.push_back(MatMul(/*batched=*/false));
  ops.push_back(MatMul(/*batched=*/true));
  for (int64_t n = 1; n <= 3; ++n) {
    ops.push_back(Conv(n, /*transpose=*/false));
    ops.push_back(Conv(n, /*transpose=*/true));
    ops.push_back(Pool(n, /*max=*/true));
    ops.push_back(Pool(n, /*max=*/false));
  }
  ops.push_back(AdaptiveAvgPool2d());
  ops.push_back(BatchNorm());
  ops.push_back(LayerNorm());
  ops.push_back(GroupNorm());
  ops.push_back(InstanceNorm());
  ops.push_back(Interpolate());
}

}  // namespace convcheck::gen
