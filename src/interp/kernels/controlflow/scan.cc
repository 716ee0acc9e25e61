//===- interp/kernels/controlflow/scan.cc - Scan, opsets 8 and 9+ -----------===//
//
// Scan runs `body` once per position of its scan inputs, threading N state variables through
// the iterations and collecting K scan outputs.
//
// Opset 9+: inputs are N initial states then M scan inputs (M = num_scan_inputs). Scan input j
// is iterated along scan_input_axes[j] (default 0, negative counts from the back) in the order
// scan_input_directions[j] (0 forward, 1 reverse); the body gets the slice with that axis
// removed. Scan output k stacks the per-iteration values along a new axis
// scan_output_axes[k] (default 0, negative relative to the output rank); with
// scan_output_directions[k] = 1 each value is prepended instead of appended. All scan inputs
// must have the same length along their axes.
//
// Opset 8: the first input is the optional sequence_lens [batch]; every other input has a
// leading batch axis and scan inputs are iterated along axis 1 (`directions` per scan input).
// Each batch entry is scanned independently over its first sequence_lens[b] positions; scan
// outputs are [batch, max_len, ...], and positions past a shorter entry's length are zero, as
// ONNX Runtime fills them.
//
// Scan outputs must keep one dtype and shape across iterations. Outer-scope values are visible
// to the body through the executor.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/controlflow/scan_outputs.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/sequence/tensor_blocks.h"

