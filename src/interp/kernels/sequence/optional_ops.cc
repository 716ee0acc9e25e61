//===- interp/kernels/sequence/optional_ops.cc - Optional, OptionalHasElement, OptionalGetElement
//===//
//
// Opsets 15+. 18 made OptionalHasElement's input optional (omitted: false) and let both ops
// take plain tensors and sequences (a present element).
//
// Optional wraps its input, or makes an empty optional when the input is omitted (the `type`
// attribute is then required: it names the element type of the empty optional, which
// interp::Value does not record). OptionalGetElement fails on an empty optional.
//
// Leniency: OptionalHasElement and OptionalGetElement also accept a plain tensor or sequence and
// treat it as a present element, as opset 18 does. The checker rejects such models at opset
// 15-17, and a value that reached the kernel unwrapped (e.g. from a data-set reader) still has
// its only sensible meaning.
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

class Optional final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(0, 1, 1, 1));
    if (!ctx.has_input(0)) {
      const onnx::AttributeProto* type = ctx.attr("type");
      if (!type || !type->has_tp()) {
        return InvalidArgument("attribute 'type' is required when the input is omitted");
      }
      return Status::Ok();
    }
    if (ctx.input_value(0).is_optional()) {
      return InvalidArgument("input is already an optional (" + ctx.input_value(0).Describe() +
                             "); expected a tensor or a sequence");
    }
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    ctx.SetOutputValue(
        0, ctx.has_input(0) ? Value::OptionalOf(ctx.input_value(0)) : Value::EmptyOptional());
    return Status::Ok();
  }
};

class OptionalHasElement final : public Kernel {
 public:
  explicit OptionalHasElement(bool input_optional) : input_optional_(input_optional) {}
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(input_optional_ ? 0 : 1, 1, 1, 1));
    if (!input_optional_ && !ctx.has_input(0)) return InvalidArgument("input is required");
    ctx.SetOutput(0, DataType::kBool, {});
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    if (!ctx.has_input(0)) return Status::Ok();  // Declared false.
    const Value& v = ctx.input_value(0);
    ctx.output(0).MutableData<bool>()[0] = !v.is_optional() || v.has_element();
    return Status::Ok();
  }

 private:
  const bool input_optional_;
};

class OptionalGetElement final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    const Value& v = ctx.input_value(0);
    if (v.is_optional() && !v.has_element()) {
      return InvalidArgument("input is an empty optional");
    }
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    const Value& v = ctx.input_value(0);
    ctx.SetOutputValue(0, v.is_optional() ? v.element() : v);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeOptional() { return std::make_unique<Optional>(); }
std::unique_ptr<Kernel> MakeOptionalHasElement() {
  return std::make_unique<OptionalHasElement>(/*input_optional=*/false);
}
std::unique_ptr<Kernel> MakeOptionalHasElementOptionalInput() {
  return std::make_unique<OptionalHasElement>(/*input_optional=*/true);
}
std::unique_ptr<Kernel> MakeOptionalGetElement() { return std::make_unique<OptionalGetElement>(); }

}  // namespace convcheck::interp
