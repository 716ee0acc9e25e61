//===- interp/kernels/math/where.cc - Where --------------------------------===//
//
// output = condition ? X : Y, with multidirectional broadcasting across all three inputs.
// Opsets 9+ (16 adds bfloat16). X and Y may have any type, strings and complex included; the
// kernel copies elements without interpreting them, so it is exact for every type.
//
//===----------------------------------------------------------------------===//
#include <cstring>
#include <string>

#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

class Where final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    for (int i = 0; i < 3; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& cond = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    if (cond.dtype() != DataType::kBool) {
      return InvalidArgument("Where condition must be bool, got " +
                             std::string(DataTypeName(cond.dtype())));
    }
    if (x.dtype() != y.dtype()) {
      return InvalidArgument("Where X and Y have different types: " +
                             std::string(DataTypeName(x.dtype())) + " and " +
                             std::string(DataTypeName(y.dtype())));
    }
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes({cond.shape(), x.shape(), y.shape()}));
    ctx.SetOutput(0, x.dtype(), shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& cond = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    Tensor& out = ctx.output(0);
    const bool* pc = cond.Data<bool>();
    BroadcastIndex index(out.shape(), {cond.shape(), x.shape(), y.shape()});
    const int64_t n = out.num_elements();
    if (out.dtype() == DataType::kString) {
      const auto& sx = x.strings();
      const auto& sy = y.strings();
      auto& so = out.mutable_strings();
      for (int64_t i = 0; i < n; ++i, index.Next()) {
        so[i] = pc[index[0]] ? sx[index[1]] : sy[index[2]];
      }
      return Status::Ok();
    }
    const int64_t size = DataTypeSize(out.dtype());
    const auto* px = static_cast<const uint8_t*>(x.raw_data());
    const auto* py = static_cast<const uint8_t*>(y.raw_data());
    auto* po = static_cast<uint8_t*>(out.mutable_raw_data());
    for (int64_t i = 0; i < n; ++i, index.Next()) {
      const uint8_t* src = pc[index[0]] ? px + index[1] * size : py + index[2] * size;
      std::memcpy(po + i * size, src, static_cast<size_t>(size));
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeWhere() { return std::make_unique<Where>(); }

}  // namespace convcheck::interp