namespace convcheck::interp {
namespace {

// One run of the scan over `length` positions.
struct ScanRun {
  std::vector<Value> states;                 // In: initial states; out: final states.
  std::vector<const Tensor*> inputs;         // Scan inputs.
  std::vector<int64_t> input_axes;           // Normalized, per scan input.
  std::vector<bool> input_reverse;           // Per scan input.
  int64_t length = 0;
  std::vector<std::vector<Tensor>> outputs;  // Per scan output, in iteration order.
};

Status RunScanBody(KernelContext& ctx, const onnx::GraphProto& body, int num_scan_outputs,
                   ScanRun& run) {
  run.outputs.assign(num_scan_outputs, {});
  const int num_states = static_cast<int>(run.states.size());
  for (int64_t t = 0; t < run.length; ++t) {
    std::vector<Value> args = std::move(run.states);
    for (size_t j = 0; j < run.inputs.size(); ++j) {
      const int64_t pos = run.input_reverse[j] ? run.length - 1 - t : t;
      args.push_back(Value::FromTensor(
          tensor_blocks::TakeAlongAxis(*run.inputs[j], run.input_axes[j], pos)));
    }
    StatusOr<std::vector<Value>> outs = ctx.RunSubgraph(body, args);
    if (!outs.ok()) return outs.status().WithContext("body iteration " + std::to_string(t));
    std::vector<Value>& results = *outs;
    run.states.assign(std::make_move_iterator(results.begin()),
                      std::make_move_iterator(results.begin() + num_states));
    for (int k = 0; k < num_scan_outputs; ++k) {
      Value& out = results[num_states + k];
      const std::string what = "scan output " + std::to_string(k);
      if (!out.is_tensor()) {
        return InvalidArgument(what + " is a " + out.Describe() + ", expected a tensor");
      }
      if (!run.outputs[k].empty()) {
        CC_RETURN_IF_ERROR(
            scan_outputs::CheckSameAsFirst(run.outputs[k][0], out.tensor(), t, what));
      }
      run.outputs[k].push_back(std::move(out.mutable_tensor()));
    }
  }
  return Status::Ok();
}

Status CheckBodyArity(const onnx::GraphProto& body, int num_states, int num_scan_inputs,
                      int num_outputs) {
  if (body.input_size() != num_states + num_scan_inputs) {
    return InvalidArgument("body has " + std::to_string(body.input_size()) + " inputs, expected " +
                           std::to_string(num_states + num_scan_inputs) + " (" +
                           std::to_string(num_states) + " states and " +
                           std::to_string(num_scan_inputs) + " scan inputs)");
  }
  if (body.output_size() != num_outputs) {
    return InvalidArgument("body has " + std::to_string(body.output_size()) +
                           " outputs but the node has " + std::to_string(num_outputs));
  }
  return Status::Ok();
}

// Reads an optional per-entry INTS attribute of `count` entries (default all zero).
StatusOr<std::vector<int64_t>> PerEntry(const KernelContext& ctx, const char* name,
                                        int64_t count) {
  std::vector<int64_t> values = ctx.attr_ints(name, std::vector<int64_t>(count, 0));
  if (static_cast<int64_t>(values.size()) != count) {
    return InvalidArgument(std::string(name) + " has " + std::to_string(values.size()) +
                           " entries, expected " + std::to_string(count));
  }
  return values;
}

class Scan9 final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    body_ = ctx.attr_graph("body");
    if (!body_) return InvalidArgument("attribute 'body' is required");
    if (!ctx.has_attr("num_scan_inputs")) {
      return InvalidArgument("attribute 'num_scan_inputs' is required");
    }
    num_scan_inputs_ = static_cast<int>(ctx.attr_int("num_scan_inputs", 0));
    if (num_scan_inputs_ < 1 || num_scan_inputs_ > ctx.num_inputs()) {
      return InvalidArgument("num_scan_inputs is " + std::to_string(num_scan_inputs_) +
                             " but the node has " + std::to_string(ctx.num_inputs()) + " inputs");
    }
    num_states_ = ctx.num_inputs() - num_scan_inputs_;
    num_scan_outputs_ = ctx.num_outputs() - num_states_;
    if (num_scan_outputs_ < 0) {
      return InvalidArgument("node has " + std::to_string(num_states_) + " states but only " +
                             std::to_string(ctx.num_outputs()) + " outputs");
    }
    CC_RETURN_IF_ERROR(CheckBodyArity(*body_, num_states_, num_scan_inputs_, ctx.num_outputs()));
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) return InvalidArgument("input " + std::to_string(i) + " is missing");
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> in_axes,
                        PerEntry(ctx, "scan_input_axes", num_scan_inputs_));
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> in_dirs,
                        PerEntry(ctx, "scan_input_directions", num_scan_inputs_));
    CC_ASSIGN_OR_RETURN(out_axes_, PerEntry(ctx, "scan_output_axes", num_scan_outputs_));
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> out_dirs,
                        PerEntry(ctx, "scan_output_directions", num_scan_outputs_));
    input_axes_.clear();
    input_reverse_.clear();
    length_ = -1;
    for (int j = 0; j < num_scan_inputs_; ++j) {
      const int i = num_states_ + j;
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      const Tensor& x = ctx.input(i);
      CC_ASSIGN_OR_RETURN(int64_t axis, tensor_blocks::NormalizeAxis(
                                            in_axes[j], x.rank(),
                                            "scan_input_axes[" + std::to_string(j) + "]"));
      if (length_ >= 0 && x.shape()[axis] != length_) {
        return InvalidArgument("scan input " + std::to_string(j) + " has length " +
                               std::to_string(x.shape()[axis]) + " along axis " +
                               std::to_string(axis) + " but scan input 0 has " +
                               std::to_string(length_));
      }
      length_ = x.shape()[axis];
      input_axes_.push_back(axis);
      input_reverse_.push_back(in_dirs[j] != 0);
    }
    out_reverse_.clear();
    for (int64_t d : out_dirs) out_reverse_.push_back(d != 0);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    ScanRun run;
    for (int i = 0; i < num_states_; ++i) run.states.push_back(ctx.input_value(i));
    for (int j = 0; j < num_scan_inputs_; ++j) run.inputs.push_back(&ctx.input(num_states_ + j));
    run.input_axes = input_axes_;
    run.input_reverse = input_reverse_;
    run.length = length_;
    CC_RETURN_IF_ERROR(RunScanBody(ctx, *body_, num_scan_outputs_, run));
    for (int i = 0; i < num_states_; ++i) ctx.SetOutputValue(i, std::move(run.states[i]));
    for (int k = 0; k < num_scan_outputs_; ++k) {
      std::vector<Tensor>& items = run.outputs[k];
      if (out_reverse_[k]) std::reverse(items.begin(), items.end());
      // The output rank is the element rank + 1; a negative axis counts from its back.
      const int64_t out_rank =
          items.empty() ? 1 : items[0].rank() + 1;
      CC_ASSIGN_OR_RETURN(int64_t axis, tensor_blocks::NormalizeAxis(
                                            out_axes_[k], out_rank,
                                            "scan_output_axes[" + std::to_string(k) + "]"));
      ctx.SetOutputTensor(num_states_ + k,
                          scan_outputs::Stack(ctx, items, axis, body_->output(num_states_ + k)));
    }
    return Status::Ok();
  }

 private:
  const onnx::GraphProto* body_ = nullptr;
  int num_scan_inputs_ = 0;
  int num_states_ = 0;
  int num_scan_outputs_ = 0;
  std::vector<int64_t> input_axes_;
  std::vector<bool> input_reverse_;
  std::vector<int64_t> out_axes_;
  std::vector<bool> out_reverse_;
  int64_t length_ = 0;
};

