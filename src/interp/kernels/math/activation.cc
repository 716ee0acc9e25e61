//===- interp/kernels/math/activation.cc - Elementwise activations --------===//
//
// Relu (6-13 float, 14+ also signed integers), LeakyRelu Elu Selu HardSigmoid Sigmoid (6+),
// Softplus Softsign (1+), Shrink (9+), ThresholdedRelu (10+), Celu (12+), HardSwish (14+), and
// PRelu (7+: slope broadcasts unidirectionally to X; 9+ adds integer types), Mish (18+),
// Gelu (20+: approximate "none" is 0.5 x (1 + erf(x / sqrt 2)), "tanh" is
// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))) and Swish (24+: x * sigmoid(alpha x)).
// Later versions (22 for most) only add bfloat16, so one line per op covers opsets up to
// kMaxOpset.
//
// Numerics: computed in double, rounded once to the element type. Float attributes (alpha,
// gamma, ...) are float32 in the model and are used at that value. Sigmoid and Softplus use
// forms that cannot overflow: exp() only ever sees a non-positive argument. NaN propagates.
// Shrink on integer inputs computes in double and converts back (truncation).
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

using math::kIsNumeric;
using math::kIsSignedNumeric;
using math::NoParams;
using math::UnaryKernel;

struct ReluOp : NoParams {
  static constexpr const char* kName = "Relu";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsSignedNumeric<T>;
  }
  Status Init(const KernelContext& ctx) {
    // Integer inputs arrived with opset 14.
    if (ctx.opset() < 14 && !IsFloatingPoint(ctx.input(0).dtype())) {
      return InvalidArgument("Relu accepts " + std::string(DataTypeName(ctx.input(0).dtype())) +
                             " input only from opset 14, the model has opset " +
                             std::to_string(ctx.opset()));
    }
    return Status::Ok();
  }
  template <typename W>
  W operator()(W x) const {
    return x < W(0) ? W(0) : x;
  }
};

struct LeakyReluOp : NoParams {
  static constexpr const char* kName = "LeakyRelu";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    alpha = ctx.attr_float("alpha", 0.01f);
    return Status::Ok();
  }
  double operator()(double x) const { return x < 0 ? alpha * x : x; }
  double alpha = 0.01f;
};

struct EluOp : NoParams {
  static constexpr const char* kName = "Elu";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    alpha = ctx.attr_float("alpha", 1.0f);
    return Status::Ok();
  }
  double operator()(double x) const { return x < 0 ? alpha * std::expm1(x) : x; }
  double alpha = 1.0;
};

struct SeluOp : NoParams {
  static constexpr const char* kName = "Selu";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    // The defaults are the float32 values the schema stores.
    alpha = ctx.attr_float("alpha", 1.67326319217681884765625f);
    gamma = ctx.attr_float("gamma", 1.05070102214813232421875f);
    return Status::Ok();
  }
  double operator()(double x) const {
    return x > 0 ? gamma * x : gamma * (alpha * std::exp(x) - alpha);
  }
  double alpha = 0, gamma = 0;
};

struct CeluOp : NoParams {
  static constexpr const char* kName = "Celu";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    alpha = ctx.attr_float("alpha", 1.0f);
    if (alpha == 0) return InvalidArgument("Celu alpha must not be 0");
    return Status::Ok();
  }
  double operator()(double x) const {
    return std::max(0.0, x) + std::min(0.0, alpha * std::expm1(x / alpha));
  }
  double alpha = 1.0;
};

struct SigmoidOp : NoParams {
  static constexpr const char* kName = "Sigmoid";
  // float32 takes the fast path (fast/elementwise.h), which uses this operator() as its
  // reference for the elements it cannot vouch for.
  static constexpr fast::FloatFunction kFastFunction = fast::FloatFunction::kSigmoid;
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  double operator()(double x) const {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
  }
};

struct HardSigmoidOp : NoParams {
  static constexpr const char* kName = "HardSigmoid";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    alpha = ctx.attr_float("alpha", 0.2f);
    beta = ctx.attr_float("beta", 0.5f);
    return Status::Ok();
  }
  double operator()(double x) const {
    const double y = alpha * x + beta;
    if (std::isnan(y)) return y;
    return std::clamp(y, 0.0, 1.0);
  }
  double alpha = 0, beta = 0;
};

struct HardSwishOp : NoParams {
  static constexpr const char* kName = "HardSwish";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  // The spec's HardSigmoid with alpha = 1/6, beta = 0.5, times x.
  // No NaN branch: std::clamp passes NaN through and x * NaN is NaN, and without the branch
  // the loop vectorises (HardSwish was a tenth of mobilenet_v3_small's time).
  double operator()(double x) const { return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0); }
};

struct SoftplusOp : NoParams {
  static constexpr const char* kName = "Softplus";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|).
  double operator()(double x) const {
    if (std::isnan(x)) return x;
    return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
  }
};

struct SoftsignOp : NoParams {
  static constexpr const char* kName = "Softsign";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  double operator()(double x) const { return x / (1.0 + std::fabs(x)); }
};

struct ThresholdedReluOp : NoParams {
  static constexpr const char* kName = "ThresholdedRelu";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    alpha = ctx.attr_float("alpha", 1.0f);
    return Status::Ok();
  }
  double operator()(double x) const { return x > alpha ? x : (std::isnan(x) ? x : 0.0); }
  double alpha = 1.0;
};

