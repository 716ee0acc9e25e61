//===- gen/emit.h - A generated graph as PyTorch source or as ONNX --------===//
//
// The python source is what `convcheck convert python:FILE` reads (make_model, make_inputs), and
// what a converter developer gets as the reproducer: plain torch calls, one per line. Weights are
// computed from fill seeds by integer arithmetic both here and in the source, so the ONNX model
// written directly holds the same weights as the PyTorch module, bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_GEN_EMIT_H_
#define CONVCHECK_GEN_EMIT_H_

#include <onnx/onnx_pb.h>

#include <string>

#include "core/status.h"
#include "gen/graph.h"

namespace convcheck::gen {

/// A python file defining the module, make_model() and make_inputs().
StatusOr<std::string> EmitPython(const Graph& graph);

/// A python file defining make_model() (a keras.Model) and make_inputs() (NumPy arrays): the
/// same function with the same weights, for graphs whose operators all have a TensorFlow form
/// (OpSpec::tf); InvalidArgument naming the first operator that has none.
StatusOr<std::string> EmitTensorFlow(const Graph& graph);

/// An ONNX model (opset 17) computing the same function.
StatusOr<onnx::ModelProto> EmitOnnx(const Graph& graph);

/// Writes `<stem>.py`, `<stem>.json` (the graph) and, if `with_onnx`, `<stem>.onnx`.
Status WriteCase(const Graph& graph, const std::string& stem, bool with_onnx);

/// The forms a generated graph is written in, each a source some converters take: a PyTorch
/// python file (torch exporters), a TensorFlow python file (tf2onnx), the ONNX model itself
/// (ONNX-to-ONNX tools).
enum class Emitter { kTorch, kTensorFlow, kOnnx };

/// "torch", "tf", "onnx".
std::string_view EmitterName(Emitter emitter);

/// Writes `<stem>.json` and the model in `emitter`'s form (`<stem>.py`, `<stem>_tf.py` or
/// `<stem>.onnx`) and returns the source argument naming it ("python:<stem>.py", ...).
StatusOr<std::string> WriteSource(const Graph& graph, const std::string& stem, Emitter emitter);

}  // namespace convcheck::gen

#endif  // CONVCHECK_GEN_EMIT_H_
