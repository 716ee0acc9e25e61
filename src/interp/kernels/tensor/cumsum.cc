//===- interp/kernels/tensor/cumsum.cc - CumSum, CumProd -------------------===//
//
// CumSum 11+ (float16/bfloat16 from 14, accepted at 11 too) and CumProd 26+: running sums or
// products along the axis given by a scalar (or 1-element) int32/int64 input. `exclusive`=1
// leaves out the current element (the first output is 0 for sums, 1 for products), `reverse`=1
// runs from the end.
//
// Numerics: floats accumulate in double and each output is rounded once to the element type;
// integers accumulate in the element type with two's-complement wrap-around (through the
// unsigned type, so overflow is defined).
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <type_traits>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

template <typename T>
using Accumulator =
    std::conditional_t<kIsFloat<T>, double,
                       std::make_unsigned_t<std::conditional_t<kIsFloat<T>, int, T>>>;

class CumSum final : public Kernel {
 public:
  explicit CumSum(bool product) : product_(product) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const DataType t = x.dtype();
    if (!IsFloatingPoint(t) && t != DataType::kInt32 && t != DataType::kInt64 &&
        t != DataType::kUint32 && t != DataType::kUint64) {
      return InvalidArgument("input type " + std::string(DataTypeName(t)) + " is not supported");
    }
    if (ctx.input(1).num_elements() != 1 || ctx.input(1).rank() > 1) {
      return InvalidArgument("axis must be a scalar, got shape " +
                             ShapeToString(ctx.input(1).shape()));
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ReadInt64s(ctx.input(1), "axis"));
    if (x.rank() == 0) return InvalidArgument("input must have rank >= 1");
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(axis[0], x.rank()));
    exclusive_ = ctx.attr_int("exclusive", 0) != 0;
    reverse_ = ctx.attr_int("reverse", 0) != 0;
    ctx.SetOutput(0, t, x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape& in = x.shape();
    const int64_t dim = in[axis_];
    const int64_t outer = Product(in, 0, axis_);
    const int64_t inner = Product(in, axis_ + 1, x.rank());
    return Dispatch<CC_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t>(
        x.dtype(), [&]<typename T>() {
          const T* src = x.Data<T>();
          T* dst = ctx.output(0).MutableData<T>();
          using Acc = Accumulator<T>;
          for (int64_t o = 0; o < outer; ++o) {
            for (int64_t j = 0; j < inner; ++j) {
              Acc sum = product_ ? 1 : 0;
              for (int64_t step = 0; step < dim; ++step) {
                const int64_t i = reverse_ ? dim - 1 - step : step;
                const int64_t at = (o * dim + i) * inner + j;
                Acc value;
                if constexpr (kIsFloat<T>) {
                  value = static_cast<double>(Load(src[at]));
                } else {
                  value = static_cast<Acc>(src[at]);
                }
                if (!exclusive_) sum = product_ ? static_cast<Acc>(sum * value) : sum + value;
                if constexpr (kIsFloat<T>) {
                  dst[at] = Store<T>(static_cast<ComputeT<T>>(sum));
                } else {
                  dst[at] = static_cast<T>(sum);
                }
                if (exclusive_) sum = product_ ? static_cast<Acc>(sum * value) : sum + value;
              }
            }
          }
          return Status::Ok();
        });
  }

 private:
  const bool product_;
  int64_t axis_ = 0;
  bool exclusive_ = false;
  bool reverse_ = false;
};

}  // namespace

std::unique_ptr<Kernel> MakeCumSum() { return std::make_unique<CumSum>(/*product=*/false); }
std::unique_ptr<Kernel> MakeCumProd() { return std::make_unique<CumSum>(/*product=*/true); }

}  // namespace convcheck::interp
