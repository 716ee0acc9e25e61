//===- interp/kernels/math/logical.cc - Comparisons and boolean logic -----===//
//
// And Or Xor (opsets 7+, bool only), Equal Greater Less (7+), GreaterOrEqual LessOrEqual (12+),
// all with multidirectional broadcasting and a bool output. Later versions only widened the
// accepted types (Equal 11 and Greater/Less 9 added integers, 13/16 bfloat16); every version is
// served with the widest set, except Equal 19, which adds strings. Not lives in unary_math.cc.
//
// Numerics: comparisons are exact (half types are widened to float, which is exact); any
// comparison with NaN is false except that NaN != NaN makes Equal false too (IEEE).
//
//===----------------------------------------------------------------------===//
#include <string>
#include <type_traits>

#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/common/elementwise.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

template <typename T>
constexpr bool kIsBool = std::is_same_v<T, bool>;

#define CC_LOGICAL_OP(OpName, accepts, expr)      \
  struct OpName##Op {                             \
    static constexpr const char* kName = #OpName; \
    using Output = bool;                          \
    template <typename T>                         \
    static constexpr bool Accepts() {             \
      return accepts;                             \
    }                                             \
    template <typename C>                         \
    static bool Apply(C a, C b) {                 \
      return expr;                                \
    }                                             \
  };

CC_LOGICAL_OP(And, kIsBool<T>, a&& b)
CC_LOGICAL_OP(Or, kIsBool<T>, a || b)
CC_LOGICAL_OP(Xor, kIsBool<T>, a != b)
CC_LOGICAL_OP(Equal, math::kIsNumeric<T> || kIsBool<T>, a == b)
CC_LOGICAL_OP(Greater, math::kIsNumeric<T>, a > b)
CC_LOGICAL_OP(GreaterOrEqual, math::kIsNumeric<T>, a >= b)
CC_LOGICAL_OP(Less, math::kIsNumeric<T>, a < b)
CC_LOGICAL_OP(LessOrEqual, math::kIsNumeric<T>, a <= b)

#undef CC_LOGICAL_OP

// Equal 19 adds strings: the same broadcasting, comparing whole strings.
class EqualWithStrings final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    strings_ = ctx.input(0).dtype() == DataType::kString;
    if (!strings_) return numeric_.Prepare(ctx);
    if (ctx.input(1).dtype() != DataType::kString) {
      return InvalidArgument("Equal compares string with " +
                             std::string(DataTypeName(ctx.input(1).dtype())));
    }
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes({ctx.input(0).shape(), ctx.input(1).shape()}));
    ctx.SetOutput(0, DataType::kBool, shape);
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    if (!strings_) return numeric_.Compute(ctx);
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    BroadcastIndex index(y.shape(), {a.shape(), b.shape()});
    bool* out = y.MutableData<bool>();
    for (int64_t i = 0; i < y.num_elements(); ++i) {
      out[i] = a.strings()[index[0]] == b.strings()[index[1]];
      index.Next();
    }
    return Status::Ok();
  }

 private:
  bool strings_ = false;
  BinaryElementwise<EqualOp> numeric_;
};

}  // namespace

std::unique_ptr<Kernel> MakeAnd() { return std::make_unique<BinaryElementwise<AndOp>>(); }
std::unique_ptr<Kernel> MakeEqual() { return std::make_unique<BinaryElementwise<EqualOp>>(); }
std::unique_ptr<Kernel> MakeEqualWithStrings() { return std::make_unique<EqualWithStrings>(); }
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
