//===- interp/kernels/controlflow/if.cc - If, opsets 1+ ---------------------===//
//
// Runs then_branch or else_branch and forwards its outputs. The opset bumps (11: shapes of the
// two branches may differ; 13: sequence outputs; 16: optional outputs) only widen what a branch
// may return, and Values carry tensors, sequences and optionals alike, so one kernel serves all.
// `cond` must hold exactly one bool element (the spec calls it a scalar; a [1] tensor is accepted
// as the ONNX runtime does). The branch sees the enclosing scopes through the executor.
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

class If final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 0, ctx.num_outputs()));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& cond = ctx.input(0);
    if (cond.dtype() != DataType::kBool || cond.num_elements() != 1) {
      return InvalidArgument("cond must be a single bool, got " +
                             std::string(DataTypeName(cond.dtype())) +
                             ShapeToString(cond.shape()));
    }
    const bool take_then = cond.Data<bool>()[0];
    const char* name = take_then ? "then_branch" : "else_branch";
    branch_ = ctx.attr_graph(name);
    if (!branch_) return InvalidArgument("attribute '" + std::string(name) + "' is required");
    if (branch_->output_size() != ctx.num_outputs()) {
      return InvalidArgument(std::string(name) + " has " +
                             std::to_string(branch_->output_size()) + " outputs but the node has " +
                             std::to_string(ctx.num_outputs()));
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    StatusOr<std::vector<Value>> outs = ctx.RunSubgraph(*branch_, {});
    if (!outs.ok()) return outs.status();
    for (int k = 0; k < ctx.num_outputs(); ++k) ctx.SetOutputValue(k, std::move((*outs)[k]));
    return Status::Ok();
  }

 private:
  const onnx::GraphProto* branch_ = nullptr;  // Chosen by Prepare from the cond value.
};

}  // namespace

std::unique_ptr<Kernel> MakeIf() { return std::make_unique<If>(); }

}  // namespace convcheck::interp
