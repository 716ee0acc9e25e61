// Reshape, transpose, slice, concat, split, pad, expand, gather and scatter-style indexing.
//
// These move elements without computing new ones, so the output range is the input's (or its
// union with the padding value / the scattered source), and they apply to any dtype unless
// noted. Anything that can duplicate an element (concat or stack of values that may be equal by
// construction, expand, repeat, pad, gathers with repeated indices) sets may_tie.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

bool IsFloat(const ValueInfo& info) { return info.dtype == DataType::kFloat32; }

int64_t Product(const std::vector<int64_t>& values) {
  int64_t p = 1;
  for (int64_t v : values) p *= v;
  return p;
}

ValueInfo WithShape(const ValueInfo& in, std::vector<int64_t> shape, bool tie = false) {
  ValueInfo out = in;
  out.shape = std::move(shape);
  out.may_tie = in.may_tie || tie;
  return out;
}

// Python indexing "x[:, :, a:b:s]" along `dim`.
std::string PySlice(const std::string& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  std::string s = x + "[";
  for (int64_t i = 0; i < dim; ++i) s += ":, ";
  s += std::to_string(start) + ":" + std::to_string(end);
  if (step != 1) s += ":" + std::to_string(step);
  return s + "]";
}

std::string JoinArgs(const std::vector<std::string>& args, size_t from, size_t to) {
  std::string s;
  for (size_t i = from; i < to; ++i) s += (i > from ? ", " : "") + args[i];
  return s;
}

// The names of an op; the family is "shape" unless given.
struct Unary {
  std::string name, torch_name, family = "shape";
};

OpSpec Base(const Unary& u) {
  OpSpec op;
  op.name = u.name;
  op.torch_name = u.torch_name;
  op.family = u.family;
  return op;
}

std::function<bool(const ValueInfo&)> RankIn(int64_t lo, int64_t hi, bool float_only = false) {
  return [=](const ValueInfo& info) {
    return info.rank() >= lo && info.rank() <= hi && (!float_only || IsFloat(info));
  };
}

Status OneInput(const std::vector<ValueInfo>& in, const std::string& name, int64_t min_rank) {
  if (in.size() != 1) return InvalidArgument(name + " takes one value");
  if (in[0].rank() < min_rank) return InvalidArgument(name + ": rank too low");
  return Status::Ok();
}

