//===- interp/kernels/math/unary_math.cc - Elementwise math functions -----===//
//
// Abs Ceil Exp Floor Log Neg Reciprocal Sqrt Tanh (opsets 6+), Acos Asin Atan Cos Sin Tan (7+),
// Acosh Asinh Atanh Cosh Sinh Erf IsNaN Sign (9+), IsInf (10+), Round (11+) and Not (1+).
// Opset 13 only added bfloat16 to some of these, so one line per op serves every opset; the
// dtypes accepted are the union over versions.
//
// Numerics: floating types are computed in double and rounded once. Round is half to even,
// written out rather than left to the FPU rounding mode. Sign(NaN) is NaN and Sign(-0) is -0
// (numpy). Integer Abs/Neg wrap at the type minimum, as two's complement (numpy). Erf on integer
// inputs computes in double and truncates toward zero.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <type_traits>

#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

using math::kIsNumeric;
using math::kIsSignedNumeric;
using math::NoParams;
using math::UnaryKernel;

// An op defined on floating types only, by one double expression of `x`.
#define CC_FLOAT_UNARY(OpName, expr)             \
  struct OpName##Op : NoParams {                  \
    static constexpr const char* kName = #OpName; \
    template <typename T>                         \
    static constexpr bool Accepts() {             \
      return kIsFloat<T>;                         \
    }                                             \
    double operator()(double x) const {           \
      return expr;                                \
    }                                             \
  };

CC_FLOAT_UNARY(Acos, std::acos(x))
CC_FLOAT_UNARY(Acosh, std::acosh(x))
CC_FLOAT_UNARY(Asin, std::asin(x))
CC_FLOAT_UNARY(Asinh, std::asinh(x))
CC_FLOAT_UNARY(Atan, std::atan(x))
CC_FLOAT_UNARY(Atanh, std::atanh(x))
CC_FLOAT_UNARY(Ceil, std::ceil(x))
CC_FLOAT_UNARY(Cos, std::cos(x))
CC_FLOAT_UNARY(Cosh, std::cosh(x))
CC_FLOAT_UNARY(Exp, std::exp(x))
CC_FLOAT_UNARY(Floor, std::floor(x))
CC_FLOAT_UNARY(Log, std::log(x))
CC_FLOAT_UNARY(Reciprocal, 1.0 / x)
CC_FLOAT_UNARY(Sin, std::sin(x))
CC_FLOAT_UNARY(Sinh, std::sinh(x))
CC_FLOAT_UNARY(Sqrt, std::sqrt(x))
CC_FLOAT_UNARY(Tan, std::tan(x))
CC_FLOAT_UNARY(Tanh, std::tanh(x))

#undef CC_FLOAT_UNARY

struct AbsOp : NoParams {
  static constexpr const char* kName = "Abs";
  template <typename T>
  static constexpr bool Accepts() { return kIsNumeric<T>; }
  template <typename W>
  W operator()(W x) const {
    if constexpr (std::is_floating_point_v<W>) {
      return std::fabs(x);
    } else if constexpr (std::is_signed_v<W>) {
      // Through the unsigned type so that the minimum wraps to itself instead of overflowing.
      using U = std::make_unsigned_t<W>;
      return x < 0 ? static_cast<W>(U(0) - static_cast<U>(x)) : x;
    } else {
      return x;
    }
  }
};

struct NegOp : NoParams {
  static constexpr const char* kName = "Neg";
  template <typename T>
  static constexpr bool Accepts() { return kIsSignedNumeric<T>; }
  template <typename W>
  W operator()(W x) const {
    if constexpr (std::is_floating_point_v<W>) {
      return -x;
    } else {
      using U = std::make_unsigned_t<W>;
      return static_cast<W>(U(0) - static_cast<U>(x));
    }
  }
};

struct SignOp : NoParams {
  static constexpr const char* kName = "Sign";
  template <typename T>
  static constexpr bool Accepts() { return kIsNumeric<T>; }
  template <typename W>
  W operator()(W x) const {
    if (x > W(0)) return W(1);
    if constexpr (std::is_signed_v<W>) {
      if (x < W(0)) return W(-1);
    }
    return x;  // 0, -0 or NaN.
  }
};

struct ErfOp : NoParams {
  static constexpr const char* kName = "Erf";
  template <typename T>
  static constexpr bool Accepts() { return kIsNumeric<T>; }
  template <typename W>
  W operator()(W x) const {
    return static_cast<W>(std::erf(static_cast<double>(x)));
  }
};

