#include "interp/kernel.h"

#include "interp/executor.h"
#include "onnx/tensor_proto.h"

namespace convcheck::interp {

KernelContext::KernelContext(const onnx::NodeProto& node, int opset,
                             const std::vector<const Value*>& inputs, GraphRunner* runner,
                             bool precise)
    : node_(node), opset_(opset), inputs_(inputs), runner_(runner), precise_(precise) {
  outputs_.resize(node.output_size());
}

const Value& KernelContext::input_value(int i) const {
  CC_CHECK_MSG(has_input(i), "KernelContext::input_value: input is absent");
  return *inputs_[i];
}

const Tensor& KernelContext::input(int i) const { return input_value(i).tensor(); }

Status KernelContext::RequireTensor(int i) const {
  if (!has_input(i)) return InvalidArgument("input " + std::to_string(i) + " is missing");
  if (!inputs_[i]->is_tensor()) {
    return InvalidArgument("input " + std::to_string(i) + " is a " + inputs_[i]->Describe() +
                           ", expected a tensor");
  }
  return Status::Ok();
}

Status KernelContext::ExpectArity(int min_inputs, int max_inputs, int min_outputs,
                                  int max_outputs) const {
  // Trailing omitted optional inputs do not count.
  int present = num_inputs();
  while (present > 0 && !has_input(present - 1)) --present;
  if (present < min_inputs || num_inputs() > max_inputs) {
    return InvalidArgument("has " + std::to_string(num_inputs()) + " inputs, expected " +
                           std::to_string(min_inputs) +
                           (max_inputs == min_inputs ? "" : " to " + std::to_string(max_inputs)));
  }
  if (num_outputs() < min_outputs || num_outputs() > max_outputs) {
    return InvalidArgument(
        "has " + std::to_string(num_outputs()) + " outputs, expected " +
        std::to_string(min_outputs) +
        (max_outputs == min_outputs ? "" : " to " + std::to_string(max_outputs)));
  }
  return Status::Ok();
}

const onnx::AttributeProto* KernelContext::attr(std::string_view name) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t KernelContext::attr_int(std::string_view name, int64_t default_value) const {
  const onnx::AttributeProto* a = attr(name);
  return a ? a->i() : default_value;
}

float KernelContext::attr_float(std::string_view name, float default_value) const {
  const onnx::AttributeProto* a = attr(name);
  return a ? a->f() : default_value;
}

std::string KernelContext::attr_string(std::string_view name, std::string default_value) const {
  const onnx::AttributeProto* a = attr(name);
  return a ? a->s() : default_value;
}

std::vector<int64_t> KernelContext::attr_ints(std::string_view name,
                                              std::vector<int64_t> default_value) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return default_value;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::vector<float> KernelContext::attr_floats(std::string_view name,
                                              std::vector<float> default_value) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return default_value;
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

std::vector<std::string> KernelContext::attr_strings(std::string_view name) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a) return {};
  return std::vector<std::string>(a->strings().begin(), a->strings().end());
}

StatusOr<Tensor> KernelContext::attr_tensor(std::string_view name) const {
  const onnx::AttributeProto* a = attr(name);
  if (!a || !a->has_t()) return NotFound("attribute '" + std::string(name) + "' is missing");
  return onnxio::TensorFromProto(a->t());
}

const onnx::GraphProto* KernelContext::attr_graph(std::string_view name) const {
  const onnx::AttributeProto* a = attr(name);
  return a && a->has_g() ? &a->g() : nullptr;
}

Tensor& KernelContext::SetOutput(int i, DataType dtype, Shape shape) {
  CC_CHECK_MSG(i < num_outputs(), "KernelContext::SetOutput: no such output");
  outputs_[i] = Value::FromTensor(Tensor(dtype, std::move(shape)));
  return outputs_[i].mutable_tensor();
}

Tensor& KernelContext::output(int i) {
  CC_CHECK_MSG(i < num_outputs(), "KernelContext::output: no such output");
  return outputs_[i].mutable_tensor();
}

void KernelContext::SetOutputValue(int i, Value value) {
  CC_CHECK_MSG(i < num_outputs(), "KernelContext::SetOutputValue: no such output");
  outputs_[i] = std::move(value);
}

const onnx::GraphProto& KernelContext::graph() const { return runner_->graph(); }

StatusOr<std::vector<Value>> KernelContext::RunSubgraph(const onnx::GraphProto& graph,
                                                        const std::vector<Value>& inputs) {
  return runner_->RunSubgraph(graph, inputs);
}

bool KernelContext::fast_kernels() const { return runner_ && runner_->fast_kernels(); }

fast::Parallel KernelContext::parallel() const {
  return runner_ ? runner_->parallel() : fast::Parallel();
}

bool KernelContext::input_is_constant(int i) const {
  return runner_ && has_input(i) && runner_->IsConstant(inputs_[i]);
}

DataType KernelContext::ComputeType(DataType declared) const {
  if (precise_ && (declared == DataType::kFloat32 || declared == DataType::kFloat16 ||
                   declared == DataType::kBFloat16)) {
    return DataType::kFloat64;
  }
  return declared;
}

}  // namespace convcheck::interp
