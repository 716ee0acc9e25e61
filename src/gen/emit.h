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

/// An ONNX model (opset 17) computing the same function.
StatusOr<onnx::ModelProto> EmitOnnx(const Graph& graph);

/// Writes `<stem>.py`, `<stem>.json` (the graph) and, if `with_onnx`, `<stem>.onnx`.
Status WriteCase(const Graph& graph, const std::string& stem, bool with_onnx);

}  // namespace convcheck::gen

#endif  // CONVCHECK_GEN_EMIT_H_
