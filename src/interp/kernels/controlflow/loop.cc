//===- interp/kernels/controlflow/loop.cc - Loop, opsets 1+ -----------------===//
//
// A generic loop: inputs (M, cond, v_initial...), body (iteration_num, cond, v...) ->
// (cond_out, v_out..., scan_out...). The trip count M and the condition are both optional:
//   M and cond:   for (i = 0; i < M && cond; ++i)  cond = body's cond_out
//   M only:       for (i = 0; i < M; ++i)          body's cond_out is ignored
//   cond only:    for (i = 0; cond; ++i)           cond = body's cond_out
//   neither:      for (i = 0; ; ++i)               an infinite loop, as the spec defines it
// The body always receives a cond input (true when the node has none).
//
// Loop-carried values may be tensors, sequences (opset 13+) or optionals (opset 16+), and may
// change shape between iterations (opset 11+). Scan outputs are tensors, stacked along a new
// axis 0; they must keep one dtype and shape across iterations. With zero iterations a scan
// output has a leading 0 and the element shape the body declares. The opset bumps only widen
// the accepted types, so one kernel serves opsets 1+. Outer-scope values are visible to the body
// through the executor.
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/controlflow/scan_outputs.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

class Loop final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, ctx.num_inputs(), 1, ctx.num_outputs()));
    body_ = ctx.attr_graph("body");
    if (!body_) return InvalidArgument("attribute 'body' is required");
    num_carried_ = ctx.num_inputs() - 2;
    num_scan_ = ctx.num_outputs() - num_carried_;
    if (num_scan_ < 0) {
      return InvalidArgument("node has " + std::to_string(num_carried_) +
                             " loop-carried inputs but only " + std::to_string(ctx.num_outputs()) +
                             " outputs");
    }
    if (body_->input_size() != 2 + num_carried_) {
      return InvalidArgument("body has " + std::to_string(body_->input_size()) +
                             " inputs, expected " + std::to_string(2 + num_carried_) +
                             " (iteration_num, cond and " + std::to_string(num_carried_) +
                             " loop-carried values)");
    }
    if (body_->output_size() != 1 + ctx.num_outputs()) {
      return InvalidArgument("body has " + std::to_string(body_->output_size()) +
                             " outputs, expected " + std::to_string(1 + ctx.num_outputs()) +
                             " (cond and the node's " + std::to_string(ctx.num_outputs()) +
                             " outputs)");
    }
    has_trip_count_ = ctx.has_input(0);
    if (has_trip_count_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
      const Tensor& m = ctx.input(0);
      if (m.dtype() != DataType::kInt64 || m.num_elements() != 1) {
        return InvalidArgument("M must be a single int64, got " +
                               std::string(DataTypeName(m.dtype())) + ShapeToString(m.shape()));
      }
      trip_count_ = m.Data<int64_t>()[0];
    }
    has_cond_ = ctx.has_input(1);
    if (has_cond_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
      CC_ASSIGN_OR_RETURN(initial_cond_, ReadCond(ctx.input(1), "cond"));
    }
    for (int i = 2; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) {
        return InvalidArgument("loop-carried input " + std::to_string(i) + " is missing");
      }
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    std::vector<Value> carried;
    for (int i = 2; i < ctx.num_inputs(); ++i) carried.push_back(ctx.input_value(i));
    std::vector<std::vector<Tensor>> scans(num_scan_);
    bool cond = has_cond_ ? initial_cond_ : true;
    for (int64_t i = 0; (!has_trip_count_ || i < trip_count_) && (!has_cond_ || cond); ++i) {
      std::vector<Value> args;
      args.reserve(2 + carried.size());
      args.push_back(Value::FromTensor(Tensor::Scalar<int64_t>(i)));
      args.push_back(Value::FromTensor(Tensor::Scalar<bool>(cond)));
      for (Value& v : carried) args.push_back(std::move(v));
      StatusOr<std::vector<Value>> outs = ctx.RunSubgraph(*body_, args);
      if (!outs.ok()) return outs.status().WithContext("body iteration " + std::to_string(i));
      std::vector<Value>& results = *outs;
      if (has_cond_) {
        if (!results[0].is_tensor()) {
          return InvalidArgument("body cond output is a " + results[0].Describe());
        }
        CC_ASSIGN_OR_RETURN(cond, ReadCond(results[0].tensor(), "body cond output"));
      }
      carried.clear();
      for (int k = 0; k < num_carried_; ++k) carried.push_back(std::move(results[1 + k]));
      for (int k = 0; k < num_scan_; ++k) {
        Value& out = results[1 + num_carried_ + k];
        const std::string what = "scan output " + std::to_string(k);
        if (!out.is_tensor()) {
          return InvalidArgument(what + " is a " + out.Describe() + ", expected a tensor");
        }
        if (!scans[k].empty()) {
          CC_RETURN_IF_ERROR(scan_outputs::CheckSameAsFirst(scans[k][0], out.tensor(), i, what));
        }
        scans[k].push_back(std::move(out.mutable_tensor()));
      }
    }
    for (int k = 0; k < num_carried_; ++k) {
      if (ctx.has_output(k)) ctx.SetOutputValue(k, std::move(carried[k]));
    }
    for (int k = 0; k < num_scan_; ++k) {
      const int out = num_carried_ + k;
      if (!ctx.has_output(out)) continue;
      ctx.SetOutputTensor(out, scan_outputs::Stack(ctx, scans[k], /*axis=*/0,
                                                   body_->output(1 + out)));
    }
    return Status::Ok();
  }

 private:
  static StatusOr<bool> ReadCond(const Tensor& t, const std::string& what) {
    if (t.dtype() != DataType::kBool || t.num_elements() != 1) {
      return InvalidArgument(what + " must be a single bool, got " +
                             std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
    }
    return t.Data<bool>()[0];
  }

  const onnx::GraphProto* body_ = nullptr;
  int num_carried_ = 0;
  int num_scan_ = 0;
  bool has_trip_count_ = false;
  int64_t trip_count_ = 0;
  bool has_cond_ = false;
  bool initial_cond_ = true;
};

}  // namespace

std::unique_ptr<Kernel> MakeLoop() { return std::make_unique<Loop>(); }

}  // namespace convcheck::interp
