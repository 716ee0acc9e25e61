//===- interp/kernels/sequence/sequence_ops.cc - Basic sequence operators ===//
//
// SequenceConstruct, SequenceEmpty, SequenceAt, SequenceInsert, SequenceErase and SequenceLength,
// opset 11+ (none of them changed semantics up to opset 17). Sequences are interp::Value
// sequences of tensors; every element shares the sequence's element type, which an empty
// sequence carries on its own (SequenceEmpty's `dtype`, default float).
//
// Positions are int32 or int64 scalars (a one-element 1-D tensor is accepted too, as the ONNX
// reference does); negative positions count from the back. Out-of-range positions are errors,
// reported from Prepare since the position is an input value available there.
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

std::string TypeName(DataType t) { return std::string(DataTypeName(t)); }

Status RequireSequence(const KernelContext& ctx, int i) {
  if (!ctx.has_input(i)) return InvalidArgument("input " + std::to_string(i) + " is missing");
  if (!ctx.input_value(i).is_sequence()) {
    return InvalidArgument("input " + std::to_string(i) + " is a " +
                           ctx.input_value(i).Describe() + ", expected a sequence");
  }
  return Status::Ok();
}

// Reads the position input `i` (int32/int64, one element).
StatusOr<int64_t> ReadPosition(const KernelContext& ctx, int i) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  const Tensor& t = ctx.input(i);
  if (t.dtype() != DataType::kInt32 && t.dtype() != DataType::kInt64) {
    return InvalidArgument("position must be int32 or int64, got " + TypeName(t.dtype()));
  }
  if (t.num_elements() != 1 || t.rank() > 1) {
    return InvalidArgument("position must be a scalar, got shape " + ShapeToString(t.shape()));
  }
  return t.dtype() == DataType::kInt32 ? int64_t{t.Data<int32_t>()[0]} : t.Data<int64_t>()[0];
}

// Maps `position` in [-size, size + extra) to [0, size + extra), where extra is 1 for insertion
// (which may append) and 0 for access and erasure.
StatusOr<int64_t> NormalizePosition(int64_t position, int64_t size, int64_t extra) {
  if (position < -size || position >= size + extra) {
    return InvalidArgument("position " + std::to_string(position) +
                           " is out of range for a sequence of " + std::to_string(size) +
                           " elements (valid: [" + std::to_string(-size) + ", " +
                           std::to_string(size + extra - 1) + "])");
  }
  return position < 0 ? position + size : position;
}

Status CheckElementType(const Value& seq, const Tensor& t) {
  const DataType elem = seq.sequence_elem_type();
  if (elem != DataType::kUndefined && elem != t.dtype()) {
    return InvalidArgument("tensor of type " + TypeName(t.dtype()) +
                           " does not match the sequence element type " + TypeName(elem));
  }
  return Status::Ok();
}

class SequenceConstruct final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, ctx.num_inputs(), 1, 1));
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      if (ctx.input(i).dtype() != ctx.input(0).dtype()) {
        return InvalidArgument("input " + std::to_string(i) + " is " +
                               TypeName(ctx.input(i).dtype()) + " but input 0 is " +
                               TypeName(ctx.input(0).dtype()) +
                               "; sequence elements must share one type");
      }
    }
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    std::vector<Tensor> items;
    for (int i = 0; i < ctx.num_inputs(); ++i) items.push_back(ctx.input(i));
    const DataType elem = items[0].dtype();
    ctx.SetOutputValue(0, Value::FromSequence(std::move(items), elem));
    return Status::Ok();
  }
};

class SequenceEmpty final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(0, 0, 1, 1));
    const int64_t code = ctx.attr_int("dtype", static_cast<int64_t>(DataType::kFloat32));
    auto dtype = DataTypeFromOnnxCode(static_cast<int32_t>(code));
    if (!dtype || *dtype == DataType::kUndefined) {
      return InvalidArgument("dtype " + std::to_string(code) + " is not a tensor element type");
    }
    // In float64 mode float tensors flow as float64, so the empty sequence must accept them.
    elem_ = ctx.ComputeType(*dtype);
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    ctx.SetOutputValue(0, Value::FromSequence({}, elem_));
    return Status::Ok();
  }

 private:
  DataType elem_ = DataType::kFloat32;
};

class SequenceAt final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(RequireSequence(ctx, 0));
    CC_ASSIGN_OR_RETURN(int64_t position, ReadPosition(ctx, 1));
    const int64_t size = static_cast<int64_t>(ctx.input_value(0).sequence().size());
    CC_ASSIGN_OR_RETURN(index_, NormalizePosition(position, size, /*extra=*/0));
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    ctx.SetOutputTensor(0, ctx.input_value(0).sequence()[index_]);
    return Status::Ok();
  }

 private:
  int64_t index_ = 0;
};

class SequenceInsert final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
    CC_RETURN_IF_ERROR(RequireSequence(ctx, 0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Value& seq = ctx.input_value(0);
    CC_RETURN_IF_ERROR(CheckElementType(seq, ctx.input(1)));
    const int64_t size = static_cast<int64_t>(seq.sequence().size());
    index_ = size;  // Absent position: append.
    if (ctx.has_input(2)) {
      CC_ASSIGN_OR_RETURN(int64_t position, ReadPosition(ctx, 2));
      CC_ASSIGN_OR_RETURN(index_, NormalizePosition(position, size, /*extra=*/1));
    }
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    const Value& seq = ctx.input_value(0);
    std::vector<Tensor> items = seq.sequence();
    items.insert(items.begin() + index_, ctx.input(1));
    ctx.SetOutputValue(0, Value::FromSequence(std::move(items), ctx.input(1).dtype()));
    return Status::Ok();
  }

 private:
  int64_t index_ = 0;
};

class SequenceErase final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 2, 1, 1));
    CC_RETURN_IF_ERROR(RequireSequence(ctx, 0));
    const int64_t size = static_cast<int64_t>(ctx.input_value(0).sequence().size());
    int64_t position = -1;  // Absent position: the last element.
    if (ctx.has_input(1)) {
      CC_ASSIGN_OR_RETURN(position, ReadPosition(ctx, 1));
    }
    CC_ASSIGN_OR_RETURN(index_, NormalizePosition(position, size, /*extra=*/0));
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    const Value& seq = ctx.input_value(0);
    std::vector<Tensor> items = seq.sequence();
    items.erase(items.begin() + index_);
    ctx.SetOutputValue(0, Value::FromSequence(std::move(items), seq.sequence_elem_type()));
    return Status::Ok();
  }

 private:
  int64_t index_ = 0;
};

class SequenceLength final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(RequireSequence(ctx, 0));
    ctx.SetOutput(0, DataType::kInt64, {});
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    ctx.output(0).MutableData<int64_t>()[0] =
        static_cast<int64_t>(ctx.input_value(0).sequence().size());
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeSequenceConstruct() { return std::make_unique<SequenceConstruct>(); }
std::unique_ptr<Kernel> MakeSequenceEmpty() { return std::make_unique<SequenceEmpty>(); }
std::unique_ptr<Kernel> MakeSequenceAt() { return std::make_unique<SequenceAt>(); }
std::unique_ptr<Kernel> MakeSequenceInsert() { return std::make_unique<SequenceInsert>(); }
std::unique_ptr<Kernel> MakeSequenceErase() { return std::make_unique<SequenceErase>(); }
std::unique_ptr<Kernel> MakeSequenceLength() { return std::make_unique<SequenceLength>(); }

}  // namespace convcheck::interp