struct ShrinkOp : NoParams {
  static constexpr const char* kName = "Shrink";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsNumeric<T>;
  }
  Status Init(const KernelContext& ctx) {
    bias = ctx.attr_float("bias", 0.0f);
    lambd = ctx.attr_float("lambd", 0.5f);
    return Status::Ok();
  }
  template <typename W>
  W operator()(W x) const {
    const double v = static_cast<double>(x);
    if (v < -lambd) return static_cast<W>(v + bias);
    if (v > lambd) return static_cast<W>(v - bias);
    return std::isnan(v) ? x : W(0);
  }
  double bias = 0, lambd = 0.5;
};

double StableSigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

struct MishOp : NoParams {
  static constexpr const char* kName = "Mish";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  double operator()(double x) const {
    if (std::isnan(x)) return x;
    return x * std::tanh(std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))));
  }
};

struct GeluOp : NoParams {
  static constexpr const char* kName = "Gelu";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    const std::string approximate = ctx.attr_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh") {
      return InvalidArgument("Gelu approximate is '" + approximate + "', expected none or tanh");
    }
    use_tanh = approximate == "tanh";
    return Status::Ok();
  }
  double operator()(double x) const {
    if (use_tanh) {
      const double k = std::sqrt(2.0 / M_PI);
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    }
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  }
  bool use_tanh = false;
};

struct SwishOp : NoParams {
  static constexpr const char* kName = "Swish";
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T>;
  }
  Status Init(const KernelContext& ctx) {
    alpha = ctx.attr_float("alpha", 1.0f);
    return Status::Ok();
  }
  double operator()(double x) const { return x * StableSigmoid(alpha * x); }
  double alpha = 1.0;
};

// PRelu: y = x < 0 ? slope * x : x, where slope broadcasts to X's shape (never the reverse).
class PRelu final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    CC_RETURN_IF_ERROR(ExpectSameType("PRelu", x, slope));
    bool accepted = false;
    Status st = Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename T>() {
      accepted = Accepts<T>();
      return Status::Ok();
    });
    if (!st.ok() || !accepted) return math::RejectType("PRelu", x.dtype(), "inputs");
    if (ctx.opset() < 9 && !IsFloatingPoint(x.dtype())) {
      return InvalidArgument("PRelu accepts " + std::string(DataTypeName(x.dtype())) +
                             " inputs only from opset 9, the model has opset " +
                             std::to_string(ctx.opset()));
    }
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes({x.shape(), slope.shape()}));
    if (shape != x.shape()) {
      return InvalidArgument("slope shape " + ShapeToString(slope.shape()) +
                             " does not broadcast to input shape " + ShapeToString(x.shape()));
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    Tensor& y = ctx.output(0);
    return Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename T>() {
      if constexpr (Accepts<T>()) {
        // slope broadcasts to x (unidirectionally), and y has x's shape.
        BroadcastBinaryLoop<T, T>(x, slope, y, [](T v, T s) -> T {
          const auto wv = math::LoadWide(v);
          if (!(wv < 0)) return v;
          return math::StoreWide<T>(static_cast<math::WideT<T>>(math::LoadWide(s) * wv));
        });
      }
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  static constexpr bool Accepts() {
    return kIsFloat<T> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
           std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>;
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeCelu() { return std::make_unique<UnaryKernel<CeluOp>>(); }
std::unique_ptr<Kernel> MakeElu() { return std::make_unique<UnaryKernel<EluOp>>(); }
std::unique_ptr<Kernel> MakeGelu() { return std::make_unique<UnaryKernel<GeluOp>>(); }
std::unique_ptr<Kernel> MakeMish() { return std::make_unique<UnaryKernel<MishOp>>(); }
std::unique_ptr<Kernel> MakeSwish() { return std::make_unique<UnaryKernel<SwishOp>>(); }
std::unique_ptr<Kernel> MakeHardSigmoid() { return std::make_unique<UnaryKernel<HardSigmoidOp>>(); }
std::unique_ptr<Kernel> MakeHardSwish() { return std::make_unique<UnaryKernel<HardSwishOp>>(); }
std::unique_ptr<Kernel> MakeLeakyRelu() { return std::make_unique<UnaryKernel<LeakyReluOp>>(); }
std::unique_ptr<Kernel> MakePRelu() { return std::make_unique<PRelu>(); }
std::unique_ptr<Kernel> MakeRelu() { return std::make_unique<UnaryKernel<ReluOp>>(); }
std::unique_ptr<Kernel> MakeSelu() { return std::make_unique<UnaryKernel<SeluOp>>(); }
std::unique_ptr<Kernel> MakeShrink() { return std::make_unique<UnaryKernel<ShrinkOp>>(); }
std::unique_ptr<Kernel> MakeSigmoid() { return std::make_unique<UnaryKernel<SigmoidOp>>(); }
std::unique_ptr<Kernel> MakeSoftplus() { return std::make_unique<UnaryKernel<SoftplusOp>>(); }
std::unique_ptr<Kernel> MakeSoftsign() { return std::make_unique<UnaryKernel<SoftsignOp>>(); }
std::unique_ptr<Kernel> MakeThresholdedRelu() {
  return std::make_unique<UnaryKernel<ThresholdedReluOp>>();
}

}  // namespace convcheck::interp