Status CheckDim(int64_t dim, int64_t rank, const std::string& name) {
  if (dim < 0 || dim >= rank) return InvalidArgument(name + ": dim out of range");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// reshape, flatten, transpose, permute, squeeze, unsqueeze

OpSpec Reshape() {
  OpSpec op = Base({"reshape", "torch.reshape"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(0, 5));
    if (!x) return std::nullopt;
    // Prime factors of the element count, dealt to 1-5 dims at random.
    int64_t n = ctx.info(*x).NumElements();
    std::vector<int64_t> primes;
    for (int64_t p = 2; p * p <= n; ++p) {
      while (n % p == 0) {
        primes.push_back(p);
        n /= p;
      }
    }
    if (n > 1) primes.push_back(n);
    std::vector<int64_t> shape(static_cast<size_t>(ctx.rng().Int(1, 5)), 1);
    const int64_t last = static_cast<int64_t>(shape.size()) - 1;
    for (int64_t p : primes) shape[static_cast<size_t>(ctx.rng().Int(0, last))] *= p;
    Proposal proposal{{Operand::Existing(*x)}, {}};
    proposal.attrs["shape"] = shape;
    return proposal;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, "reshape", 0));
    std::vector<int64_t> shape = AttrInts(attrs, "shape");
    if (shape.empty() || Product(shape) != in[0].NumElements()) {
      return InvalidArgument("reshape: element count differs");
    }
    return std::vector<ValueInfo>{WithShape(in[0], shape)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.reshape(" + a[0] + ", " + PyTuple(AttrInts(attrs, "shape")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    ctx.Node("Reshape", {ctx.in()[0], ctx.ConstInts(ctx.out_info()[0].shape)}, {ctx.out()[0]});
  };
  return op;
}

OpSpec Flatten() {
  OpSpec op = Base({"flatten", "torch.flatten"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(2, 5));
    if (!x) return std::nullopt;
    const int64_t rank = ctx.info(*x).rank();
    const int64_t start = ctx.rng().Int(0, rank - 2);
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["start_dim"] = start;
    p.attrs["end_dim"] = ctx.rng().Int(start + 1, rank - 1);
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, "flatten", 1));
    const int64_t start = AttrInt(attrs, "start_dim"), end = AttrInt(attrs, "end_dim");
    CC_RETURN_IF_ERROR(CheckDim(start, in[0].rank(), "flatten"));
    CC_RETURN_IF_ERROR(CheckDim(end, in[0].rank(), "flatten"));
    if (start > end) return InvalidArgument("flatten: start_dim > end_dim");
    const auto& s = in[0].shape;
    std::vector<int64_t> shape(s.begin(), s.begin() + start);
    shape.push_back(Product(std::vector<int64_t>(s.begin() + start, s.begin() + end + 1)));
    shape.insert(shape.end(), s.begin() + end + 1, s.end());
    return std::vector<ValueInfo>{WithShape(in[0], shape)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.flatten(" + a[0] + ", " + std::to_string(AttrInt(attrs, "start_dim")) + ", " +
           std::to_string(AttrInt(attrs, "end_dim")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    // ONNX Flatten always gives 2-D; a Reshape states the exact result.
    ctx.Node("Reshape", {ctx.in()[0], ctx.ConstInts(ctx.out_info()[0].shape)}, {ctx.out()[0]});
  };
  return op;
}

// transpose (two dims) and permute share the ONNX Transpose; attrs "perm" is the full
// permutation, and for transpose also the swapped dims.
OpSpec Permute(bool two_dims) {
  OpSpec op =
      Base(two_dims ? Unary{"transpose", "torch.transpose"} : Unary{"permute", "torch.permute"});
  op.propose = [two_dims](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(2, 5));
    if (!x) return std::nullopt;
    const int64_t rank = ctx.info(*x).rank();
    std::vector<int64_t> perm(static_cast<size_t>(rank));
    std::iota(perm.begin(), perm.end(), 0);
    Proposal p{{Operand::Existing(*x)}, {}};
    if (two_dims) {
      const int64_t a = ctx.rng().Int(0, rank - 2);
      const int64_t b = ctx.rng().Int(a + 1, rank - 1);
      p.attrs["dims"] = std::vector<int64_t>{a, b};
    } else {
      for (int64_t i = rank - 1; i > 0; --i) std::swap(perm[i], perm[ctx.rng().Int(0, i)]);
      p.attrs["perm"] = perm;
    }
    return p;
  };
  auto perm_of = [two_dims](const Attrs& attrs, int64_t rank) {
    if (!two_dims) return AttrInts(attrs, "perm");
    std::vector<int64_t> perm(static_cast<size_t>(rank));
    std::iota(perm.begin(), perm.end(), 0);
    const std::vector<int64_t> dims = AttrInts(attrs, "dims");
    if (dims.size() == 2 && dims[0] >= 0 && dims[1] >= 0 && dims[0] < rank && dims[1] < rank) {
      std::swap(perm[dims[0]], perm[dims[1]]);
    } else {
      perm.clear();
    }
    return perm;
  };
  op.infer = [perm_of, name = op.name](const std::vector<ValueInfo>& in,
                                       const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, name, 1));
    const std::vector<int64_t> perm = perm_of(attrs, in[0].rank());
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (sorted[i] != static_cast<int64_t>(i)) sorted.clear();
    }
    if (static_cast<int64_t>(sorted.size()) != in[0].rank()) {
      return InvalidArgument(name + ": not a permutation of the dims");
    }
    std::vector<int64_t> shape;
    for (int64_t p : perm) shape.push_back(in[0].shape[p]);
    return std::vector<ValueInfo>{WithShape(in[0], shape)};
  };
  op.python = [two_dims](const std::vector<std::string>& a, const Attrs& attrs,
                         const std::vector<ValueInfo>&) {
    if (!two_dims) return "torch.permute(" + a[0] + ", " + PyTuple(AttrInts(attrs, "perm")) + ")";
    const std::vector<int64_t> dims = AttrInts(attrs, "dims");
    return "torch.transpose(" + a[0] + ", " + std::to_string(dims[0]) + ", " +
           std::to_string(dims[1]) + ")";
  };
  op.onnx = [perm_of](OnnxEmitContext& ctx) {
    SetAttr(ctx.Node("Transpose", {ctx.in()[0]}, {ctx.out()[0]}), "perm",
            perm_of(ctx.attrs(), ctx.in_info()[0].rank()));
  };
  return op;
}

