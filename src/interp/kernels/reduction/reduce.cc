//===- interp/kernels/reduction/reduce.cc - The ten Reduce* operators ------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum,
// ReduceLogSumExp and ReduceSumSquare share one executor; each op differs only in its
// accumulator. Opsets: `axes` is an attribute through opset 12 for ReduceSum and through
// opset 17 for the others, then an optional int64 input together with `noop_with_empty_axes`
// (empty axes reduce everything unless noop_with_empty_axes=1, which makes the op an identity).
// Duplicate or out-of-range axes are errors; negative axes count from the back (opset 11+).
//
// Numerics: floating types accumulate in double and round once on store; signed integers in
// int64 and unsigned in uint64, wrapping on store like numpy's astype. Mean/L2/LogSum/LogSumExp
// of integers are computed in double and truncated toward zero (numpy's astype). Empty
// reductions give the identity of the operation: 0 for sums, 1 for Prod, -inf for LogSum and
// LogSumExp, NaN for a float Mean (0/0), and for Max/Min -inf/+inf (the type's lowest/highest
// for integers). LogSumExp subtracts the maximum before exp() so large inputs do not overflow.
// Max/Min propagate NaN like numpy's maximum/minimum. ReduceMax/ReduceMin 20 add bool: any and
// all.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/reduction_util.h"

namespace convcheck::interp {
namespace {

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

template <typename T>
using Acc = std::conditional_t<kIsFloat<T>, double,
                               std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

class Reduce final : public Kernel {
 public:
  Reduce(ReduceKind kind, bool axes_from_input) : kind_(kind), axes_from_input_(axes_from_input) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, axes_from_input_ ? 2 : 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    // ReduceMax/ReduceMin 20 take bool (any / all).
    const bool bool_minmax = x.dtype() == DataType::kBool && ctx.opset() >= 20 &&
                             (kind_ == ReduceKind::kMax || kind_ == ReduceKind::kMin);
    if (!bool_minmax) {
      CC_RETURN_IF_ERROR(
          Dispatch<CC_NUMERIC_TYPES>(x.dtype(), []<typename T>() { return Status::Ok(); }));
    }
    const int64_t rank = x.rank();

    std::vector<int64_t> axes;
    bool noop = false;
    if (axes_from_input_) {
      if (ctx.has_input(1)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
        const Tensor& a = ctx.input(1);
        if (a.dtype() != DataType::kInt64) {
          return InvalidArgument("axes must be int64, got " + std::string(DataTypeName(a.dtype())));
        }
        if (a.rank() > 1) {
          return InvalidArgument("axes must be 1-D, got rank " + std::to_string(a.rank()));
        }
        axes.assign(a.Data<int64_t>(), a.Data<int64_t>() + a.num_elements());
      }
      noop = ctx.attr_int("noop_with_empty_axes", 0) != 0;
    } else {
      axes = ctx.attr_ints("axes");
    }
    const bool keepdims = ctx.attr_int("keepdims", 1) != 0;

    identity_ = axes.empty() && noop;
    reduced_.assign(rank, axes.empty() && !noop);
    for (int64_t axis : axes) {
      CC_ASSIGN_OR_RETURN(int64_t a, reduction::NormalizeAxis(axis, rank, "axes entry"));
      if (reduced_[a]) {
        return InvalidArgument("axes contains axis " + std::to_string(a) + " more than once");
      }
      reduced_[a] = true;
    }

    in_shape_ = x.shape();
    Shape out_shape;
    out_strides_.assign(rank, 0);
    reduced_count_ = 1;
    for (int64_t d = 0; d < rank; ++d) {
      if (reduced_[d]) {
        reduced_count_ *= in_shape_[d];
        if (keepdims) out_shape.push_back(1);
      } else {
        out_shape.push_back(in_shape_[d]);
      }
    }
    // Row-major strides of the output, with 0 for reduced dimensions.
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (!reduced_[d]) {
        out_strides_[d] = stride;
        stride *= in_shape_[d];
      }
    }
    ctx.SetOutput(0, x.dtype(), identity_ ? x.shape() : out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (identity_) {
      y = x;
      return Status::Ok();
    }
    if (x.dtype() == DataType::kBool) {
      // Max is any (false when empty), Min is all (true when empty).
      const bool is_max = kind_ == ReduceKind::kMax;
      bool* out = y.MutableData<bool>();
      for (int64_t o = 0; o < y.num_elements(); ++o) out[o] = !is_max;
      const bool* in = x.Data<bool>();
      Walk(x.num_elements(),
           [&](int64_t i, int64_t o) { out[o] = is_max ? (out[o] || in[i]) : (out[o] && in[i]); });
      return Status::Ok();
    }
    return Dispatch<CC_NUMERIC_TYPES>(x.dtype(), [&]<typename T>() {
      Run<T>(x.Data<T>(), x.num_elements(), y.MutableData<T>(), y.num_elements());
      return Status::Ok();
    });
  }

 private:
  // Calls f(input_index, output_index) for every input element in row-major order.
  template <typename F>
  void Walk(int64_t n_in, F&& f) const {
    const int64_t rank = static_cast<int64_t>(in_shape_.size());
    std::vector<int64_t> counter(rank, 0);
    int64_t out = 0;
    for (int64_t i = 0; i < n_in; ++i) {
      f(i, out);
      for (int64_t d = rank - 1; d >= 0; --d) {
        out += out_strides_[d];
        if (++counter[d] < in_shape_[d]) break;
        out -= out_strides_[d] * in_shape_[d];
        counter[d] = 0;
      }
    }
  }