class Scan8 final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    body_ = ctx.attr_graph("body");
    if (!body_) return InvalidArgument("attribute 'body' is required");
    if (!ctx.has_attr("num_scan_inputs")) {
      return InvalidArgument("attribute 'num_scan_inputs' is required");
    }
    num_scan_inputs_ = static_cast<int>(ctx.attr_int("num_scan_inputs", 0));
    const int data_inputs = ctx.num_inputs() - 1;  // Input 0 is sequence_lens.
    if (num_scan_inputs_ < 1 || num_scan_inputs_ > data_inputs) {
      return InvalidArgument("num_scan_inputs is " + std::to_string(num_scan_inputs_) +
                             " but the node has " + std::to_string(data_inputs) +
                             " inputs after sequence_lens");
    }
    num_states_ = data_inputs - num_scan_inputs_;
    num_scan_outputs_ = ctx.num_outputs() - num_states_;
    if (num_scan_outputs_ < 0) {
      return InvalidArgument("node has " + std::to_string(num_states_) + " states but only " +
                             std::to_string(ctx.num_outputs()) + " outputs");
    }
    CC_RETURN_IF_ERROR(CheckBodyArity(*body_, num_states_, num_scan_inputs_, ctx.num_outputs()));
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> dirs, PerEntry(ctx, "directions", num_scan_inputs_));
    reverse_.clear();
    for (int64_t d : dirs) reverse_.push_back(d != 0);

    batch_ = -1;
    max_len_ = -1;
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      const Tensor& x = ctx.input(i);
      const bool is_scan = i - 1 >= num_states_;
      if (x.rank() < (is_scan ? 2 : 1)) {
        return InvalidArgument("input " + std::to_string(i) + " has shape " +
                               ShapeToString(x.shape()) + "; opset 8 Scan needs a batch axis" +
                               (is_scan ? " and a sequence axis" : ""));
      }
      if (batch_ >= 0 && x.shape()[0] != batch_) {
        return InvalidArgument("input " + std::to_string(i) + " has batch size " +
                               std::to_string(x.shape()[0]) + ", expected " +
                               std::to_string(batch_));
      }
      batch_ = x.shape()[0];
      if (is_scan) {
        if (max_len_ >= 0 && x.shape()[1] != max_len_) {
          return InvalidArgument("scan input " + std::to_string(i) + " has sequence length " +
                                 std::to_string(x.shape()[1]) + ", expected " +
                                 std::to_string(max_len_));
        }
        max_len_ = x.shape()[1];
      }
    }
    lengths_.assign(static_cast<size_t>(batch_), max_len_);
    if (ctx.has_input(0)) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
      const Tensor& lens = ctx.input(0);
      if (lens.dtype() != DataType::kInt64 || lens.rank() != 1 || lens.shape()[0] != batch_) {
        return InvalidArgument("sequence_lens must be int64[" + std::to_string(batch_) +
                               "], got " + std::string(DataTypeName(lens.dtype())) +
                               ShapeToString(lens.shape()));
      }
      for (int64_t b = 0; b < batch_; ++b) {
        const int64_t len = lens.Data<int64_t>()[b];
        if (len < 0 || len > max_len_) {
          return InvalidArgument("sequence_lens[" + std::to_string(b) + "] is " +
                                 std::to_string(len) + ", outside [0, " +
                                 std::to_string(max_len_) + "]");
        }
        lengths_[b] = len;
      }
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    std::vector<std::vector<Value>> states(num_states_);
    std::vector<std::vector<Tensor>> scans(num_scan_outputs_);  // Per output, per batch entry.
    for (int64_t b = 0; b < batch_; ++b) {
      ScanRun run;
      std::vector<Tensor> slices;
      slices.reserve(num_scan_inputs_);
      for (int i = 0; i < num_states_; ++i) {
        run.states.push_back(
            Value::FromTensor(tensor_blocks::TakeAlongAxis(ctx.input(1 + i), 0, b)));
      }
      for (int j = 0; j < num_scan_inputs_; ++j) {
        const Tensor entry = tensor_blocks::TakeAlongAxis(ctx.input(1 + num_states_ + j), 0, b);
        slices.push_back(tensor_blocks::SliceAxis(entry, 0, 0, lengths_[b]));
      }
      for (const Tensor& s : slices) run.inputs.push_back(&s);
      run.input_axes.assign(num_scan_inputs_, 0);
      run.input_reverse = reverse_;
      run.length = lengths_[b];
      CC_RETURN_IF_ERROR(RunScanBody(ctx, *body_, num_scan_outputs_, run));
      for (int i = 0; i < num_states_; ++i) {
        if (!run.states[i].is_tensor()) {
          return InvalidArgument("state " + std::to_string(i) + " is a " +
                                 run.states[i].Describe() + ", expected a tensor");
        }
        states[i].push_back(std::move(run.states[i]));
      }
      for (int k = 0; k < num_scan_outputs_; ++k) {
        std::vector<Tensor>& items = run.outputs[k];
        if (items.empty()) {
          // No iterations for this entry: filled with zeros below, once another entry shows the
          // element shape.
          scans[k].push_back(Tensor());
          continue;
        }
        // Pad to max_len_ with zeros, so every batch entry has the same shape.
        while (static_cast<int64_t>(items.size()) < max_len_) {
          items.push_back(Tensor(items[0].dtype(), items[0].shape()));
        }
        scans[k].push_back(scan_outputs::Stack(ctx, items, 0, body_->output(num_states_ + k)));
      }
    }
    for (int k = 0; k < num_scan_outputs_; ++k) {
      const Tensor* shaped = nullptr;
      for (const Tensor& t : scans[k]) {
        if (t.dtype() != DataType::kUndefined) shaped = &t;
      }
      for (Tensor& t : scans[k]) {
        if (t.dtype() != DataType::kUndefined) continue;
        t = shaped ? Tensor(shaped->dtype(), shaped->shape())
                   : scan_outputs::Stack(ctx, {}, 0, body_->output(num_states_ + k));
      }
    }
    for (int i = 0; i < num_states_; ++i) {
      std::vector<const Tensor*> items;
      for (const Value& v : states[i]) items.push_back(&v.tensor());
      if (items.empty()) {
        ctx.SetOutputTensor(i, Tensor(ctx.input(1 + i).dtype(), ctx.input(1 + i).shape()));
        continue;
      }
      std::string problem = tensor_blocks::CheckCompatible(items, -1);
      if (!problem.empty()) return InvalidArgument("final state " + std::to_string(i) + ": " + problem);
      ctx.SetOutputTensor(i, tensor_blocks::StackAxis(items, 0));
    }
    for (int k = 0; k < num_scan_outputs_; ++k) {
      std::vector<const Tensor*> items;
      for (const Tensor& t : scans[k]) items.push_back(&t);
      if (items.empty()) {
        ctx.SetOutputTensor(num_states_ + k,
                            scan_outputs::Stack(ctx, {}, 0, body_->output(num_states_ + k)));
        continue;
      }
      std::string problem = tensor_blocks::CheckCompatible(items, -1);
      if (!problem.empty()) {
        return InvalidArgument("scan output " + std::to_string(k) + " across the batch: " + problem);
      }
      ctx.SetOutputTensor(num_states_ + k, tensor_blocks::StackAxis(items, 0));
    }
    return Status::Ok();
  }

 private:
  const onnx::GraphProto* body_ = nullptr;
  int num_scan_inputs_ = 0;
  int num_states_ = 0;
  int num_scan_outputs_ = 0;
  std::vector<bool> reverse_;
  int64_t batch_ = 0;
  int64_t max_len_ = 0;
  std::vector<int64_t> lengths_;
};

}  // namespace

std::unique_ptr<Kernel> MakeScanBatched() { return std::make_unique<Scan8>(); }
std::unique_ptr<Kernel> MakeScan() { return std::make_unique<Scan9>(); }

}  // namespace convcheck::interp
