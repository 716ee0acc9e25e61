#include "pipeline/onnx_source.h"

#include <nlohmann/json.hpp>
#include <random>

#include "onnx/model.h"

namespace convcheck::pipeline {
namespace {

struct InputRange {
  double lo = 0, hi = 0;
  bool known = false;
};

std::map<std::string, InputRange> RecordedRanges(const onnx::ModelProto& model) {
  std::map<std::string, InputRange> ranges;
  for (const auto& prop : model.metadata_props()) {
    if (prop.key() != kInputRangesKey) continue;
    nlohmann::json doc = nlohmann::json::parse(prop.value(), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) continue;
    for (const auto& [name, range] : doc.items()) {
      if (range.is_array() && range.size() == 2 && range[0].is_number() && range[1].is_number()) {
        ranges[name] = {range[0].get<double>(), range[1].get<double>(), true};
      }
    }
  }
  return ranges;
}

std::string OneLineText(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text.size() > 400 ? text.substr(0, 397) + "..." : text;
}

}  // namespace

StatusOr<std::vector<Tensor>> MakeOnnxInputs(const onnx::ModelProto& model, uint64_t seed, int set,
                                             const std::vector<Shape>& input_shapes) {
  const onnxio::GraphSummary summary = onnxio::Summarize(model);
  const std::map<std::string, InputRange> ranges = RecordedRanges(model);
  // One stream per (seed, set): the sets differ, and the same job draws the same inputs again.
  std::mt19937_64 rng(seed * 1000003 + static_cast<uint64_t>(set) + 1);
  std::vector<Tensor> tensors;
  for (size_t j = 0; j < summary.inputs.size(); ++j) {
    const onnxio::ValueInfo& input = summary.inputs[j];
    if (!input.rank_known) {
      return InvalidArgument("input '" + input.name + "' has no declared shape");
    }
    Shape shape = input.dims;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] >= 0) continue;
      if (j < input_shapes.size() && d < input_shapes[j].size()) {
        shape[d] = input_shapes[j][d];
      } else {
        shape[d] = 1;
      }
    }
    auto it = ranges.find(input.name);
    const InputRange range = it != ranges.end() ? it->second : InputRange{};
    Tensor tensor(input.dtype, shape);
    const int64_t n = tensor.num_elements();
    switch (input.dtype) {
      case DataType::kFloat32:
      case DataType::kFloat64: {
        const double lo = range.known ? range.lo : -1.0, hi = range.known ? range.hi : 1.0;
        std::uniform_real_distribution<double> dist(lo, hi);
        for (int64_t i = 0; i < n; ++i) {
          const double x = hi > lo ? dist(rng) : lo;
          if (input.dtype == DataType::kFloat32) {
            tensor.MutableData<float>()[i] = static_cast<float>(x);
          } else {
            tensor.MutableData<double>()[i] = x;
          }
        }
        break;
      }
      case DataType::kInt64:
      case DataType::kInt32: {
        const auto lo = static_cast<int64_t>(range.known ? range.lo : 0);
        const auto hi = static_cast<int64_t>(range.known ? range.hi : 9);
        std::uniform_int_distribution<int64_t> dist(lo, std::max(lo, hi));
        for (int64_t i = 0; i < n; ++i) {
          if (input.dtype == DataType::kInt64) {
            tensor.MutableData<int64_t>()[i] = dist(rng);
          } else {
            tensor.MutableData<int32_t>()[i] = static_cast<int32_t>(dist(rng));
          }
        }
        break;
      }
      case DataType::kBool: {
        std::bernoulli_distribution coin(0.5);
        for (int64_t i = 0; i < n; ++i) tensor.MutableData<bool>()[i] = coin(rng);
        break;
      }
      default:
        return InvalidArgument("input '" + input.name + "' has dtype " +
                               std::string(DataTypeName(input.dtype)) +
                               ", for which no inputs are generated (float32, float64, int32, "
                               "int64 and bool are)");
    }
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

StatusOr<std::optional<OnnxReference>> BuildOnnxReference(const JobSpec& spec,
                                                          const std::string& model_path,
                                                          workers::Session& session,
                                                          JobResult* result) {
  auto source_error = [&](const std::string& message, const std::string& signature) {
    result->verdict = oracle::Verdict::kSourceError;
    result->error = OneLineText(message);
    result->signature = signature;
    return std::optional<OnnxReference>();
  };
  StatusOr<onnx::ModelProto> model = onnxio::LoadModel(model_path);
  if (!model.ok()) return source_error(model.status().message(), "source_error load");
  OnnxReference reference;
  const onnxio::GraphSummary summary = onnxio::Summarize(*model);
  for (const auto& v : summary.inputs) reference.input_names.push_back(v.name);
  for (const auto& v : summary.outputs) reference.output_names.push_back(v.name);
  for (int s = 0; s < spec.num_sets; ++s) {
    StatusOr<std::vector<Tensor>> inputs = MakeOnnxInputs(*model, spec.seed, s, spec.input_shapes);
    if (!inputs.ok()) return source_error(inputs.status().message(), "source_error inputs");
    reference.inputs.push_back(std::move(*inputs));
  }
  CC_ASSIGN_OR_RETURN(std::unique_ptr<backends::Backend> ref64,
                      backends::MakeBackend("ref64", session, spec.backend_options));
  CC_ASSIGN_OR_RETURN(backends::BackendRun run,
                      ref64->Run(model_path, reference.inputs, spec.timeout_s));
  result->tool_time["inference"] = run.load_s + run.run_s;
  if (run.failure != oracle::Verdict::kPass) {
    return source_error("ref64 cannot run the source model (the oracle): " +
                            std::string(oracle::VerdictName(run.failure)) +
                            (run.code.empty() ? "" : " " + run.code) + ": " + run.message,
                        "source_error ref64 " + std::string(oracle::VerdictName(run.failure)));
  }
  reference.expected = std::move(run.outputs);
  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (const Tensor& t : reference.inputs[0]) {
    inputs.push_back({{"shape", t.shape()}, {"dtype", DataTypeName(t.dtype())}});
  }
  for (const Tensor& t : reference.expected[0]) {
    outputs.push_back({{"shape", t.shape()}, {"dtype", DataTypeName(t.dtype())}});
  }
  result->source_info = {{"inputs", inputs},
                         {"outputs", outputs},
                         {"info",
                          {{"framework", "onnx"},
                           {"reference", "ref64"},
                           {"opset", summary.opset},
                           {"num_nodes", summary.num_nodes}}}};
  return std::optional<OnnxReference>(std::move(reference));
}

}  // namespace convcheck::pipeline