  template <typename T>
  void Run(const T* x, int64_t n_in, T* y, int64_t n_out) const {
    using A = Acc<T>;
    auto load = [&](int64_t i) { return static_cast<A>(Load(x[i])); };
    A init = 0;
    if (kind_ == ReduceKind::kProd) init = 1;
    if constexpr (kIsFloat<T>) {
      if (kind_ == ReduceKind::kMax) init = -std::numeric_limits<double>::infinity();
      if (kind_ == ReduceKind::kMin) init = std::numeric_limits<double>::infinity();
    } else {
      if (kind_ == ReduceKind::kMax) init = static_cast<A>(std::numeric_limits<T>::lowest());
      if (kind_ == ReduceKind::kMin) init = static_cast<A>(std::numeric_limits<T>::max());
    }
    std::vector<A> acc(n_out, init);

    // LogSumExp: a first pass finds each output's maximum, so exp() sees x - max <= 0.
    std::vector<double> shift, exp_sum;
    if (kind_ == ReduceKind::kLogSumExp) {
      shift.assign(n_out, -std::numeric_limits<double>::infinity());
      Walk(n_in, [&](int64_t i, int64_t o) {
        const double v = static_cast<double>(Load(x[i]));
        if (v > shift[o] || std::isnan(v)) shift[o] = v;
      });
      for (double& s : shift) {
        if (!std::isfinite(s)) s = 0;  // All -inf (or inf/NaN): no shift, exp() handles it.
      }
      exp_sum.assign(n_out, 0.0);
    }

    Walk(n_in, [&](int64_t i, int64_t o) {
      const A v = load(i);
      A& a = acc[o];
      switch (kind_) {
        case ReduceKind::kSum:
        case ReduceKind::kMean:
        case ReduceKind::kLogSum:
          a += v;
          break;
        case ReduceKind::kMax:
          if constexpr (kIsFloat<T>) {
            if (std::isnan(v) || v > a) a = v;
          } else if (v > a) {
            a = v;
          }
          break;
        case ReduceKind::kMin:
          if constexpr (kIsFloat<T>) {
            if (std::isnan(v) || v < a) a = v;
          } else if (v < a) {
            a = v;
          }
          break;
        case ReduceKind::kProd:
          a *= v;
          break;
        case ReduceKind::kL1:
          if constexpr (std::is_unsigned_v<A>) {
            a += v;
          } else {
            a += v < 0 ? -v : v;
          }
          break;
        case ReduceKind::kL2:
        case ReduceKind::kSumSquare:
          a += v * v;
          break;
        case ReduceKind::kLogSumExp:
          exp_sum[o] += std::exp(static_cast<double>(v) - shift[o]);
          break;
      }
    });

    const double count = static_cast<double>(reduced_count_);
    for (int64_t o = 0; o < n_out; ++o) {
      const A a = acc[o];
      double r = 0;
      bool via_double = true;
      switch (kind_) {
        case ReduceKind::kMean:
          if constexpr (kIsFloat<T>) {
            r = a / count;
          } else {
            // Integer mean truncates toward zero, like numpy's mean().astype().
            y[o] = reduced_count_ == 0 ? T(0) : static_cast<T>(a / static_cast<A>(reduced_count_));
            via_double = false;
          }
          break;
        case ReduceKind::kL2:
          r = std::sqrt(static_cast<double>(a));
          break;
        case ReduceKind::kLogSum:
          r = std::log(static_cast<double>(a));
          break;
        case ReduceKind::kLogSumExp:
          r = std::log(exp_sum[o]) + shift[o];
          break;
        default:
          if constexpr (kIsFloat<T>) {
            r = static_cast<double>(a);
          } else {
            y[o] = static_cast<T>(a);
            via_double = false;
          }
          break;
      }
      if (via_double) {
        if constexpr (kIsFloat<T>) {
          y[o] = Store<T>(static_cast<ComputeT<T>>(r));
        } else {
          y[o] = std::isfinite(r) ? static_cast<T>(std::trunc(r)) : T(0);
        }
      }
    }
  }

  const ReduceKind kind_;
  const bool axes_from_input_;
  // Set by Prepare.
  bool identity_ = false;
  std::vector<bool> reduced_;
  Shape in_shape_;
  std::vector<int64_t> out_strides_;
  int64_t reduced_count_ = 1;
};

}  // namespace

#define CC_REDUCE_FACTORIES(Name, Kind)                                           \
  std::unique_ptr<Kernel> Make##Name##AxesAttr() {                                \
    return std::make_unique<Reduce>(ReduceKind::Kind, /*axes_from_input=*/false); \
  }                                                                               \
  std::unique_ptr<Kernel> Make##Name() {                                          \
    return std::make_unique<Reduce>(ReduceKind::Kind, /*axes_from_input=*/true);  \
  }

CC_REDUCE_FACTORIES(ReduceL1, kL1)
CC_REDUCE_FACTORIES(ReduceL2, kL2)
CC_REDUCE_FACTORIES(ReduceLogSum, kLogSum)
CC_REDUCE_FACTORIES(ReduceLogSumExp, kLogSumExp)
CC_REDUCE_FACTORIES(ReduceMax, kMax)
CC_REDUCE_FACTORIES(ReduceMean, kMean)
CC_REDUCE_FACTORIES(ReduceMin, kMin)
CC_REDUCE_FACTORIES(ReduceProd, kProd)
CC_REDUCE_FACTORIES(ReduceSum, kSum)
CC_REDUCE_FACTORIES(ReduceSumSquare, kSumSquare)

#undef CC_REDUCE_FACTORIES

}  // namespace convcheck::interp