OpSpec Squeeze() {
  OpSpec op = Base({"squeeze", "torch.squeeze"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick([](const ValueInfo& info) {
      return info.rank() >= 2 && std::count(info.shape.begin(), info.shape.end(), 1) > 0;
    });
    if (!x) return std::nullopt;
    std::vector<int64_t> ones;
    for (int64_t i = 0; i < ctx.info(*x).rank(); ++i) {
      if (ctx.info(*x).shape[i] == 1) ones.push_back(i);
    }
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["dim"] = ctx.rng().Choice(ones);
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    // Rank 2 at least: no rank-0 results, which few operators take.
    CC_RETURN_IF_ERROR(OneInput(in, "squeeze", 2));
    const int64_t dim = AttrInt(attrs, "dim");
    CC_RETURN_IF_ERROR(CheckDim(dim, in[0].rank(), "squeeze"));
    // torch.squeeze would silently keep a dim that is not 1; ONNX Squeeze would fail.
    if (in[0].shape[dim] != 1) return InvalidArgument("squeeze: dim is not of size 1");
    std::vector<int64_t> shape = in[0].shape;
    shape.erase(shape.begin() + dim);
    return std::vector<ValueInfo>{WithShape(in[0], shape)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.squeeze(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    ctx.Node("Squeeze", {ctx.in()[0], ctx.ConstInts({AttrInt(ctx.attrs(), "dim")})},
             {ctx.out()[0]});
  };
  return op;
}

OpSpec Unsqueeze() {
  OpSpec op = Base({"unsqueeze", "torch.unsqueeze"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(0, 4));
    if (!x) return std::nullopt;
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["dim"] = ctx.rng().Int(0, ctx.info(*x).rank());
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, "unsqueeze", 0));
    const int64_t dim = AttrInt(attrs, "dim");
    CC_RETURN_IF_ERROR(CheckDim(dim, in[0].rank() + 1, "unsqueeze"));
    std::vector<int64_t> shape = in[0].shape;
    shape.insert(shape.begin() + dim, 1);
    return std::vector<ValueInfo>{WithShape(in[0], shape)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.unsqueeze(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    ctx.Node("Unsqueeze", {ctx.in()[0], ctx.ConstInts({AttrInt(ctx.attrs(), "dim")})},
             {ctx.out()[0]});
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// slice, flip, roll

// A value with a dim of size >= 2, and one such dim chosen at random (slice and roll cut or turn
// along it).
std::optional<std::pair<int, int64_t>> PickLongDim(ProposeContext& ctx) {
  std::optional<int> x = ctx.Pick([](const ValueInfo& info) {
    return info.rank() >= 1 && *std::max_element(info.shape.begin(), info.shape.end()) >= 2;
  });
  if (!x) return std::nullopt;
  const ValueInfo& xi = ctx.info(*x);
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < xi.rank(); ++i) {
    if (xi.shape[i] >= 2) dims.push_back(i);
  }
  return std::make_pair(*x, ctx.rng().Choice(dims));
}

OpSpec Slice() {
  OpSpec op = Base({"slice", "torch.Tensor.__getitem__"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<std::pair<int, int64_t>> picked = PickLongDim(ctx);
    if (!picked) return std::nullopt;
    const auto [value, dim] = *picked;
    std::optional<int> x = value;
    const ValueInfo& xi = ctx.info(*x);
    const int64_t len = xi.shape[dim];
    const int64_t start = ctx.rng().Int(0, len - 1);
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["dim"] = dim;
    p.attrs["start"] = start;
    p.attrs["end"] = ctx.rng().Int(start + 1, len);
    p.attrs["step"] = ctx.rng().Int(1, 2);
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, "slice", 1));
    const int64_t dim = AttrInt(attrs, "dim");
    CC_RETURN_IF_ERROR(CheckDim(dim, in[0].rank(), "slice"));
    const int64_t start = AttrInt(attrs, "start"), end = AttrInt(attrs, "end"),
                  step = AttrInt(attrs, "step");
    if (start < 0 || end <= start || end > in[0].shape[dim] || step < 1) {
      return InvalidArgument("slice: bad bounds");
    }
    std::vector<int64_t> shape = in[0].shape;
    shape[dim] = (end - start + step - 1) / step;
    return std::vector<ValueInfo>{WithShape(in[0], shape)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return PySlice(a[0], AttrInt(attrs, "dim"), AttrInt(attrs, "start"), AttrInt(attrs, "end"),
                   AttrInt(attrs, "step"));
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    const Attrs& at = ctx.attrs();
    ctx.Node(
        "Slice",
        {ctx.in()[0], ctx.ConstInts({AttrInt(at, "start")}), ctx.ConstInts({AttrInt(at, "end")}),
         ctx.ConstInts({AttrInt(at, "dim")}), ctx.ConstInts({AttrInt(at, "step")})},
        {ctx.out()[0]});
  };
  return op;
}

OpSpec Flip() {
  OpSpec op = Base({"flip", "torch.flip"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(1, 5));
    if (!x) return std::nullopt;
    std::vector<int64_t> dims;
    for (int64_t i = 0; i < ctx.info(*x).rank(); ++i) {
      if (ctx.rng().Chance(0.5)) dims.push_back(i);
    }
    if (dims.empty()) dims.push_back(ctx.rng().Int(0, ctx.info(*x).rank() - 1));
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["dims"] = dims;
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, "flip", 1));
    std::vector<int64_t> dims = AttrInts(attrs, "dims");
    if (dims.empty()) return InvalidArgument("flip: no dims");
    for (int64_t d : dims) CC_RETURN_IF_ERROR(CheckDim(d, in[0].rank(), "flip"));
    std::sort(dims.begin(), dims.end());
    if (std::adjacent_find(dims.begin(), dims.end()) != dims.end()) {
      return InvalidArgument("flip: repeated dim");
    }
    return std::vector<ValueInfo>{in[0]};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.flip(" + a[0] + ", " + PyTuple(AttrInts(attrs, "dims")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    // A reversed Slice: from -1 down past the front, as exporters write it.
    const std::vector<int64_t> dims = AttrInts(ctx.attrs(), "dims");
    const std::vector<int64_t> starts(dims.size(), -1);
    const std::vector<int64_t> ends(dims.size(), std::numeric_limits<int64_t>::min());
    ctx.Node("Slice",
             {ctx.in()[0], ctx.ConstInts(starts), ctx.ConstInts(ends), ctx.ConstInts(dims),
              ctx.ConstInts(std::vector<int64_t>(dims.size(), -1))},
             {ctx.out()[0]});
  };
  return op;
}

OpSpec Roll() {
  OpSpec op = Base({"roll", "torch.roll"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<std::pair<int, int64_t>> picked = PickLongDim(ctx);
    if (!picked) return std::nullopt;
    const auto [value, dim] = *picked;
    std::optional<int> x = value;
    const ValueInfo& xi = ctx.info(*x);
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["dim"] = dim;
    p.attrs["shift"] = ctx.rng().Int(1, xi.shape[dim] - 1);
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, "roll", 1));
    const int64_t dim = AttrInt(attrs, "dim"), shift = AttrInt(attrs, "shift");
    CC_RETURN_IF_ERROR(CheckDim(dim, in[0].rank(), "roll"));
    if (shift < 1 || shift >= in[0].shape[dim]) return InvalidArgument("roll: bad shift");
    return std::vector<ValueInfo>{in[0]};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.roll(" + a[0] + ", " + std::to_string(AttrInt(attrs, "shift")) + ", " +
           std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    // out = cat(x[L-s:], x[:L-s]) along dim.
    const int64_t dim = AttrInt(ctx.attrs(), "dim"), shift = AttrInt(ctx.attrs(), "shift");
    const int64_t len = ctx.in_info()[0].shape[dim];
    const std::string tail = ctx.Temp(), head = ctx.Temp(), axes = ctx.ConstInts({dim});
    ctx.Node("Slice", {ctx.in()[0], ctx.ConstInts({len - shift}), ctx.ConstInts({len}), axes},
             {tail});
    ctx.Node("Slice", {ctx.in()[0], ctx.ConstInts({0}), ctx.ConstInts({len - shift}), axes},
             {head});
    SetAttr(ctx.Node("Concat", {tail, head}, {ctx.out()[0]}), "axis", dim);
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// concat, stack, split, chunk

// cat (stack = false) or stack of 2-3 values of one dtype; a new input of the right shape when
// no other value fits.
OpSpec Join(bool stack) {
  OpSpec op = Base(stack ? Unary{"stack", "torch.stack"} : Unary{"concat", "torch.cat"});
  op.propose = [stack](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(1, stack ? 4 : 5));
    if (!x) return std::nullopt;
    const ValueInfo xi = ctx.info(*x);
    const int64_t dim = ctx.rng().Int(0, xi.rank() - (stack ? 0 : 1));
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["dim"] = dim;
    const int64_t count = ctx.rng().Int(2, 3);
    while (static_cast<int64_t>(p.operands.size()) < count) {
      std::optional<int> other = ctx.Pick([&](const ValueInfo& info) {
        if (info.dtype != xi.dtype || info.rank() != xi.rank()) return false;
        for (int64_t i = 0; i < xi.rank(); ++i) {
          if (info.shape[i] != xi.shape[i] && (stack || i != dim)) return false;
        }
        return true;
      });
      if (other && ctx.rng().Chance(0.6)) {
        p.operands.push_back(Operand::Existing(*other));
        continue;
      }
      ValueInfo info = xi;
      info.may_tie = false;
      if (!stack) info.shape[dim] = ctx.rng().Int(1, 6);
      if (IsFloat(info)) info.range = {-1, 1};
      p.operands.push_back(Operand::Input(info));
    }
    return p;
  };
  op.infer = [stack, name = op.name](const std::vector<ValueInfo>& in,
                                     const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() < 2) return InvalidArgument(name + " takes at least two values");
    const int64_t dim = AttrInt(attrs, "dim");
    const ValueInfo& x = in[0];
    CC_RETURN_IF_ERROR(CheckDim(dim, x.rank() + (stack ? 1 : 0), name));
    ValueInfo out = x;
    for (size_t k = 1; k < in.size(); ++k) {
      if (in[k].dtype != x.dtype || in[k].rank() != x.rank()) {
        return InvalidArgument(name + ": dtype or rank differs");
      }
      for (int64_t i = 0; i < x.rank(); ++i) {
        if (in[k].shape[i] != x.shape[i] && (stack || i != dim)) {
          return InvalidArgument(name + ": shapes differ");
        }
      }
      if (!stack) out.shape[dim] += in[k].shape[dim];
      out.range = UnionRange(out.range, in[k].range);
    }
    if (stack) out.shape.insert(out.shape.begin() + dim, static_cast<int64_t>(in.size()));
    // The operands may be one value twice, or equal by construction.
    out.may_tie = true;
    return std::vector<ValueInfo>{out};
  };
  op.python = [name = op.torch_name](const std::vector<std::string>& a, const Attrs& attrs,
                                     const std::vector<ValueInfo>&) {
    return name + "([" + JoinArgs(a, 0, a.size()) + "], " + std::to_string(AttrInt(attrs, "dim")) +
           ")";
  };
  op.onnx = [stack](OnnxEmitContext& ctx) {
    const int64_t dim = AttrInt(ctx.attrs(), "dim");
    std::vector<std::string> parts = ctx.in();
    if (stack) {
      const std::string axes = ctx.ConstInts({dim});
      for (auto& part : parts) {
        const std::string unsqueezed = ctx.Temp();
        ctx.Node("Unsqueeze", {part, axes}, {unsqueezed});
        part = unsqueezed;
      }
    }
    SetAttr(ctx.Node("Concat", parts, {ctx.out()[0]}), "axis", dim);
  };
  return op;
}

// split (attrs "sizes") and chunk (attrs "chunks"; torch decides the sizes: ceil(L / chunks)
// each, the last one smaller, and fewer chunks than asked when they run out).
std::vector<int64_t> SplitSizes(const Attrs& attrs, int64_t len, bool chunk) {
  if (!chunk) return AttrInts(attrs, "sizes");
  const int64_t chunks = AttrInt(attrs, "chunks");
  if (chunks < 1) return {};
  const int64_t each = (len + chunks - 1) / chunks;
  std::vector<int64_t> sizes;
  for (int64_t left = len; left > 0; left -= each) sizes.push_back(std::min(each, left));
  return sizes;
}

OpSpec Split(bool chunk) {
  OpSpec op = Base(chunk ? Unary{"chunk", "torch.chunk"} : Unary{"split", "torch.split"});
  op.propose = [chunk](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<std::pair<int, int64_t>> picked = PickLongDim(ctx);
    if (!picked) return std::nullopt;
    const auto [value, dim] = *picked;
    std::optional<int> x = value;
    const ValueInfo& xi = ctx.info(*x);
    const int64_t len = xi.shape[dim];
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["dim"] = dim;
    if (chunk) {
      p.attrs["chunks"] = ctx.rng().Int(2, std::min<int64_t>(len, 4));
      return p;
    }
    // 2-3 positive parts summing to len.
    const int64_t first = ctx.rng().Int(1, len - 1);
    std::vector<int64_t> sizes = {first, len - first};
    if (sizes[1] >= 2 && ctx.rng().Chance(0.5)) {
      const int64_t second = ctx.rng().Int(1, sizes[1] - 1);
      sizes = {first, second, len - first - second};
    }
    p.attrs["sizes"] = sizes;
    return p;
  };
  op.infer = [chunk, name = op.name](const std::vector<ValueInfo>& in,
                                     const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, name, 1));
    const int64_t dim = AttrInt(attrs, "dim");
    CC_RETURN_IF_ERROR(CheckDim(dim, in[0].rank(), name));
    const std::vector<int64_t> sizes = SplitSizes(attrs, in[0].shape[dim], chunk);
    // Two parts at least: the python line unpacks a tuple into the outputs.
    if (sizes.size() < 2) return InvalidArgument(name + ": fewer than two parts");
    int64_t total = 0;
    for (int64_t s : sizes) {
      if (s < 1) return InvalidArgument(name + ": empty part");
      total += s;
    }
    if (total != in[0].shape[dim]) return InvalidArgument(name + ": sizes do not add up");
    std::vector<ValueInfo> out;
    for (int64_t s : sizes) {
      std::vector<int64_t> shape = in[0].shape;
      shape[dim] = s;
      out.push_back(WithShape(in[0], shape));
    }
    return out;
  };
  op.python = [chunk](const std::vector<std::string>& a, const Attrs& attrs,
                      const std::vector<ValueInfo>&) {
    const std::string dim = std::to_string(AttrInt(attrs, "dim"));
    if (chunk)
      return "torch.chunk(" + a[0] + ", " + std::to_string(AttrInt(attrs, "chunks")) + ", " + dim +
             ")";
    return "torch.split(" + a[0] + ", " + PyList(AttrInts(attrs, "sizes")) + ", " + dim + ")";
  };
  op.onnx = [chunk](OnnxEmitContext& ctx) {
    const int64_t dim = AttrInt(ctx.attrs(), "dim");
    const std::vector<int64_t> sizes = SplitSizes(ctx.attrs(), ctx.in_info()[0].shape[dim], chunk);
    SetAttr(ctx.Node("Split", {ctx.in()[0], ctx.ConstInts(sizes)}, ctx.out()), "axis", dim);
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// pad, expand, repeat

OpSpec Pad() {
  OpSpec op = Base({"pad", "torch.nn.functional.pad"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(1, 5, /*float_only=*/true));
    if (!x) return std::nullopt;
    const ValueInfo& xi = ctx.info(*x);
    Rng& rng = ctx.rng();
    // torch's reflect and replicate pad k trailing dims of a (k+1)- or (k+2)-D input.
    std::string mode = "constant";
    if (xi.rank() >= 2 && rng.Chance(0.6)) mode = rng.Chance(0.5) ? "reflect" : "replicate";
    int64_t k = rng.Int(1, std::min<int64_t>(3, xi.rank()));
    if (mode != "constant") k = std::max<int64_t>(xi.rank() - rng.Int(1, 2), 1);
    if (k > 3) {  // A 5-D input: only constant pads 4 dims' worth; pad 3 instead.
      mode = "constant";
      k = 3;
    }
    std::vector<int64_t> pads;
    for (int64_t i = 0; i < k; ++i) {
      const int64_t len = xi.shape[xi.rank() - 1 - i];
      const int64_t max_pad = mode == "reflect" ? std::min<int64_t>(2, len - 1) : 2;
      pads.push_back(rng.Int(0, max_pad));
      pads.push_back(rng.Int(0, max_pad));
    }
    Proposal p{{Operand::Existing(*x)}, {}};
    p.attrs["pads"] = pads;
    p.attrs["mode"] = mode;
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, "pad", 1));
    if (!IsFloat(in[0])) return InvalidArgument("pad takes a float");
    const std::vector<int64_t> pads = AttrInts(attrs, "pads");
    const std::string mode = AttrString(attrs, "mode");
    const int64_t k = static_cast<int64_t>(pads.size()) / 2;
    const int64_t rank = in[0].rank();
    if (pads.size() % 2 != 0 || k < 1 || k > 3 || k > rank) return InvalidArgument("pad: bad pads");
    if (mode != "constant" && mode != "reflect" && mode != "replicate") {
      return InvalidArgument("pad: bad mode");
    }
    if (mode != "constant" && rank != k + 1 && rank != k + 2) {
      return InvalidArgument("pad: reflect/replicate pad k dims of a (k+1)- or (k+2)-D input");
    }
    std::vector<int64_t> shape = in[0].shape;
    for (int64_t i = 0; i < k; ++i) {
      int64_t& len = shape[rank - 1 - i];
      for (int side = 0; side < 2; ++side) {
        const int64_t p = pads[2 * i + side];
        if (p < 0) return InvalidArgument("pad: negative pad");
        if (mode == "reflect" && p >= len) return InvalidArgument("pad: reflect pad >= dim");
      }
      len += pads[2 * i] + pads[2 * i + 1];
    }
    ValueInfo out = WithShape(in[0], shape, /*tie=*/true);
    if (mode == "constant") out.range = UnionRange(out.range, {0, 0});
    return std::vector<ValueInfo>{out};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    const std::string mode = AttrString(attrs, "mode");
    return "torch.nn.functional.pad(" + a[0] + ", " + PyTuple(AttrInts(attrs, "pads")) +
           ", mode='" + mode + "'" + (mode == "constant" ? ", value=0.0)" : ")");
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    const std::vector<int64_t> pads = AttrInts(ctx.attrs(), "pads");
    const std::string mode = AttrString(ctx.attrs(), "mode");
    const int64_t rank = ctx.in_info()[0].rank();
    // torch lists (begin, end) from the last dim backwards; ONNX all begins, then all ends.
    std::vector<int64_t> onnx_pads(static_cast<size_t>(2 * rank), 0);
    for (size_t i = 0; i < pads.size() / 2; ++i) {
      const int64_t axis = rank - 1 - static_cast<int64_t>(i);
      onnx_pads[axis] = pads[2 * i];
      onnx_pads[rank + axis] = pads[2 * i + 1];
    }
    std::vector<std::string> args = {ctx.in()[0], ctx.ConstInts(onnx_pads)};
    if (mode == "constant") args.push_back(ctx.ConstFloats({0.0f}, /*scalar=*/true));
    SetAttr(ctx.Node("Pad", args, {ctx.out()[0]}), "mode",
            std::string(mode == "replicate" ? "edge" : mode));
  };
  return op;
}

// expand (size-1 dims to larger; attrs "shape") and repeat (tile; attrs "repeats").
OpSpec Tile(bool expand) {
  OpSpec op = Base(expand ? Unary{"expand", "torch.Tensor.expand"}
                          : Unary{"repeat", "torch.Tensor.repeat"});
  op.propose = [expand](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick([expand](const ValueInfo& info) {
      if (info.rank() < 1) return false;
      return !expand || std::count(info.shape.begin(), info.shape.end(), 1) > 0;
    });
    if (!x) return std::nullopt;
    const ValueInfo& xi = ctx.info(*x);
    std::vector<int64_t> factors(static_cast<size_t>(xi.rank()), 1);
    for (int64_t i = 0; i < xi.rank(); ++i) {
      if ((!expand || xi.shape[i] == 1) && ctx.rng().Chance(0.6)) factors[i] = ctx.rng().Int(2, 4);
    }
    Proposal p{{Operand::Existing(*x)}, {}};
    if (expand) {
      std::vector<int64_t> shape = xi.shape;
      for (size_t i = 0; i < shape.size(); ++i) shape[i] *= factors[i];
      p.attrs["shape"] = shape;
    } else {
      p.attrs["repeats"] = factors;
    }
    return p;
  };
  op.infer = [expand, name = op.name](const std::vector<ValueInfo>& in,
                                      const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    CC_RETURN_IF_ERROR(OneInput(in, name, 1));
    const std::vector<int64_t> attr = AttrInts(attrs, expand ? "shape" : "repeats");
    if (static_cast<int64_t>(attr.size()) != in[0].rank()) {
      return InvalidArgument(name + ": one entry per dim");
    }
    std::vector<int64_t> shape = in[0].shape;
    bool grows = false;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (attr[i] < 1) return InvalidArgument(name + ": bad size");
      if (expand) {
        if (attr[i] != shape[i] && shape[i] != 1) {
          return InvalidArgument(name + ": only size-1 dims expand");
        }
        grows = grows || attr[i] != shape[i];
        shape[i] = attr[i];
      } else {
        grows = grows || attr[i] > 1;
        shape[i] *= attr[i];
      }
    }
    return std::vector<ValueInfo>{WithShape(in[0], shape, grows)};
  };
  op.python = [expand](const std::vector<std::string>& a, const Attrs& attrs,
                       const std::vector<ValueInfo>&) {
    if (expand) return a[0] + ".expand(" + PyTuple(AttrInts(attrs, "shape")) + ")";
    return a[0] + ".repeat(" + PyTuple(AttrInts(attrs, "repeats")) + ")";
  };
  op.onnx = [expand](OnnxEmitContext& ctx) {
    const std::vector<int64_t> attr = AttrInts(ctx.attrs(), expand ? "shape" : "repeats");
    ctx.Node(expand ? "Expand" : "Tile", {ctx.in()[0], ctx.ConstInts(attr)}, {ctx.out()[0]});
  };
  return op;
}

