#include "onnx/model.h"

#include <algorithm>
#include <fstream>

#include <climits>
#include <exception>
#include <filesystem>
#include <set>
#include <string_view>
#include <utility>

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/file_io.h"
#include "onnx/shape_inference/implementation.h"

namespace convcheck::onnxio {
namespace {

constexpr std::string_view kWhat = "model";

// ONNX messages span lines ("...of node: \nname: add1 OpType: Add\n is not...", "\n\n==>
// Context: ..."); reports want one line, so every whitespace run becomes one space.
std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

// Calls `visit` on every node of `graph` and of its subgraphs (If/Loop/Scan bodies).
template <typename Visit>
void ForEachNode(const onnx::GraphProto& graph, const Visit& visit) {
  for (const onnx::NodeProto& node : graph.node()) {
    visit(node);
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      if (attribute.has_g()) ForEachNode(attribute.g(), visit);
      for (const onnx::GraphProto& subgraph : attribute.graphs()) ForEachNode(subgraph, visit);
    }
  }
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// True if `word` occurs in `text` not glued to other identifier characters, so node "conv1"
// is not found inside "conv10".
bool ContainsWord(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  for (size_t pos = text.find(word); pos != std::string_view::npos;
       pos = text.find(word, pos + 1)) {
    const bool starts = pos == 0 || !IsNameChar(text[pos - 1]) || !IsNameChar(word.front());
    const size_t end = pos + word.size();
    const bool ends = end == text.size() || !IsNameChar(text[end]) || !IsNameChar(word.back());
    if (starts && ends) return true;
  }
  return false;
}

// Fills node_name/op_type from the two forms ONNX 1.12 writes:
//   shape inference  "(op_type:Add, node name: add1): [ShapeInferenceError] ..."
//   checker          "... node: name: add1 OpType: Add ..." / "Context: Bad node spec for node.
//                    Name: add1 OpType: Addd"
// and otherwise by looking for the graph's node names, then op types, in the message.
void IdentifyNode(const onnx::ModelProto& model, ValidationIssue& issue) {
  const std::string& message = issue.message;
  if (size_t start = message.find("(op_type:"); start != std::string::npos) {
    constexpr std::string_view kNodeName = ", node name: ";
    const size_t name_at = message.find(kNodeName, start);
    if (name_at != std::string::npos) {
      size_t end = message.find("): ", name_at);
      if (end == std::string::npos) end = message.find(')', name_at);
      if (end != std::string::npos) {
        issue.op_type = Trim(message.substr(start + 9, name_at - start - 9));
        issue.node_name =
            Trim(message.substr(name_at + kNodeName.size(), end - name_at - kNodeName.size()));
        return;
      }
    }
  }
  if (size_t op_at = message.find(" OpType: "); op_at != std::string::npos) {
    const size_t name_at = message.rfind("ame:", op_at);
    if (name_at != std::string::npos && name_at > 0 &&
        (message[name_at - 1] == 'N' || message[name_at - 1] == 'n')) {
      issue.node_name = Trim(message.substr(name_at + 4, op_at - name_at - 4));
      const size_t type_start = op_at + 9;
      issue.op_type = message.substr(type_start, message.find(' ', type_start) - type_start);
      return;
    }
  }
  if (!model.has_graph()) return;
  // Longest name first, so "conv1_bn" wins over a node called "conv1" mentioned inside it.
  const onnx::NodeProto* best = nullptr;
  std::set<std::string> matched_ops;
  ForEachNode(model.graph(), [&](const onnx::NodeProto& node) {
    if (ContainsWord(message, node.name()) &&
        (best == nullptr || node.name().size() > best->name().size())) {
      best = &node;
    }
    if (ContainsWord(message, node.op_type())) matched_ops.insert(node.op_type());
  });
  if (best != nullptr) {
    issue.node_name = best->name();
    issue.op_type = best->op_type();
    return;
  }
  if (matched_ops.size() != 1) return;
  issue.op_type = *matched_ops.begin();
  // The node is known only if it is the single node of that type.
  int count = 0;
  std::string name;
  ForEachNode(model.graph(), [&](const onnx::NodeProto& node) {
    if (node.op_type() == issue.op_type) {
      ++count;
      name = node.name();
    }
  });
  if (count == 1) issue.node_name = name;
}

ValidationIssue MakeIssue(const onnx::ModelProto& model, std::string check, std::string_view what) {
  ValidationIssue issue;
  issue.check = std::move(check);
  issue.message = CollapseWhitespace(what);
  IdentifyNode(model, issue);
  return issue;
}

ValueInfo ToValueInfo(const onnx::ValueInfoProto& proto) {
  ValueInfo info;
  info.name = proto.name();
  if (!proto.type().has_tensor_type()) {
    info.rank_known = false;
    return info;
  }
  const onnx::TypeProto::Tensor& tensor_type = proto.type().tensor_type();
  info.dtype = DataTypeFromOnnxCode(tensor_type.elem_type()).value_or(DataType::kUndefined);
  info.rank_known = tensor_type.has_shape();
  for (const onnx::TensorShapeProto::Dimension& dim : tensor_type.shape().dim()) {
    info.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  }
  return info;
}

}  // namespace

StatusOr<onnx::ModelProto> LoadModel(const std::string& path) {
  CC_ASSIGN_OR_RETURN(const uint64_t size, RegularFileSize(kWhat, path));
  const std::string prefix = FileErrorPrefix(kWhat, path);
  if (size == 0) return InvalidArgument(prefix + "file is empty");
  // protobuf refuses messages of 2 GiB or more; exporters put larger weights in external data
  // files next to the model, which keeps the .onnx itself small.
  if (size > static_cast<uint64_t>(INT_MAX)) {
    return ResourceExhausted(prefix + "file is " + std::to_string(size) +
                             " bytes, over protobuf's 2 GiB limit (large models must keep their "
                             "weights in ONNX external data files)");
  }
  CC_ASSIGN_OR_RETURN(const std::string contents, ReadWholeFile(kWhat, path, INT_MAX));
  onnx::ModelProto model;
  if (!model.ParseFromArray(contents.data(), static_cast<int>(contents.size()))) {
    return DataLoss(prefix +
                    "not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");
  }
  if (!model.has_graph()) return InvalidArgument(prefix + "model has no graph");
  if (model.graph().node_size() == 0 && model.graph().output_size() == 0) {
    return InvalidArgument(prefix + "model graph has no nodes and no outputs (truncated file?)");
  }
  return model;
}

Status SaveModel(const onnx::ModelProto& model, const std::string& path) {
  const size_t size = model.ByteSizeLong();
  if (size > static_cast<size_t>(INT_MAX)) {
    return ResourceExhausted(FileErrorPrefix(kWhat, path) + "model is " + std::to_string(size) +
                             " bytes serialized, over protobuf's 2 GiB limit");
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    return Internal(FileErrorPrefix(kWhat, path) + "protobuf serialization failed");
  }
  return WriteWholeFile(kWhat, path, bytes);
}

bool HasExternalData(const onnx::ModelProto& model) {
  for (const auto& init : model.graph().initializer()) {
    if (init.data_location() == onnx::TensorProto::EXTERNAL) return true;
  }
  return false;
}

Status LoadExternalData(const std::string& model_dir, onnx::ModelProto* model) {
  for (auto& init : *model->mutable_graph()->mutable_initializer()) {
    if (init.data_location() != onnx::TensorProto::EXTERNAL) continue;
    std::string location;
    uint64_t offset = 0;
    int64_t length = -1;
    for (const auto& entry : init.external_data()) {
      if (entry.key() == "location") location = entry.value();
      if (entry.key() == "offset") offset = std::stoull(entry.value());
      if (entry.key() == "length") length = std::stoll(entry.value());
    }
    const std::string label = "tensor '" + init.name() + "'";
    if (location.empty() || location[0] == '/' || location.find("..") != std::string::npos) {
      return InvalidArgument(label + ": external data location '" + location +
                             "' must be a file inside the model's folder");
    }
    const std::string path = (model_dir.empty() ? "." : model_dir) + "/" + location;
    std::ifstream file(path, std::ios::binary);
    if (!file) return NotFound(label + ": external data file '" + path + "' cannot be opened");
    file.seekg(0, std::ios::end);
    const uint64_t size = static_cast<uint64_t>(file.tellg());
    if (length < 0) length = static_cast<int64_t>(size - std::min(size, offset));
    if (offset + static_cast<uint64_t>(length) > size) {
      return DataLoss(label + ": external data at offset " + std::to_string(offset) + " length " +
                      std::to_string(length) + " runs past the end of '" + path + "'");
    }
    std::string bytes(static_cast<size_t>(length), '\0');
    file.seekg(static_cast<std::streamoff>(offset));
    file.read(bytes.data(), length);
    if (!file) return DataLoss(label + ": cannot read external data from '" + path + "'");
    init.set_raw_data(std::move(bytes));
    init.clear_external_data();
    init.set_data_location(onnx::TensorProto::DEFAULT);
  }
  return Status::Ok();
}

StatusOr<onnx::ModelProto> LoadModelWithWeights(const std::string& path) {
  CC_ASSIGN_OR_RETURN(onnx::ModelProto model, LoadModel(path));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  CC_RETURN_IF_ERROR(LoadExternalData(dir, &model));
  return model;
}

std::optional<ValidationIssue> ValidateModel(const onnx::ModelProto& model,
                                             const std::string& model_path) {
  // check_model throws checker::ValidationError for what it rejects; schema code underneath may
  // throw other std::exceptions (std::out_of_range from .at(), for instance).
  try {
    // Only the path form tells the checker where external data lives.
    if (!model_path.empty() && HasExternalData(model)) {
      onnx::checker::check_model(model_path);
    } else {
      onnx::checker::check_model(model);
    }
  } catch (const std::exception& e) {
    ValidationIssue issue = MakeIssue(model, "checker", e.what());
    // onnx 1.12 says only "Your model ir_version is higher than the checker's."; models from
    // newer exporters hit this, so give the numbers.
    if (model.ir_version() > onnx::IR_VERSION) {
      issue.message += " (model ir_version " + std::to_string(model.ir_version()) +
                       ", this onnx checker supports up to " + std::to_string(onnx::IR_VERSION) +
                       ")";
    }
    return issue;
  } catch (...) {
    return MakeIssue(model, "checker", "unknown exception from onnx::checker::check_model");
  }
  // InferShapes writes inferred value_info into the model it is given, hence the copy.
  onnx::ModelProto copy = model;
  try {
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions{/*check_type_val=*/true,
                                                                   /*strict_mode_val=*/1,
                                                                   /*data_prop_val=*/false});
  } catch (const std::exception& e) {
    // onnx::InferenceError, and checker::ValidationError from the graph checks it runs too.
    return MakeIssue(model, "shape_inference", e.what());
  } catch (...) {
    return MakeIssue(model, "shape_inference",
                     "unknown exception from onnx::shape_inference::InferShapes");
  }
  return std::nullopt;
}

