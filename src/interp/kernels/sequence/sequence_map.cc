//===- interp/kernels/sequence/sequence_map.cc - SequenceMap (opset 17) ===//
//
// Runs `body` once per element of the input sequence. Each additional input is either a
// sequence, which must have the same length and contributes its i-th element, or a tensor,
// which is passed unchanged to every iteration. Each body output k is collected into output
// sequence k. With an empty input sequence the body never runs and the outputs are empty
// sequences whose element type comes from the body's declared output types.
//
// Outer-scope names are visible inside the body through the executor (RunSubgraph).
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

class SequenceMap final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, ctx.num_inputs(), 1, ctx.num_outputs()));
    body_ = ctx.attr_graph("body");
    if (!body_) return InvalidArgument("attribute 'body' is required");
    if (body_->input_size() != ctx.num_inputs()) {
      return InvalidArgument("body has " + std::to_string(body_->input_size()) +
                             " inputs but the node has " + std::to_string(ctx.num_inputs()));
    }
    if (body_->output_size() != ctx.num_outputs()) {
      return InvalidArgument("body has " + std::to_string(body_->output_size()) +
                             " outputs but the node has " + std::to_string(ctx.num_outputs()));
    }
    if (!ctx.has_input(0) || !ctx.input_value(0).is_sequence()) {
      return InvalidArgument("input 0 must be a sequence");
    }
    length_ = static_cast<int64_t>(ctx.input_value(0).sequence().size());
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) return InvalidArgument("input " + std::to_string(i) + " is missing");
      const Value& v = ctx.input_value(i);
      if (v.is_optional()) {
        return InvalidArgument("input " + std::to_string(i) +
                               " is an optional; expected a tensor or a sequence");
      }
      if (v.is_sequence() && static_cast<int64_t>(v.sequence().size()) != length_) {
        return InvalidArgument("input " + std::to_string(i) + " is a sequence of " +
                               std::to_string(v.sequence().size()) +
                               " elements but input 0 has " + std::to_string(length_));
      }
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const int num_outputs = ctx.num_outputs();
    std::vector<std::vector<Tensor>> collected(num_outputs);
    for (int64_t i = 0; i < length_; ++i) {
      std::vector<Value> args;
      for (int k = 0; k < ctx.num_inputs(); ++k) {
        const Value& v = ctx.input_value(k);
        args.push_back(v.is_sequence() ? Value::FromTensor(v.sequence()[i]) : v);
      }
      StatusOr<std::vector<Value>> outs = ctx.RunSubgraph(*body_, args);
      if (!outs.ok()) return outs.status().WithContext("body iteration " + std::to_string(i));
      for (int k = 0; k < num_outputs; ++k) {
        Value& out = (*outs)[k];
        if (!out.is_tensor()) {
          return InvalidArgument("body output " + std::to_string(k) + " is a " + out.Describe() +
                                 ", expected a tensor");
        }
        if (!collected[k].empty() && collected[k][0].dtype() != out.tensor().dtype()) {
          return InvalidArgument("body output " + std::to_string(k) + " changed type from " +
                                 std::string(DataTypeName(collected[k][0].dtype())) + " to " +
                                 std::string(DataTypeName(out.tensor().dtype())));
        }
        collected[k].push_back(std::move(out.mutable_tensor()));
      }
    }
    for (int k = 0; k < num_outputs; ++k) {
      DataType elem = DataType::kUndefined;
      const onnx::TypeProto& type = body_->output(k).type();
      if (type.has_tensor_type()) {
        auto declared = DataTypeFromOnnxCode(type.tensor_type().elem_type());
        if (declared) elem = ctx.ComputeType(*declared);
      }
      if (!collected[k].empty()) elem = collected[k][0].dtype();
      ctx.SetOutputValue(k, Value::FromSequence(std::move(collected[k]), elem));
    }
    return Status::Ok();
  }

 private:
  const onnx::GraphProto* body_ = nullptr;
  int64_t length_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeSequenceMap() { return std::make_unique<SequenceMap>(); }

}  // namespace convcheck::interp
