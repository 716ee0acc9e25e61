//===- onnx/model.h - Load, save, validate and summarize ONNX models ------===//
//
// The model a converter produced is untrusted input: it may be missing, empty, cut short by a
// crash, or valid protobuf that the ONNX checker rejects. LoadModel separates "not a model at
// all" (an error) from "a model" so that ValidateModel can report what is wrong with it as a
// value (a finding about the converter, not an error of ours).
//
// ONNX's own checker and shape inference (onnx 1.12) report problems by throwing; every call
// into them is wrapped here.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ONNX_MODEL_H_
#define CONVCHECK_ONNX_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/status.h"
#include "onnx/onnx_pb.h"

namespace convcheck::onnxio {

/// Parses the model at `path`. Errors are one line starting with "model '<path>': ":
///   NotFound           "no such file"
///   InvalidArgument    "is a directory", "file is empty", "model has no graph",
///                      "model graph has no nodes and no outputs (truncated file?)"
///   DataLoss           "not a valid ONNX model (protobuf parse failed: truncated or corrupt file)"
///   ResourceExhausted  file over 2 GiB (protobuf's limit; large weights belong in external data)
/// A cut-short file may still parse (protobuf cannot tell where a message should end), hence
/// the graph checks. External data is not loaded; the checker looks at it only if asked.
StatusOr<onnx::ModelProto> LoadModel(const std::string& path);

/// Serializes `model` to `path`. ResourceExhausted over 2 GiB; errors name the file.
Status SaveModel(const onnx::ModelProto& model, const std::string& path);

/// Why ONNX's checker or shape inference rejected a model.
struct ValidationIssue {
  std::string check;      // "checker" or "shape_inference"
  std::string message;    // One line; ONNX's text with newlines collapsed.
  std::string node_name;  // The offending node, when the message identifies one; else empty.
  std::string op_type;    // Its op_type, when known; else empty.
};

/// Runs onnx::checker::check_model (1.12 has no full_check flag on the C++ side; shape inference
/// is the next step instead), then strict shape inference on a copy (check_type on, error_mode 1,
/// no data propagation). Returns the first problem, or nullopt when both pass. Note that the
/// onnx 1.12 checker rejects ir_version > 8 and graph inputs/outputs without a shape field.
/// `model_path`, when given, lets the checker find weights stored as external data (models over
/// 2 GiB, where torch.onnx writes them next to the .onnx file).
std::optional<ValidationIssue> ValidateModel(const onnx::ModelProto& model,
                                             const std::string& model_path = "");

/// True when a top-level initializer keeps its data in an external file.
bool HasExternalData(const onnx::ModelProto& model);

/// Reads every top-level initializer stored as external data (relative to `model_dir`) into
/// the proto, so that an engine can decode it like any other. The location must stay inside
/// the model's folder. Errors name the tensor and the file.
Status LoadExternalData(const std::string& model_dir, onnx::ModelProto* model);

/// LoadModel, then LoadExternalData from the model's folder: a model ready for an engine.
StatusOr<onnx::ModelProto> LoadModelWithWeights(const std::string& path);

/// A graph input or output as declared in the model.
struct ValueInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;  // kUndefined also for non-tensor types.
  std::vector<int64_t> dims;              // -1 for unknown or symbolic dimensions.
  bool rank_known = true;  // False when the type has no shape at all (dims is then empty).
};

/// A quick look at a model, for reports and for generating inputs.
struct GraphSummary {
  std::vector<ValueInfo> inputs;  // Graph inputs that are not initializers.
  std::vector<ValueInfo> outputs;
  int64_t opset = 0;  // Of the default domain ("" or "ai.onnx"); 0 if not imported.
  int64_t ir_version = 0;
  std::string producer;                      // "pytorch 2.1.0": producer_name and producer_version.
  int64_t num_nodes = 0;                     // Nodes of the top-level graph.
  std::map<std::string, int64_t> op_counts;  // Top-level graph plus subgraphs; ops of other
                                             // domains are keyed "domain:op_type".
};

/// Reads the summary straight from the proto (no checking; a model without a graph gives empty
/// lists). Dims come from the declared types only; nothing is inferred.
GraphSummary Summarize(const onnx::ModelProto& model);

}  // namespace convcheck::onnxio

#endif  // CONVCHECK_ONNX_MODEL_H_