struct RoundOp : NoParams {
  static constexpr const char* kName = "Round";
  template <typename T>
  static constexpr bool Accepts() { return kIsFloat<T>; }
  double operator()(double x) const {
    const double lower = std::floor(x);  // Inf and NaN pass through floor unchanged.
    const double fraction = x - lower;
    if (fraction > 0.5) return lower + 1.0;
    if (fraction < 0.5) return lower;
    return std::fmod(lower, 2.0) == 0.0 ? lower : lower + 1.0;  // A tie goes to the even one.
  }
};

struct IsNaNOp : NoParams {
  static constexpr const char* kName = "IsNaN";
  static constexpr bool kBoolOutput = true;
  template <typename T>
  static constexpr bool Accepts() { return kIsFloat<T>; }
  bool operator()(double x) const { return std::isnan(x); }
};

struct IsInfOp {
  static constexpr const char* kName = "IsInf";
  static constexpr bool kBoolOutput = true;
  template <typename T>
  static constexpr bool Accepts() { return kIsFloat<T>; }
  Status Init(const KernelContext& ctx) {
    detect_negative = ctx.attr_int("detect_negative", 1) != 0;
    detect_positive = ctx.attr_int("detect_positive", 1) != 0;
    return Status::Ok();
  }
  bool operator()(double x) const {
    return std::isinf(x) && (x > 0 ? detect_positive : detect_negative);
  }
  bool detect_negative = true;
  bool detect_positive = true;
};

struct NotOp : NoParams {
  static constexpr const char* kName = "Not";
  template <typename T>
  static constexpr bool Accepts() { return std::is_same_v<T, bool>; }
  bool operator()(bool x) const { return !x; }
};

}  // namespace

std::unique_ptr<Kernel> MakeAbs() { return std::make_unique<UnaryKernel<AbsOp>>(); }
std::unique_ptr<Kernel> MakeAcos() { return std::make_unique<UnaryKernel<AcosOp>>(); }
std::unique_ptr<Kernel> MakeAcosh() { return std::make_unique<UnaryKernel<AcoshOp>>(); }
std::unique_ptr<Kernel> MakeAsin() { return std::make_unique<UnaryKernel<AsinOp>>(); }
std::unique_ptr<Kernel> MakeAsinh() { return std::make_unique<UnaryKernel<AsinhOp>>(); }
std::unique_ptr<Kernel> MakeAtan() { return std::make_unique<UnaryKernel<AtanOp>>(); }
std::unique_ptr<Kernel> MakeAtanh() { return std::make_unique<UnaryKernel<AtanhOp>>(); }
std::unique_ptr<Kernel> MakeCeil() { return std::make_unique<UnaryKernel<CeilOp>>(); }
std::unique_ptr<Kernel> MakeCos() { return std::make_unique<UnaryKernel<CosOp>>(); }
std::unique_ptr<Kernel> MakeCosh() { return std::make_unique<UnaryKernel<CoshOp>>(); }
std::unique_ptr<Kernel> MakeErf() { return std::make_unique<UnaryKernel<ErfOp>>(); }
std::unique_ptr<Kernel> MakeExp() { return std::make_unique<UnaryKernel<ExpOp>>(); }
std::unique_ptr<Kernel> MakeFloor() { return std::make_unique<UnaryKernel<FloorOp>>(); }
std::unique_ptr<Kernel> MakeIsInf() { return std::make_unique<UnaryKernel<IsInfOp>>(); }
std::unique_ptr<Kernel> MakeIsNaN() { return std::make_unique<UnaryKernel<IsNaNOp>>(); }
std::unique_ptr<Kernel> MakeLog() { return std::make_unique<UnaryKernel<LogOp>>(); }
std::unique_ptr<Kernel> MakeNeg() { return std::make_unique<UnaryKernel<NegOp>>(); }
std::unique_ptr<Kernel> MakeNot() { return std::make_unique<UnaryKernel<NotOp>>(); }
std::unique_ptr<Kernel> MakeReciprocal() { return std::make_unique<UnaryKernel<ReciprocalOp>>(); }
std::unique_ptr<Kernel> MakeRound() { return std::make_unique<UnaryKernel<RoundOp>>(); }
std::unique_ptr<Kernel> MakeSign() { return std::make_unique<UnaryKernel<SignOp>>(); }
std::unique_ptr<Kernel> MakeSin() { return std::make_unique<UnaryKernel<SinOp>>(); }
std::unique_ptr<Kernel> MakeSinh() { return std::make_unique<UnaryKernel<SinhOp>>(); }
std::unique_ptr<Kernel> MakeSqrt() { return std::make_unique<UnaryKernel<SqrtOp>>(); }
std::unique_ptr<Kernel> MakeTan() { return std::make_unique<UnaryKernel<TanOp>>(); }
std::unique_ptr<Kernel> MakeTanh() { return std::make_unique<UnaryKernel<TanhOp>>(); }

}  // namespace convcheck::interp