GraphSummary Summarize(const onnx::ModelProto& model) {
  GraphSummary summary;
  summary.ir_version = model.ir_version();
  summary.producer = model.producer_name();
  if (!model.producer_version().empty()) {
    summary.producer += (summary.producer.empty() ? "" : " ") + model.producer_version();
  }
  for (const onnx::OperatorSetIdProto& opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") summary.opset = opset.version();
  }
  const onnx::GraphProto& graph = model.graph();
  // Before IR version 4 every initializer also had to be listed as a graph input; those are
  // weights, not something a caller feeds.
  std::set<std::string> initializers;
  for (const onnx::TensorProto& initializer : graph.initializer()) {
    initializers.insert(initializer.name());
  }
  for (const onnx::SparseTensorProto& initializer : graph.sparse_initializer()) {
    initializers.insert(initializer.values().name());
  }
  for (const onnx::ValueInfoProto& input : graph.input()) {
    if (!initializers.contains(input.name())) summary.inputs.push_back(ToValueInfo(input));
  }
  for (const onnx::ValueInfoProto& output : graph.output()) {
    summary.outputs.push_back(ToValueInfo(output));
  }
  summary.num_nodes = graph.node_size();
  ForEachNode(graph, [&](const onnx::NodeProto& node) {
    const bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
    ++summary.op_counts[default_domain ? node.op_type() : node.domain() + ":" + node.op_type()];
  });
  return summary;
}

}  // namespace convcheck::onnxio
