//===- interp/kernels/math/binary_math.cc - Add Sub Mul Div Mod BitShift --===//
//
// Add Sub Mul Div: opsets 7+ (multidirectional broadcasting; opsets 1-6 with `broadcast`/`axis`
// attributes are not supported). Mod: opsets 10+ (13 adds bfloat16). BitShift: opsets 11+.
// BitwiseAnd/Or/Xor and BitwiseNot: opsets 18+, integer types, bit by bit in the type.
//
// Numerics: Add..Div compute in the element type (float for float16/bfloat16, rounded once on
// store); integer Div truncates toward zero, and integer division by zero gives 0 (the spec
// leaves it undefined). Mod with fmod=0 takes the sign of the divisor (Python's %), with fmod=1
// the sign of the dividend (C fmod); floating inputs require fmod=1, as the spec says. Integer
// Mod by zero gives 0 (numpy), and x % -1 is 0 even for the type minimum. BitShift by the
// bit width or more gives 0 (numpy), where C++ would be undefined.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <string>
#include <type_traits>

#include "interp/kernels/common/elementwise.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

template <typename T>
constexpr bool kArithmetic = !std::is_same_v<T, bool>;

struct AddOp {
  static constexpr const char* kName = "Add";
  template <typename T>
  static constexpr bool Accepts() {
    return kArithmetic<T>;
  }
  template <typename C>
  static C Apply(C a, C b) {
    return static_cast<C>(a + b);
  }
};

struct SubOp {
  static constexpr const char* kName = "Sub";
  template <typename T>
  static constexpr bool Accepts() {
    return kArithmetic<T>;
  }
  template <typename C>
  static C Apply(C a, C b) {
    return static_cast<C>(a - b);
  }
};

struct MulOp {
  static constexpr const char* kName = "Mul";
  template <typename T>
  static constexpr bool Accepts() {
    return kArithmetic<T>;
  }
  template <typename C>
  static C Apply(C a, C b) {
    return static_cast<C>(a * b);
  }
};

struct DivOp {
  static constexpr const char* kName = "Div";
  template <typename T>
  static constexpr bool Accepts() {
    return kArithmetic<T>;
  }
  template <typename C>
  static C Apply(C a, C b) {
    if constexpr (std::is_integral_v<C>) {
      // The spec leaves integer division by zero undefined; 0 keeps the kernel defined.
      return b == 0 ? C(0) : static_cast<C>(a / b);
    } else {
      return a / b;
    }
  }
};

struct ModOp : math::NoParams {
  static constexpr const char* kName = "Mod";
  template <typename T>
  static constexpr bool Accepts() {
    return math::kIsNumeric<T>;
  }
  Status Init(const KernelContext& ctx) {
    const int64_t fmod = ctx.attr_int("fmod", 0);
    if (fmod != 0 && fmod != 1) {
      return InvalidArgument("Mod fmod must be 0 or 1, got " + std::to_string(fmod));
    }
    c_fmod = fmod == 1;
    if (!c_fmod && IsFloatingPoint(ctx.input(0).dtype())) {
      return InvalidArgument("Mod with " + std::string(DataTypeName(ctx.input(0).dtype())) +
                             " inputs requires fmod=1, got fmod=0");
    }
    return Status::Ok();
  }
  template <typename W>
  W operator()(W a, W b) const {
    if constexpr (std::is_floating_point_v<W>) {
      return std::fmod(a, b);
    } else {
      if (b == 0) return W(0);
      if constexpr (std::is_signed_v<W>) {
        if (b == W(-1)) return W(0);  // Avoids the overflow of min / -1.
        W r = static_cast<W>(a % b);  // Truncated: the sign of the dividend.
        if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<W>(r + b);
        return r;
      } else {
        return static_cast<W>(a % b);
      }
    }
  }
  bool c_fmod = false;
};

struct BitShiftOp : math::NoParams {
  static constexpr const char* kName = "BitShift";
  template <typename T>
  static constexpr bool Accepts() {
    return math::kIsInt<T> && std::is_unsigned_v<T>;
  }
  Status Init(const KernelContext& ctx) {
    const std::string direction = ctx.attr_string("direction", "");
    if (direction != "LEFT" && direction != "RIGHT") {
      return InvalidArgument("BitShift direction must be \"LEFT\" or \"RIGHT\", got \"" +
                             direction + "\"");
    }
    left = direction == "LEFT";
    return Status::Ok();
  }
  template <typename W>
  W operator()(W a, W b) const {
    if (b >= sizeof(W) * 8) return W(0);
    return left ? static_cast<W>(a << b) : static_cast<W>(a >> b);
  }
  bool left = true;
};

enum class BitOp { kAnd, kOr, kXor };

template <BitOp kOp>
struct BitwiseOp : math::NoParams {
  static constexpr const char* kName = kOp == BitOp::kAnd  ? "BitwiseAnd"
                                       : kOp == BitOp::kOr ? "BitwiseOr"
                                                           : "BitwiseXor";
  template <typename T>
  static constexpr bool Accepts() {
    return math::kIsInt<T>;
  }
  template <typename W>
  W operator()(W a, W b) const {
    if constexpr (kOp == BitOp::kAnd) return static_cast<W>(a & b);
    if constexpr (kOp == BitOp::kOr) return static_cast<W>(a | b);
    return static_cast<W>(a ^ b);
  }
};

struct BitwiseNotOp : math::NoParams {
  static constexpr const char* kName = "BitwiseNot";
  template <typename T>
  static constexpr bool Accepts() {
    return math::kIsInt<T>;
  }
  template <typename W>
  W operator()(W a) const {
    return static_cast<W>(~a);
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeBitwiseAnd() {
  return std::make_unique<math::BinaryKernel<BitwiseOp<BitOp::kAnd>>>();
}
std::unique_ptr<Kernel> MakeBitwiseOr() {
  return std::make_unique<math::BinaryKernel<BitwiseOp<BitOp::kOr>>>();
}
std::unique_ptr<Kernel> MakeBitwiseXor() {
  return std::make_unique<math::BinaryKernel<BitwiseOp<BitOp::kXor>>>();
}
std::unique_ptr<Kernel> MakeBitwiseNot() {
  return std::make_unique<math::UnaryKernel<BitwiseNotOp>>();
}
std::unique_ptr<Kernel> MakeBitShift() {
  return std::make_unique<math::BinaryKernel<BitShiftOp>>();
}
std::unique_ptr<Kernel> MakeMod() { return std::make_unique<math::BinaryKernel<ModOp>>(); }
std::unique_ptr<Kernel> MakeAdd() { return std::make_unique<BinaryElementwise<AddOp>>(); }
std::unique_ptr<Kernel> MakeSub() { return std::make_unique<BinaryElementwise<SubOp>>(); }
std::unique_ptr<Kernel> MakeMul() { return std::make_unique<BinaryElementwise<MulOp>>(); }
std::unique_ptr<Kernel> MakeDiv() { return std::make_unique<BinaryElementwise<DivOp>>(); }

}  // namespace convcheck::interp