// ---------------------------------------------------------------------------------------------
// gather, index_select, scatter

ValueInfo IndexParam(std::vector<int64_t> shape, int64_t size) {
  ValueInfo info;
  info.dtype = DataType::kInt64;
  info.shape = std::move(shape);
  info.range = {0, static_cast<double>(size - 1)};
  return info;
}

Status CheckIndex(const ValueInfo& index, int64_t size, const std::string& name) {
  if (index.dtype != DataType::kInt64) return InvalidArgument(name + ": index must be int64");
  if (index.range.lo < 0 || index.range.hi > static_cast<double>(size - 1)) {
    return InvalidArgument(name + ": index may be out of bounds");
  }
  return Status::Ok();
}

// gather(x, dim, index) and scatter(x, dim, index, src): index has x's rank, no larger than x in
// the other dims. For scatter, index is 1 along dim, so that every destination is written at
// most once and the result does not depend on the write order.
OpSpec GatherScatter(bool scatter) {
  OpSpec op = Base(scatter ? Unary{"scatter", "torch.scatter", "index"}
                           : Unary{"gather", "torch.gather", "index"});
  op.propose = [scatter](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(1, 5, /*float_only=*/scatter));
    if (!x) return std::nullopt;
    const ValueInfo& xi = ctx.info(*x);
    const int64_t dim = ctx.rng().Int(0, xi.rank() - 1);
    std::vector<int64_t> shape = xi.shape;
    for (int64_t i = 0; i < xi.rank(); ++i) {
      if (i == dim) {
        shape[i] = scatter ? 1 : ctx.rng().Int(1, std::max<int64_t>(4, xi.shape[i]));
      } else if (ctx.rng().Chance(0.4)) {
        shape[i] = ctx.rng().Int(1, xi.shape[i]);
      }
    }
    Proposal p{{Operand::Existing(*x), Operand::Param(IndexParam(shape, xi.shape[dim]))}, {}};
    p.attrs["dim"] = dim;
    if (scatter) {
      ValueInfo src = ProposeContext::Float(shape, -1, 1);
      p.operands.push_back(ctx.rng().Chance(0.5) ? Operand::Param(src) : Operand::Input(src));
    }
    return p;
  };
  op.infer = [scatter, name = op.name](const std::vector<ValueInfo>& in,
                                       const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != (scatter ? 3u : 2u)) return InvalidArgument(name + ": wrong operand count");
    const ValueInfo& x = in[0];
    const ValueInfo& index = in[1];
    const int64_t dim = AttrInt(attrs, "dim");
    CC_RETURN_IF_ERROR(CheckDim(dim, x.rank(), name));
    CC_RETURN_IF_ERROR(CheckIndex(index, x.shape[dim], name));
    if (index.rank() != x.rank()) return InvalidArgument(name + ": index rank differs");
    for (int64_t i = 0; i < x.rank(); ++i) {
      if (i != dim && index.shape[i] > x.shape[i]) {
        return InvalidArgument(name + ": index larger than x");
      }
    }
    if (!scatter) {
      // Repeated indices repeat elements.
      return std::vector<ValueInfo>{WithShape(x, index.shape, /*tie=*/true)};
    }
    const ValueInfo& src = in[2];
    if (!IsFloat(x) || !IsFloat(src) || src.shape != index.shape) {
      return InvalidArgument("scatter: x and src float, src shaped like index");
    }
    if (index.shape[dim] != 1) return InvalidArgument("scatter: index must be 1 along dim");
    ValueInfo out = x;
    out.range = UnionRange(x.range, src.range);
    out.may_tie = x.may_tie || src.may_tie;
    return std::vector<ValueInfo>{out};
  };
  op.python = [scatter](const std::vector<std::string>& a, const Attrs& attrs,
                        const std::vector<ValueInfo>&) {
    const std::string dim = std::to_string(AttrInt(attrs, "dim"));
    if (scatter) return "torch.scatter(" + a[0] + ", " + dim + ", " + a[1] + ", " + a[2] + ")";
    return "torch.gather(" + a[0] + ", " + dim + ", " + a[1] + ")";
  };
  op.onnx = [scatter](OnnxEmitContext& ctx) {
    SetAttr(ctx.Node(scatter ? "ScatterElements" : "GatherElements", ctx.in(), {ctx.out()[0]}),
            "axis", AttrInt(ctx.attrs(), "dim"));
  };
  return op;
}

