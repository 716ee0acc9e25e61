//===- interp/kernels/nn/dropout.cc - Dropout ------------------------------===//
//
// Opsets 7-11: `ratio` attribute, always inference (identity); the mask output is of type T
// in 7-9 and bool from 10. Opsets 12+: `ratio` and `training_mode` are optional inputs and a
// `seed` attribute seeds the generator. In inference (training_mode absent or false) and when
// ratio is 0, output = data and mask is all true. In training, each element is kept with
// probability 1 - ratio and scaled by 1 / (1 - ratio); the random stream is std::mt19937_64
// seeded with `seed` (or a random device), so it cannot reproduce another engine's mask, only
// the distribution the spec asks for.
//
//===----------------------------------------------------------------------===//
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

class Dropout final : public Kernel {
 public:
  explicit Dropout(bool inputs_form) : inputs_form_(inputs_form) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, inputs_form_ ? 3 : 1, 1, 2));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (!IsFloatingPoint(x.dtype())) {
      return InvalidArgument("Dropout does not accept " + std::string(DataTypeName(x.dtype())) +
                             " input");
    }
    ratio_ = 0.5;
    training_ = false;
    if (inputs_form_) {
      if (ctx.has_input(1)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
        const Tensor& r = ctx.input(1);
        if (!IsFloatingPoint(r.dtype()) || r.num_elements() != 1) {
          return InvalidArgument("ratio must be a float scalar, got " +
                                 std::string(DataTypeName(r.dtype())) + ShapeToString(r.shape()));
        }
        ratio_ = r.GetAsDouble(0);
      }
      if (ctx.has_input(2)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
        const Tensor& t = ctx.input(2);
        if (t.dtype() != DataType::kBool || t.num_elements() != 1) {
          return InvalidArgument("training_mode must be a bool scalar, got " +
                                 std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
        }
        training_ = t.Data<bool>()[0];
      }
    } else {
      ratio_ = ctx.attr_float("ratio", 0.5f);
    }
    if (!(ratio_ >= 0 && ratio_ < 1)) {
      return InvalidArgument("ratio " + std::to_string(ratio_) + " is outside [0, 1)");
    }
    has_seed_ = ctx.has_attr("seed");
    seed_ = ctx.attr_int("seed", 0);
    ctx.SetOutput(0, x.dtype(), x.shape());
    if (ctx.has_output(1)) {
      ctx.SetOutput(1, ctx.opset() < 10 ? x.dtype() : DataType::kBool, x.shape());
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    Tensor* mask = ctx.has_output(1) ? &ctx.output(1) : nullptr;
    const int64_t n = x.num_elements();
    if (!training_ || ratio_ == 0) {
      y = x;
      if (mask) {
        for (int64_t i = 0; i < n; ++i) mask->SetFromDouble(i, 1.0);
      }
      return Status::Ok();
    }
    std::mt19937_64 gen(has_seed_ ? static_cast<uint64_t>(seed_) : std::random_device{}());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const double scale = 1.0 / (1.0 - ratio_);
    for (int64_t i = 0; i < n; ++i) {
      const bool keep = uniform(gen) >= ratio_;
      y.SetFromDouble(i, keep ? x.GetAsDouble(i) * scale : 0.0);
      if (mask) mask->SetFromDouble(i, keep ? 1.0 : 0.0);
    }
    return Status::Ok();
  }

 private:
  const bool inputs_form_;
  double ratio_ = 0.5;
  bool training_ = false;
  bool has_seed_ = false;
  int64_t seed_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeDropoutWithRatioAttribute() {
  return std::make_unique<Dropout>(/*inputs_form=*/false);
}
std::unique_ptr<Kernel> MakeDropout() { return std::make_unique<Dropout>(/*inputs_form=*/true); }

}  // namespace convcheck::interp
