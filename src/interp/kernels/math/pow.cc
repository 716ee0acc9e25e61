//===- interp/kernels/math/pow.cc - Pow -----------------------------------===//
//
// Z = X ^ Y with multidirectional broadcasting; Z has X's type.
// Opsets 7-11: X and Y share one floating type. Opset 12: X may be int32/int64 and Y any
// numeric type, independently. Opsets 13 and 15 add bfloat16 to X and then to Y.
//
// Numerics: a floating base or exponent computes pow in double and rounds once to X's type
// (truncation toward zero for an integer X, as numpy's astype does after a float power). An
// integer base with an integer exponent is exact, wrapping on overflow like numpy; a negative
// exponent gives the truncated real result (1, -1 or 0; 0 ^ negative is 0, where numpy raises).
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

using math::kIsInt;
using math::kIsNumeric;
using math::LoadWide;
using math::StoreWide;

template <typename T>
constexpr bool kBaseType = kIsFloat<T> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;

// Exact integer power by squaring, in the unsigned type so overflow wraps instead of being UB.
template <typename B, typename E>
B IntegerPow(B base, E exponent) {
  if constexpr (std::is_signed_v<E>) {
    if (exponent < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exponent % 2 == 0) ? B(1) : B(-1);
      return 0;
    }
  }
  using U = std::make_unsigned_t<B>;
  U result = 1;
  U factor = static_cast<U>(base);
  uint64_t e = static_cast<uint64_t>(exponent);
  while (e != 0) {
    if (e & 1u) result = static_cast<U>(result * factor);
    factor = static_cast<U>(factor * factor);
    e >>= 1;
  }
  return static_cast<B>(result);
}

// A double converted to integer type B, truncating; NaN gives 0 and out-of-range values clamp.
template <typename B>
B TruncateToInt(double v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<double>(std::numeric_limits<B>::min())) return std::numeric_limits<B>::min();
  if (v >= static_cast<double>(std::numeric_limits<B>::max())) return std::numeric_limits<B>::max();
  return static_cast<B>(v);
}

class Pow final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    bool base_ok = false;
    bool exponent_ok = false;
    Status st = Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename T>() {
      base_ok = kBaseType<T>;
      return Status::Ok();
    });
    if (!st.ok() || !base_ok) return math::RejectType("Pow", x.dtype(), "base");
    st = Dispatch<CC_ALL_TYPES>(y.dtype(), [&]<typename T>() {
      exponent_ok = kIsNumeric<T>;
      return Status::Ok();
    });
    if (!st.ok() || !exponent_ok) return math::RejectType("Pow", y.dtype(), "exponent");
    // Before opset 12 both inputs had the same floating type.
    if (ctx.opset() < 12 && (x.dtype() != y.dtype() || !IsFloatingPoint(x.dtype()))) {
      return InvalidArgument("Pow before opset 12 needs one floating type for base and "
                             "exponent, got " + std::string(DataTypeName(x.dtype())) + " and " +
                             std::string(DataTypeName(y.dtype())) + " at opset " +
                             std::to_string(ctx.opset()));
    }
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes({x.shape(), y.shape()}));
    ctx.SetOutput(0, x.dtype(), shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    Tensor& z = ctx.output(0);
    return Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename B>() {
      if constexpr (kBaseType<B>) {
        return Dispatch<CC_ALL_TYPES>(y.dtype(), [&]<typename E>() {
          if constexpr (kIsNumeric<E>) Run<B, E>(x, y, z);
          return Status::Ok();
        });
      }
      return Status::Ok();
    });
  }

 private:
  template <typename B, typename E>
  static B PowOne(B base, E exponent) {
    if constexpr (kIsInt<B> && kIsInt<E>) {
      return IntegerPow(base, exponent);
    } else {
      const double r = std::pow(static_cast<double>(LoadWide(base)),
                                static_cast<double>(LoadWide(exponent)));
      if constexpr (kIsInt<B>) {
        return TruncateToInt<B>(r);
      } else {
        return StoreWide<B>(r);
      }
    }
  }

  template <typename B, typename E>
  static void Run(const Tensor& x, const Tensor& y, Tensor& z) {
    const B* px = x.Data<B>();
    const E* py = y.Data<E>();
    B* out = z.MutableData<B>();
    const int64_t n = z.num_elements();
    if (x.shape() == y.shape()) {
      for (int64_t i = 0; i < n; ++i) out[i] = PowOne(px[i], py[i]);
    } else {
      BroadcastIndex index(z.shape(), {x.shape(), y.shape()});
      for (int64_t i = 0; i < n; ++i, index.Next()) out[i] = PowOne(px[index[0]], py[index[1]]);
    }
  }
};

}  // namespace

std::unique_ptr<Kernel> MakePow() { return std::make_unique<Pow>(); }

}  // namespace convcheck::interp
