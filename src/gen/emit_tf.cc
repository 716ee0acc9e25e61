// The TensorFlow emitter: the same graph as a tf.Module, one line per generated node, with the
// weights filled by the same integer hash as the PyTorch source and the ONNX model (in NumPy
// int64 arithmetic here), so the three compute the same function on the same numbers.
#include <sstream>

#include "gen/catalog.h"
#include "gen/emit.h"

namespace convcheck::gen {
namespace {

std::string Name(int value) { return "v" + std::to_string(value); }

// graph.cc's FillHash in NumPy int64 arithmetic (the PyTorch prelude's, line for line), and the
// helpers that give TensorFlow the semantics of the PyTorch operators (ops_tf.cc uses them).
constexpr const char* kPrelude = R"(import math

import numpy as np
import tensorflow as tf


def _hash(n, seed):
    s = (seed ^ (seed >> 31)) % 2147483648
    x = (np.arange(n, dtype=np.int64) * 2654435761 + (s * 40503 + 12345)) % 2147483648
    x = x ^ (x >> 13)
    x = (x * 1103515245 + 12345) % 2147483648
    x = x ^ (x >> 16)
    return (x * 1664525 + 1013904223) % 2147483648


def _fill(shape, seed, lo, hi):
    u = _hash(math.prod(shape), seed).astype(np.float64) / 2147483648.0
    return (lo + (hi - lo) * u).astype(np.float32).reshape(shape)


def _fill_int(shape, seed, lo, hi):
    return (lo + _hash(math.prod(shape), seed) % (hi - lo + 1)).reshape(shape)


def _elu(x, alpha):
    # As Keras writes it: tf.nn.elu scaled on the negative side.
    return tf.where(x > 0, x, alpha * tf.nn.elu(x))


def _mish(x):
    return x * tf.math.tanh(tf.math.softplus(x))


def _hardsigmoid(x):
    return tf.nn.relu6(x + 3.0) / 6.0


def _hardswish(x):
    return x * tf.nn.relu6(x + 3.0) / 6.0


def _keep(i, dim, keep):
    return tf.expand_dims(i, dim) if keep else i


def _argmax(x, dim, keep):
    return _keep(tf.math.argmax(x, axis=dim, output_type=tf.int64), dim, keep)


def _argmin(x, dim, keep):
    return _keep(tf.math.argmin(x, axis=dim, output_type=tf.int64), dim, keep)


def _max_dim(x, dim, keep):
    return tf.math.reduce_max(x, axis=dim, keepdims=keep), _argmax(x, dim, keep)


def _swap_last(rank, dim):
    perm = list(range(rank))
    perm[dim], perm[-1] = perm[-1], perm[dim]
    return perm


def _topk(x, k, dim):
    perm = _swap_last(len(x.shape), dim)
    values, indices = tf.math.top_k(tf.transpose(x, perm), k=k, sorted=True)
    return tf.transpose(values, perm), tf.transpose(tf.cast(indices, tf.int64), perm)


def _sort(x, dim, descending):
    direction = "DESCENDING" if descending else "ASCENDING"
    indices = tf.argsort(x, axis=dim, direction=direction, stable=True)
    return tf.sort(x, axis=dim, direction=direction), tf.cast(indices, tf.int64)


def _matmul(a, b):
    if len(a.shape) == 1 and len(b.shape) == 1:
        return tf.math.reduce_sum(a * b)
    if len(a.shape) == 1:
        return tf.squeeze(tf.linalg.matmul(a[None, :], b), -2)
    if len(b.shape) == 1:
        return tf.squeeze(tf.linalg.matmul(a, b[:, None]), -1)
    return tf.linalg.matmul(a, b)


def _linear(x, w, b):
    y = _matmul(x, tf.transpose(w))
    return y if b is None else y + b


def _channels_last(x, n):
    # torch's (N, C, *spatial), or (C, *spatial) unbatched, as (N, *spatial, C).
    batched = len(x.shape) == n + 2
    if not batched:
        x = x[None]
    return tf.transpose(x, [0] + list(range(2, n + 2)) + [1]), batched


def _channels_first(y, n, batched):
    y = tf.transpose(y, [0, n + 1] + list(range(1, n + 1)))
    return y if batched else y[0]


def _conv(x, w, b, stride, padding, dilation, groups):
    n = len(stride)
    x, batched = _channels_last(x, n)
    x = tf.pad(x, [[0, 0]] + [[p, p] for p in padding] + [[0, 0]])
    w = tf.transpose(w, list(range(2, n + 2)) + [1, 0])
    pieces = [tf.nn.convolution(xg, wg, strides=stride, padding="VALID", dilations=dilation)
              for xg, wg in zip(tf.split(x, groups, axis=-1), tf.split(w, groups, axis=-1))]
    y = tf.concat(pieces, axis=-1)
    if b is not None:
        y = y + b
    return _channels_first(y, n, batched)


def _pool(x, kind, kernel, stride, padding):
    n = len(kernel)
    x, batched = _channels_last(x, n)
    if any(padding):
        # torch pads max pooling with -inf and counts the zeros of average pooling's padding.
        value = -np.inf if kind == "MAX" else 0.0
        x = tf.pad(x, [[0, 0]] + [[p, p] for p in padding] + [[0, 0]], constant_values=value)
    pool = tf.nn.max_pool if kind == "MAX" else tf.nn.avg_pool
    y = pool(x, ksize=kernel, strides=stride, padding="VALID")
    return _channels_first(y, n, batched)


def _adaptive_avg_pool2d(x, size):
    h, w = x.shape[-2], x.shape[-1]
    rows = []
    for i in range(size[0]):
        h0, h1 = (i * h) // size[0], -((-(i + 1) * h) // size[0])
        cols = []
        for j in range(size[1]):
            w0, w1 = (j * w) // size[1], -((-(j + 1) * w) // size[1])
            cols.append(tf.math.reduce_mean(x[..., h0:h1, w0:w1], axis=[-2, -1]))
        rows.append(tf.stack(cols, axis=-1))
    return tf.stack(rows, axis=-2)


def _per_channel(p, rank):
    return tf.reshape(p, [1, -1] + [1] * (rank - 2))


def _batch_norm(x, mean, var, w, b):
    r = len(x.shape)
    return ((x - _per_channel(mean, r)) / tf.math.sqrt(_per_channel(var, r) + 1e-05)
            * _per_channel(w, r) + _per_channel(b, r))


def _layer_norm(x, k, w, b):
    axes = list(range(len(x.shape) - k, len(x.shape)))
    mean, var = tf.nn.moments(x, axes, keepdims=True)
    return (x - mean) / tf.math.sqrt(var + 1e-05) * w + b


def _group_norm(x, groups, w, b):
    xg = tf.reshape(x, [x.shape[0], groups, -1])
    mean, var = tf.nn.moments(xg, [2], keepdims=True)
    y = tf.reshape((xg - mean) / tf.math.sqrt(var + 1e-05), x.shape)
    return y * _per_channel(w, len(x.shape)) + _per_channel(b, len(x.shape))


def _bilinear(x, size):
    # TensorFlow 2's resize uses half-pixel centres, torch's align_corners=False.
    y = tf.image.resize(tf.transpose(x, [0, 2, 3, 1]), size, method="bilinear")
    return tf.transpose(y, [0, 3, 1, 2])


def _pad(x, pads, mode):
    rank = len(x.shape)
    if mode == "constant":
        paddings = [[0, 0] for _ in range(rank)]
        for i in range(len(pads) // 2):
            paddings[rank - 1 - i] = [pads[2 * i], pads[2 * i + 1]]
        return tf.pad(x, paddings)
    for i in range(len(pads) // 2):
        d = rank - 1 - i
        n = x.shape[d]
        index = np.arange(-pads[2 * i], n + pads[2 * i + 1])
        if mode == "replicate":
            index = np.clip(index, 0, n - 1)
        else:
            index = np.abs(index)
            index = np.where(index > n - 1, 2 * (n - 1) - index, index)
        x = tf.gather(x, index, axis=d)
    return x


def _index_grid(index, dim):
    grid = tf.meshgrid(*[tf.range(s, dtype=tf.int64) for s in index.shape], indexing="ij")
    grid[dim] = index
    return tf.stack(grid, axis=-1)


def _gather(x, dim, index):
    return tf.gather_nd(x, _index_grid(index, dim))


def _scatter(x, dim, index, src):
    src = src[tuple(slice(0, s) for s in index.shape)]
    return tf.tensor_scatter_nd_update(x, _index_grid(index, dim), src)

)";

std::string RandomInput(const ValueInfo& info) {
  const std::string shape = PyTuple(info.shape);
  switch (info.dtype) {
    case DataType::kInt64:
      return "np.random.randint(" + std::to_string(static_cast<int64_t>(info.range.lo)) + ", " +
             std::to_string(static_cast<int64_t>(info.range.hi) + 1) + ", size=" + shape +
             ", dtype=np.int64)";
    case DataType::kBool:
      return "np.asarray(np.random.random_sample(" + shape + ") < 0.5)";
    default:
      return "np.asarray(np.random.random_sample(" + shape + ") * " +
             PyFloat(info.range.hi - info.range.lo) + " + " + PyFloat(info.range.lo) +
             ", dtype=np.float32)";
  }
}

}  // namespace

StatusOr<std::string> EmitTensorFlow(const Graph& graph) {
  std::ostringstream py;
  py << "# A model generated by convcheck (seed " << graph.seed << ", " << graph.nodes.size()
     << " nodes), written for TensorFlow. Every line of __call__ is one generated node.\n";
  py << kPrelude << "\nclass GeneratedModel(tf.Module):\n    def __init__(self):\n"
     << "        super().__init__()\n";
  for (int v : graph.Params()) {
    const Value& value = graph.values[v];
    const std::string shape = PyList(value.info.shape);
    if (value.info.dtype == DataType::kFloat32) {
      py << "        self." << Name(v) << " = tf.Variable(_fill(" << shape << ", " << value.fill
         << ", " << PyFloat(value.info.range.lo) << ", " << PyFloat(value.info.range.hi)
         << "), trainable=False)\n";
    } else if (value.info.dtype == DataType::kInt64) {
      // Indices are NumPy arrays, constants of the traced graph as torch's buffers are not
      // parameters (a tf.constant made eagerly would be a captured tensor, which tf2onnx's
      // from_function turns into a graph input).
      py << "        self." << Name(v) << " = _fill_int(" << shape << ", " << value.fill << ", "
         << static_cast<int64_t>(value.info.range.lo) << ", "
         << static_cast<int64_t>(value.info.range.hi) << ")\n";
    } else {
      return InvalidArgument("param " + Name(v) + " has unsupported dtype " +
                             std::string(DataTypeName(value.info.dtype)));
    }
  }
  py << "\n    def __call__(self";
  for (int v : graph.inputs) py << ", " << Name(v);
  py << "):\n";
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    const OpSpec* op = FindOp(node.op);
    if (op == nullptr) {
      return InvalidArgument("node " + std::to_string(n) + ": unknown operator '" + node.op + "'");
    }
    std::vector<std::string> args;
    std::vector<ValueInfo> in;
    for (int v : node.inputs) {
      args.push_back(graph.values[v].kind == ValueKind::kParam ? "self." + Name(v) : Name(v));
      in.push_back(graph.values[v].info);
    }
    const std::string expression = op->tf ? op->tf(args, node.attrs, in) : "";
    if (expression.empty()) {
      return InvalidArgument("node " + std::to_string(n) + ": operator '" + node.op +
                             "' has no TensorFlow form" + (op->tf ? " for these attributes" : "") +
                             " (generate with TensorFlow in mind: fuzz --emit tf)");
    }
    py << "        ";
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      py << (i > 0 ? ", " : "") << Name(node.outputs[i]);
    }
    py << " = " << expression << "\n";
  }
  py << "        return ";
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    py << (i > 0 ? ", " : "") << Name(graph.outputs[i]);
  }
  py << "\n\n\ndef make_model():\n    return GeneratedModel()\n\n\ndef make_inputs():\n"
     << "    return (";
  for (int v : graph.inputs) py << RandomInput(graph.values[v].info) << ", ";
  py << ")\n";
  return py.str();
}

}  // namespace convcheck::gen
