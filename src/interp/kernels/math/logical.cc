//===- interp/kernels/math/logical.cc - Comparisons and boolean logic -----===//
//
// And Or Xor (opsets 7+, bool only), Equal Greater Less (7+), GreaterOrEqual LessOrEqual (12+),
// all with multidirectional broadcasting and a bool output. Later versions only widened the
// accepted types (Equal 11 and Greater/Less 9 added integers, 13/16 bfloat16); every version is
// served with the widest set. Not lives in unary_math.cc.
//
// Numerics: comparisons are exact (half types are widened to float, which is exact); any
// comparison with NaN is false except that NaN != NaN makes Equal false too (IEEE).
//
//===----------------------------------------------------------------------===//
#include <type_traits>

#include "interp/kernels/common/elementwise.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

template <typename T>
constexpr bool kIsBool = std::is_same_v<T, bool>;

#define CC_LOGICAL_OP(OpName, accepts, expr) \
  struct OpName##Op {                        \
    static constexpr const char* kName = #OpName; \
    using Output = bool;                     \
    template <typename T>                    \
    static constexpr bool Accepts() {        \
      return accepts;                        \
    }                                        \
    template <typename C>                    \
    static bool Apply(C a, C b) {            \
      return expr;                           \
    }                                        \
  };

CC_LOGICAL_OP(And, kIsBool<T>, a && b)
CC_LOGICAL_OP(Or, kIsBool<T>, a || b)
CC_LOGICAL_OP(Xor, kIsBool<T>, a != b)
CC_LOGICAL_OP(Equal, math::kIsNumeric<T> || kIsBool<T>, a == b)
CC_LOGICAL_OP(Greater, math::kIsNumeric<T>, a > b)
CC_LOGICAL_OP(GreaterOrEqual, math::kIsNumeric<T>, a >= b)
CC_LOGICAL_OP(Less, math::kIsNumeric<T>, a < b)
CC_LOGICAL_OP(LessOrEqual, math::kIsNumeric<T>, a <= b)

#undef CC_LOGICAL_OP

}  // namespace

std::unique_ptr<Kernel> MakeAnd() { return std::make_unique<BinaryElementwise<AndOp>>(); }
std::unique_ptr<Kernel> MakeEqual() { return std::make_unique<BinaryElementwise<EqualOp>>(); }
std::unique_ptr<Kernel> MakeGreater() { return std::make_unique<BinaryElementwise<GreaterOp>>(); }
std::unique_ptr<Kernel> MakeGreaterOrEqual() {
  return std::make_unique<BinaryElementwise<GreaterOrEqualOp>>();
}
std::unique_ptr<Kernel> MakeLess() { return std::make_unique<BinaryElementwise<LessOp>>(); }
std::unique_ptr<Kernel> MakeLessOrEqual() {
  return std::make_unique<BinaryElementwise<LessOrEqualOp>>();
}
std::unique_ptr<Kernel> MakeOr() { return std::make_unique<BinaryElementwise<OrOp>>(); }
std::unique_ptr<Kernel> MakeXor() { return std::make_unique<BinaryElementwise<XorOp>>(); }

}  // namespace convcheck::interp
