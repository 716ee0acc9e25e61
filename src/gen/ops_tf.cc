// The TensorFlow form of the operators that have one: an expression over `tf` and the helpers
// of the TensorFlow prelude (emit_tf.cc), computing what the PyTorch form computes. An operator
// missing here, or whose form returns "" for some attributes (a strided dilated convolution,
// which TensorFlow's CPU kernels refuse), is not drawn for TensorFlow models.
#include <map>

#include "gen/catalog.h"

namespace convcheck::gen {
namespace {

using Args = std::vector<std::string>;
using Infos = std::vector<ValueInfo>;
using Form = std::function<std::string(const Args&, const Attrs&, const Infos&)>;

std::string Bool(int64_t b) { return b ? "True" : "False"; }

// tf.fn(x) for one operand.
Form Unary(std::string fn) {
  return [fn](const Args& a, const Attrs&, const Infos&) { return fn + "(" + a[0] + ")"; };
}

// tf.fn(a, b), with an int64 operand cast to float32 when the other is float (torch promotes).
Form Binary(std::string fn) {
  return [fn](const Args& a, const Attrs&, const Infos& in) {
    auto operand = [&](size_t i) {
      const bool promote = in[i].dtype == DataType::kInt64 && in[1 - i].dtype == DataType::kFloat32;
      return promote ? "tf.cast(" + a[i] + ", tf.float32)" : a[i];
    };
    return fn + "(" + operand(0) + ", " + operand(1) + ")";
  };
}

// tf.reduce_*(x, axis=dims, keepdims=k).
Form Reduce(std::string fn) {
  return [fn](const Args& a, const Attrs& attrs, const Infos&) {
    return fn + "(" + a[0] + ", axis=" + PyList(AttrInts(attrs, "dims")) +
           ", keepdims=" + Bool(AttrInt(attrs, "keepdim")) + ")";
  };
}

// Unbiased variance over `dims`: TensorFlow's is the population variance.
std::string UnbiasedVar(const Args& a, const Attrs& attrs, const Infos& in) {
  int64_t count = 1;
  for (int64_t d : AttrInts(attrs, "dims")) count *= in[0].shape[d];
  return "(tf.math.reduce_variance(" + a[0] + ", axis=" + PyList(AttrInts(attrs, "dims")) +
         ", keepdims=" + Bool(AttrInt(attrs, "keepdim")) + ") * " + std::to_string(count) +
         ".0 / " + std::to_string(count - 1) + ".0)";
}

std::string Floats(double x) { return PyFloat(x); }

std::map<std::string, Form> Forms() {
  std::map<std::string, Form> f;
  // Elementwise and activations.
  for (const auto& [name, fn] : std::vector<std::pair<std::string, std::string>>{
           {"abs", "tf.abs"},
           {"atan", "tf.math.atan"},
           {"ceil", "tf.math.ceil"},
           {"cos", "tf.math.cos"},
           {"erf", "tf.math.erf"},
           {"exp", "tf.math.exp"},
           {"floor", "tf.math.floor"},
           {"log", "tf.math.log"},
           {"neg", "tf.math.negative"},
           {"reciprocal", "tf.math.reciprocal"},
           {"round", "tf.math.round"},  // Half to even, as torch.round.
           {"rsqrt", "tf.math.rsqrt"},
           {"sign", "tf.math.sign"},
           {"sin", "tf.math.sin"},
           {"sqrt", "tf.math.sqrt"},
           {"square", "tf.math.square"},
           {"tanh", "tf.math.tanh"},
           {"sigmoid", "tf.math.sigmoid"},
           {"relu", "tf.nn.relu"},
           {"relu6", "tf.nn.relu6"},
           {"selu", "tf.nn.selu"},
           {"silu", "tf.nn.silu"},
           {"softplus", "tf.math.softplus"},
           {"softsign", "tf.nn.softsign"},
           {"logsigmoid", "tf.math.log_sigmoid"},
           {"logical_not", "tf.math.logical_not"},
           {"mish", "_mish"},
           {"hardsigmoid", "_hardsigmoid"},
           {"hardswish", "_hardswish"},
       }) {
    f[name] = Unary(fn);
  }
  f["gelu"] = [](const Args& a, const Attrs&, const Infos&) {
    return "tf.nn.gelu(" + a[0] + ", approximate=False)";
  };
  f["elu"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_elu(" + a[0] + ", " + Floats(AttrFloat(attrs, "alpha")) + ")";
  };
  f["leaky_relu"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.nn.leaky_relu(" + a[0] + ", alpha=" + Floats(AttrFloat(attrs, "negative_slope")) +
           ")";
  };
  f["clamp"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.clip_by_value(" + a[0] + ", " + Floats(AttrFloat(attrs, "min")) + ", " +
           Floats(AttrFloat(attrs, "max")) + ")";
  };
  f["hardtanh"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.clip_by_value(" + a[0] + ", " + Floats(AttrFloat(attrs, "min_val")) + ", " +
           Floats(AttrFloat(attrs, "max_val")) + ")";
  };
  f["pow"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.math.pow(" + a[0] + ", " + Floats(AttrFloat(attrs, "exponent")) + ")";
  };
  f["pow_tensor"] = Binary("tf.math.pow");
  for (const auto& [name, fn] : std::vector<std::pair<std::string, std::string>>{
           {"add", "tf.math.add"},
           {"add_int_float", "tf.math.add"},
           {"sub", "tf.math.subtract"},
           {"mul", "tf.math.multiply"},
           {"div", "tf.math.divide"},
           {"maximum", "tf.math.maximum"},
           {"minimum", "tf.math.minimum"},
           {"eq", "tf.math.equal"},
           {"ne", "tf.math.not_equal"},
           {"lt", "tf.math.less"},
           {"le", "tf.math.less_equal"},
           {"gt", "tf.math.greater"},
           {"gt_int", "tf.math.greater"},
           {"ge", "tf.math.greater_equal"},
           {"logical_and", "tf.math.logical_and"},
           {"logical_or", "tf.math.logical_or"},
           {"logical_xor", "tf.math.logical_xor"},
       }) {
    f[name] = Binary(fn);
  }
  f["where"] = [](const Args& a, const Attrs&, const Infos&) {
    return "tf.where(" + a[0] + ", " + a[1] + ", " + a[2] + ")";
  };
  f["to_float"] = [](const Args& a, const Attrs&, const Infos&) {
    return "tf.cast(" + a[0] + ", tf.float32)";
  };
  // Float to int64 truncates toward zero in both.
  f["to_int64"] = [](const Args& a, const Attrs&, const Infos&) {
    return "tf.cast(" + a[0] + ", tf.int64)";
  };

  // Reductions, softmax, scans.
  f["sum"] = Reduce("tf.math.reduce_sum");
  f["mean"] = Reduce("tf.math.reduce_mean");
  f["amax"] = Reduce("tf.math.reduce_max");
  f["amin"] = Reduce("tf.math.reduce_min");
  f["prod"] = Reduce("tf.math.reduce_prod");
  f["logsumexp"] = Reduce("tf.math.reduce_logsumexp");
  f["var"] = UnbiasedVar;
  f["std"] = [](const Args& a, const Attrs& attrs, const Infos& in) {
    return "tf.math.sqrt(" + UnbiasedVar(a, attrs, in) + ")";
  };
  // tf.norm over two axes would be a matrix norm: the 2-norm is written out.
  f["vector_norm"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.math.sqrt(tf.math.reduce_sum(tf.math.square(" + a[0] +
           "), axis=" + PyList(AttrInts(attrs, "dims")) +
           ", keepdims=" + Bool(AttrInt(attrs, "keepdim")) + "))";
  };
  for (const auto& [name, fn] : std::vector<std::pair<std::string, std::string>>{
           {"argmax", "_argmax"}, {"argmin", "_argmin"}}) {
    f[name] = [fn](const Args& a, const Attrs& attrs, const Infos&) {
      return fn + "(" + a[0] + ", " + std::to_string(AttrInts(attrs, "dims")[0]) + ", " +
             Bool(AttrInt(attrs, "keepdim")) + ")";
    };
  }
  f["softmax"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.nn.softmax(" + a[0] + ", axis=" + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  f["log_softmax"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.nn.log_softmax(" + a[0] + ", axis=" + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  f["cumsum"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.math.cumsum(" + a[0] + ", axis=" + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  f["max_dim"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_max_dim(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ", " +
           Bool(AttrInt(attrs, "keepdim")) + ")";
  };
  f["topk"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_topk(" + a[0] + ", " + std::to_string(AttrInt(attrs, "k")) + ", " +
           std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  f["sort"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_sort(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ", " +
           Bool(AttrInt(attrs, "descending")) + ")";
  };

  // Linear algebra, convolutions, pooling, normalization, resizing.
  f["matmul"] = [](const Args& a, const Attrs&, const Infos&) {
    return "_matmul(" + a[0] + ", " + a[1] + ")";
  };
  f["bmm"] = [](const Args& a, const Attrs&, const Infos&) {
    return "tf.linalg.matmul(" + a[0] + ", " + a[1] + ")";
  };
  f["linear"] = [](const Args& a, const Attrs&, const Infos&) {
    return "_linear(" + a[0] + ", " + a[1] + ", " + (a.size() == 3 ? a[2] : "None") + ")";
  };
  for (const char* name : {"conv1d", "conv2d", "conv3d"}) {
    f[name] = [](const Args& a, const Attrs& attrs, const Infos&) -> std::string {
      const std::vector<int64_t> stride = AttrInts(attrs, "stride");
      const std::vector<int64_t> dilation = AttrInts(attrs, "dilation");
      const bool strided =
          std::any_of(stride.begin(), stride.end(), [](int64_t s) { return s > 1; });
      const bool dilated =
          std::any_of(dilation.begin(), dilation.end(), [](int64_t d) { return d > 1; });
      // TensorFlow's convolutions refuse strides > 1 together with dilations > 1.
      if (strided && dilated) return "";
      return "_conv(" + a[0] + ", " + a[1] + ", " + (a.size() == 3 ? a[2] : "None") + ", " +
             PyList(stride) + ", " + PyList(AttrInts(attrs, "padding")) + ", " + PyList(dilation) +
             ", " + std::to_string(AttrInt(attrs, "groups")) + ")";
    };
  }
  for (const auto& [name, kind] :
       std::vector<std::pair<std::string, std::string>>{{"max_pool1d", "MAX"},
                                                        {"max_pool2d", "MAX"},
                                                        {"max_pool3d", "MAX"},
                                                        {"avg_pool1d", "AVG"},
                                                        {"avg_pool2d", "AVG"},
                                                        {"avg_pool3d", "AVG"}}) {
    f[name] = [kind](const Args& a, const Attrs& attrs, const Infos&) {
      return "_pool(" + a[0] + ", \"" + kind + "\", " + PyList(AttrInts(attrs, "kernel")) + ", " +
             PyList(AttrInts(attrs, "stride")) + ", " + PyList(AttrInts(attrs, "padding")) + ")";
    };
  }
  f["adaptive_avg_pool2d"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_adaptive_avg_pool2d(" + a[0] + ", " + PyList(AttrInts(attrs, "size")) + ")";
  };
  f["batch_norm"] = [](const Args& a, const Attrs&, const Infos&) {
    return "_batch_norm(" + a[0] + ", " + a[1] + ", " + a[2] + ", " + a[3] + ", " + a[4] + ")";
  };
  f["layer_norm"] = [](const Args& a, const Attrs&, const Infos& in) {
    return "_layer_norm(" + a[0] + ", " + std::to_string(in[1].rank()) + ", " + a[1] + ", " + a[2] +
           ")";
  };
  f["group_norm"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_group_norm(" + a[0] + ", " + std::to_string(AttrInt(attrs, "groups")) + ", " + a[1] +
           ", " + a[2] + ")";
  };
  f["instance_norm"] = [](const Args& a, const Attrs&, const Infos& in) {
    return "_group_norm(" + a[0] + ", " + std::to_string(in[0].shape[1]) + ", " + a[1] + ", " +
           a[2] + ")";
  };
  // Only bilinear: TensorFlow's nearest and its 1-D/3-D resizing do not match torch's.
  f["interpolate"] = [](const Args& a, const Attrs& attrs, const Infos& in) -> std::string {
    if (AttrString(attrs, "mode") != "linear" || in[0].rank() != 4) return "";
    return "_bilinear(" + a[0] + ", " + PyList(AttrInts(attrs, "size")) + ")";
  };

  // Shapes and indexing.
  f["reshape"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.reshape(" + a[0] + ", " + PyList(AttrInts(attrs, "shape")) + ")";
  };
  f["flatten"] = [](const Args& a, const Attrs& attrs, const Infos& in) {
    const int64_t start = AttrInt(attrs, "start_dim"), end = AttrInt(attrs, "end_dim");
    std::vector<int64_t> shape;
    int64_t merged = 1;
    for (int64_t d = 0; d < in[0].rank(); ++d) {
      if (d < start || d > end) {
        shape.push_back(in[0].shape[d]);
      } else {
        merged *= in[0].shape[d];
        if (d == end) shape.push_back(merged);
      }
    }
    return "tf.reshape(" + a[0] + ", " + PyList(shape) + ")";
  };
  f["transpose"] = [](const Args& a, const Attrs& attrs, const Infos& in) {
    std::vector<int64_t> perm;
    for (int64_t d = 0; d < in[0].rank(); ++d) perm.push_back(d);
    const std::vector<int64_t> dims = AttrInts(attrs, "dims");
    std::swap(perm[dims[0]], perm[dims[1]]);
    return "tf.transpose(" + a[0] + ", " + PyList(perm) + ")";
  };
  f["permute"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.transpose(" + a[0] + ", " + PyList(AttrInts(attrs, "perm")) + ")";
  };
  f["squeeze"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.squeeze(" + a[0] + ", axis=" + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  f["unsqueeze"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.expand_dims(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  // Python slicing means the same on TensorFlow tensors.
  f["slice"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    std::string s = a[0] + "[";
    for (int64_t d = 0; d < AttrInt(attrs, "dim"); ++d) s += ":, ";
    return s + std::to_string(AttrInt(attrs, "start")) + ":" +
           std::to_string(AttrInt(attrs, "end")) + ":" + std::to_string(AttrInt(attrs, "step")) +
           "]";
  };
  f["flip"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.reverse(" + a[0] + ", " + PyList(AttrInts(attrs, "dims")) + ")";
  };
  f["roll"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.roll(" + a[0] + ", " + std::to_string(AttrInt(attrs, "shift")) + ", " +
           std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  f["stack"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    std::string list;
    for (const auto& x : a) list += (list.empty() ? "" : ", ") + x;
    return "tf.stack([" + list + "], " + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  f["concat"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    std::string list;
    for (const auto& x : a) list += (list.empty() ? "" : ", ") + x;
    return "tf.concat([" + list + "], " + std::to_string(AttrInt(attrs, "dim")) + ")";
  };
  // torch.chunk: pieces of ceil(n / chunks), the last one shorter.
  f["chunk"] = [](const Args& a, const Attrs& attrs, const Infos& in) {
    const int64_t dim = AttrInt(attrs, "dim");
    const int64_t n = in[0].shape[dim], chunks = AttrInt(attrs, "chunks");
    const int64_t size = (n + chunks - 1) / chunks;
    std::vector<int64_t> sizes;
    for (int64_t left = n; left > 0; left -= size) sizes.push_back(std::min(size, left));
    return "tuple(tf.split(" + a[0] + ", " + PyList(sizes) + ", " + std::to_string(dim) + "))" +
           (sizes.size() == 1 ? "[0]" : "");
  };
  f["split"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    const std::vector<int64_t> sizes = AttrInts(attrs, "sizes");
    return "tuple(tf.split(" + a[0] + ", " + PyList(sizes) + ", " +
           std::to_string(AttrInt(attrs, "dim")) + "))" + (sizes.size() == 1 ? "[0]" : "");
  };
  f["pad"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_pad(" + a[0] + ", " + PyList(AttrInts(attrs, "pads")) + ", \"" +
           AttrString(attrs, "mode") + "\")";
  };
  f["expand"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.broadcast_to(" + a[0] + ", " + PyList(AttrInts(attrs, "shape")) + ")";
  };
  f["repeat"] = [](const Args& a, const Attrs& attrs, const Infos& in) {
    const std::vector<int64_t> repeats = AttrInts(attrs, "repeats");
    // torch's repeat adds leading dims when given more repeats than the tensor has dims.
    std::vector<int64_t> shape(repeats.size() - static_cast<size_t>(in[0].rank()), 1);
    shape.insert(shape.end(), in[0].shape.begin(), in[0].shape.end());
    return "tf.tile(tf.reshape(" + a[0] + ", " + PyList(shape) + "), " + PyList(repeats) + ")";
  };
  f["gather"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_gather(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ", " + a[1] + ")";
  };
  f["scatter"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "_scatter(" + a[0] + ", " + std::to_string(AttrInt(attrs, "dim")) + ", " + a[1] + ", " +
           a[2] + ")";
  };
  f["index_select"] = [](const Args& a, const Attrs& attrs, const Infos&) {
    return "tf.gather(" + a[0] + ", " + a[1] + ", axis=" + std::to_string(AttrInt(attrs, "dim")) +
           ")";
  };
  return f;
}

}  // namespace

void AddTensorFlowForms(std::vector<OpSpec>& ops) {
  const std::map<std::string, Form> forms = Forms();
  for (OpSpec& op : ops) {
    auto it = forms.find(op.name);
    if (it != forms.end()) op.tf = it->second;
  }
}

}  // namespace convcheck::gen