OpSpec IndexSelect() {
  OpSpec op = Base({"index_select", "torch.index_select", "index"});
  op.propose = [](ProposeContext& ctx) -> std::optional<Proposal> {
    std::optional<int> x = ctx.Pick(RankIn(1, 5));
    if (!x) return std::nullopt;
    const ValueInfo& xi = ctx.info(*x);
    const int64_t dim = ctx.rng().Int(0, xi.rank() - 1);
    const int64_t count = ctx.rng().Int(1, std::max<int64_t>(4, xi.shape[dim]));
    Proposal p{{Operand::Existing(*x), Operand::Param(IndexParam({count}, xi.shape[dim]))}, {}};
    p.attrs["dim"] = dim;
    return p;
  };
  op.infer = [](const std::vector<ValueInfo>& in,
                const Attrs& attrs) -> StatusOr<std::vector<ValueInfo>> {
    if (in.size() != 2) return InvalidArgument("index_select takes x and index");
    const int64_t dim = AttrInt(attrs, "dim");
    CC_RETURN_IF_ERROR(CheckDim(dim, in[0].rank(), "index_select"));
    CC_RETURN_IF_ERROR(CheckIndex(in[1], in[0].shape[dim], "index_select"));
    if (in[1].rank() != 1) return InvalidArgument("index_select: index must be 1-D");
    std::vector<int64_t> shape = in[0].shape;
    shape[dim] = in[1].shape[0];
    return std::vector<ValueInfo>{WithShape(in[0], shape, /*tie=*/true)};
  };
  op.python = [](const std::vector<std::string>& a, const Attrs& attrs,
                 const std::vector<ValueInfo>&) {
    return "torch.index_select(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ", " +
           a[1] + ")";
  };
  op.onnx = [](OnnxEmitContext& ctx) {
    SetAttr(ctx.Node("Gather", ctx.in(), {ctx.out()[0]}), "axis", AttrInt(ctx.attrs(), "dim"));
  };
  return op;
}

}  // namespace

void RegisterShapeOps(std::vector<OpSpec>& ops) {
  ops.push_back(Reshape());
  ops.push_back(Flatten());
  ops.push_back(Permute(/*two_dims=*/true));
  ops.push_back(Permute(/*two_dims=*/false));
  ops.push_back(Squeeze());
  ops.push_back(Unsqueeze());
  ops.push_back(Slice());
  ops.push_back(Flip());
  ops.push_back(Roll());
  ops.push_back(Join(/*stack=*/false));
  ops.push_back(Join(/*stack=*/true));
  ops.push_back(Split(/*chunk=*/false));
  ops.push_back(Split(/*chunk=*/true));
  ops.push_back(Pad());
  ops.push_back(Tile(/*expand=*/true));
  ops.push_back(Tile(/*expand=*/false));
  ops.push_back(GatherScatter(/*scatter=*/false));
  ops.push_back(GatherScatter(/*scatter=*/true));
  ops.push_back(IndexSelect());
}

}  // namespace convcheck::gen
