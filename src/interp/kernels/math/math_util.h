//===- interp/kernels/math/math_util.h - Executors shared by the math family -===//
//
// The common UnaryElementwise/BinaryElementwise executors take stateless functors computed in
// ComputeT<T>. Many math ops need more: attributes (LeakyRelu's alpha, Mod's fmod), a bool
// output (IsNaN), or checks that depend on the opset. UnaryKernel<Op> and BinaryKernel<Op> here
// let the functor carry state, set by Op::Init in Prepare.
//
// Numerics: every floating type is computed in double (WideT) and rounded once on store, so
// float16/bfloat16/float32 results are as close to correctly rounded as libm's double allows.
// Integers are computed in their own type.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_MATH_MATH_UTIL_H_
#define CONVCHECK_INTERP_KERNELS_MATH_MATH_UTIL_H_

#include <string>
#include <type_traits>

#include "interp/kernel.h"
#include "interp/kernels/common/elementwise.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/fast/elementwise.h"
#include "interp/kernels/fast/sgemm.h"
#include "interp/kernels/fast/wide.h"

namespace convcheck::interp::math {

/// The type math on T is done in: double for every floating type, T itself otherwise.
template <typename T>
using WideT = std::conditional_t<kIsFloat<T>, double, T>;

template <typename T>
inline WideT<T> LoadWide(T v) {
  if constexpr (kIsFloat<T>) {
    return static_cast<double>(Load(v));
  } else {
    return v;
  }
}

/// Rounds once from the wide type (double to half directly, not through float).
template <typename T>
inline T StoreWide(WideT<T> v) {
  if constexpr (std::is_same_v<T, Float16>) {
    return Float16{DoubleToHalfBits(v)};
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    return BFloat16{DoubleToBFloat16Bits(v)};
  } else {
    return static_cast<T>(v);
  }
}

template <typename T>
inline constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <typename T>
inline constexpr bool kIsNumeric = kIsFloat<T> || kIsInt<T>;
template <typename T>
inline constexpr bool kIsSignedNumeric = kIsFloat<T> || (kIsInt<T> && std::is_signed_v<T>);

/// Base of functors without attributes and with an output of the input's type.
struct NoParams {
  static constexpr bool kBoolOutput = false;
  Status Init(const KernelContext&) { return Status::Ok(); }
};

/// "Relu does not accept int8 input"-style rejection used by Prepare and Op::Init.
inline Status RejectType(const char* op, DataType dtype, const char* what = "input") {
  return InvalidArgument(std::string(op) + " does not accept " +
                         std::string(DataTypeName(dtype)) + " " + what);
}

/// y = op(x) elementwise. Op provides kName, constexpr Accepts<T>(), kBoolOutput, Init(ctx) and
/// `template <typename W> auto operator()(W x) const` on the wide type.
template <typename Op>
class UnaryKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    bool accepted = false;
    Status st = Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename T>() {
      accepted = Op::template Accepts<T>();
      return Status::Ok();
    });
    if (!st.ok() || !accepted) return RejectType(Op::kName, x.dtype());
    CC_RETURN_IF_ERROR(op_.Init(ctx));
    ctx.SetOutput(0, Op::kBoolOutput ? DataType::kBool : x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    return Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename T>() {
      if constexpr (Op::template Accepts<T>()) {
        using Out = std::conditional_t<Op::kBoolOutput, bool, T>;
        const T* in = x.Data<T>();
        Out* out = y.MutableData<Out>();
        const int64_t n = x.num_elements();
        auto loop = [&]() CC_WIDE_INLINE {
          for (int64_t i = 0; i < n; ++i) {
            if constexpr (Op::kBoolOutput) {
              out[i] = op_(LoadWide(in[i]));
            } else {
              out[i] = StoreWide<T>(static_cast<WideT<T>>(op_(LoadWide(in[i]))));
            }
          }
        };
        if constexpr (std::is_same_v<T, float> && requires { Op::kFastFunction; }) {
          // The fast path of an exp-based function (fast/elementwise.h): the same results.
          if (ctx.fast_kernels() && fast::Available()) {
            fast::UnaryFunction(
                Op::kFastFunction, in, out, n,
                [](double v) { return static_cast<double>(Op{}(v)); }, ctx.parallel());
            return Status::Ok();
          }
        }
        // The fast path: this same loop built for wider vectors (fast/wide.h).
        if (ctx.fast_kernels()) {
          fast::RunWide(loop);
        } else {
          loop();
        }
      }
      return Status::Ok();
    });
  }

 private:
  Op op_;
};

/// z = op(a, b) with multidirectional broadcasting; a and b have one type. Op as for UnaryKernel
/// with a two-argument operator().
template <typename Op>
class BinaryKernel final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    CC_RETURN_IF_ERROR(ExpectSameType(Op::kName, a, b));
    bool accepted = false;
    Status st = Dispatch<CC_ALL_TYPES>(a.dtype(), [&]<typename T>() {
      accepted = Op::template Accepts<T>();
      return Status::Ok();
    });
    if (!st.ok() || !accepted) return RejectType(Op::kName, a.dtype(), "inputs");
    CC_RETURN_IF_ERROR(op_.Init(ctx));
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes({a.shape(), b.shape()}));
    ctx.SetOutput(0, Op::kBoolOutput ? DataType::kBool : a.dtype(), shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    return Dispatch<CC_ALL_TYPES>(a.dtype(), [&]<typename T>() {
      if constexpr (Op::template Accepts<T>()) {
        using Out = std::conditional_t<Op::kBoolOutput, bool, T>;
        BroadcastBinaryLoop<T, Out>(a, b, y, [this](T u, T v) -> Out {
          if constexpr (Op::kBoolOutput) {
            return op_(LoadWide(u), LoadWide(v));
          } else {
            return StoreWide<T>(static_cast<WideT<T>>(op_(LoadWide(u), LoadWide(v))));
          }
        });
      }
      return Status::Ok();
    });
  }

 private:
  Op op_;
};

}  // namespace convcheck::interp::math

#endif  // CONVCHECK_INTERP_KERNELS_MATH_MATH_UTIL_H_
