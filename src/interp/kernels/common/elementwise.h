//===- interp/kernels/common/elementwise.h - Generic unary and binary ops -===//
//
// A family member supplies only its scalar math as a functor; these kernels own the arity and
// dtype checks, the dispatch, broadcasting and the loop (DuckDB's functor-plus-executor).
//
//   struct ReluOp {
//     static constexpr const char* kName = "Relu";
//     template <typename T> static bool Accepts() { return kIsFloat<T> || std::is_signed_v<T>; }
//     template <typename C> static C Apply(C x) { return x < C(0) ? C(0) : x; }
//   };
//
// Apply works on ComputeT<T> (float for the half types). Binary functors may declare
// `using Output = bool;` (comparisons) to produce a bool tensor.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_COMMON_ELEMENTWISE_H_
#define CONVCHECK_INTERP_KERNELS_COMMON_ELEMENTWISE_H_

#include <type_traits>

#include "interp/kernel.h"
#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/fast/wide.h"

namespace convcheck::interp {

/// The two inputs of a binary op share one type (no implicit promotion in ONNX).
inline Status ExpectSameType(const char* op, const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return Status::Ok();
  return InvalidArgument(std::string(op) + " inputs have different types: " +
                         std::string(DataTypeName(a.dtype())) + " and " +
                         std::string(DataTypeName(b.dtype())));
}

/// out[i] = apply(a[ia], b[ib]) over y's elements, with multidirectional broadcasting. Every
/// binary kernel loops through here, so all of them get the fast paths.
/// Always inlined, so that fast::RunWide can build it for wider vectors.
template <typename T, typename Out, typename Apply>
CC_WIDE_INLINE inline void BroadcastBinaryLoop(const Tensor& a, const Tensor& b, Tensor& y,
                                               Apply apply) {
  const T* pa = a.Data<T>();
  const T* pb = b.Data<T>();
  Out* out = y.MutableData<Out>();
  const int64_t n = y.num_elements();
  if (a.shape() == b.shape()) {  // The common case needs no index walk.
    for (int64_t i = 0; i < n; ++i) out[i] = apply(pa[i], pb[i]);
  } else if (b.num_elements() == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply(pa[i], pb[0]);
  } else {
    // Runs along the merged innermost dimension, with the broadcast operand's element
    // hoisted: an odometer step per element cost more than the arithmetic (bias adds in
    // ViT, the squeeze-excitation Mul in MobileNetV3).
    BroadcastRuns runs(y.shape(), {a.shape(), b.shape()});
    const int64_t len = runs.run_length();
    const int64_t sa = runs.inner_stride(0), sb = runs.inner_stride(1);
    Out* o = out;
    for (int64_t r = 0; r < runs.num_runs(); ++r, runs.Next(), o += len) {
      const T* ra = pa + runs[0];
      const T* rb = pb + runs[1];
      if (sa == 1 && sb == 1) {
        for (int64_t j = 0; j < len; ++j) o[j] = apply(ra[j], rb[j]);
      } else if (sa == 1) {
        const T bv = rb[0];
        for (int64_t j = 0; j < len; ++j) o[j] = apply(ra[j], bv);
      } else if (sb == 1) {
        const T av = ra[0];
        for (int64_t j = 0; j < len; ++j) o[j] = apply(av, rb[j]);
      } else {
        for (int64_t j = 0; j < len; ++j) o[j] = apply(ra[j * sa], rb[j * sb]);
      }
    }
  }
}

template <typename Op>
class UnaryElementwise final : public Kernel {
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
    if (!st.ok() || !accepted) {
      return InvalidArgument(std::string(Op::kName) + " does not accept " +
                             std::string(DataTypeName(x.dtype())) + " input");
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    return Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename T>() {
      if constexpr (Op::template Accepts<T>()) {
        const T* in = x.Data<T>();
        T* out = y.MutableData<T>();
        for (int64_t i = 0; i < x.num_elements(); ++i) {
          out[i] = Store<T>(Op::template Apply<ComputeT<T>>(Load(in[i])));
        }
      }
      return Status::Ok();
    });
  }
};

namespace internal {
template <typename Op, typename = void>
struct BinaryOutput {
  template <typename T>
  using type = T;
};
template <typename Op>
struct BinaryOutput<Op, std::void_t<typename Op::Output>> {
  template <typename T>
  using type = typename Op::Output;
};
}  // namespace internal

template <typename Op>
class BinaryElementwise final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    CC_RETURN_IF_ERROR(ExpectSameType(Op::kName, a, b));
    bool accepted = false;
    DataType out_type = a.dtype();
    Status st = Dispatch<CC_ALL_TYPES>(a.dtype(), [&]<typename T>() {
      accepted = Op::template Accepts<T>();
      out_type = DataTypeOf<typename internal::BinaryOutput<Op>::template type<T>>();
      return Status::Ok();
    });
    if (!st.ok() || !accepted) {
      return InvalidArgument(std::string(Op::kName) + " does not accept " +
                             std::string(DataTypeName(a.dtype())) + " inputs");
    }
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes({a.shape(), b.shape()}));
    ctx.SetOutput(0, out_type, shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    return Dispatch<CC_ALL_TYPES>(a.dtype(), [&]<typename T>() {
      if constexpr (Op::template Accepts<T>()) {
        using Out = typename internal::BinaryOutput<Op>::template type<T>;
        auto loop = [&]() CC_WIDE_INLINE {
          BroadcastBinaryLoop<T, Out>(a, b, y, [](T x, T z) CC_WIDE_INLINE -> Out {
            auto r = Op::template Apply<ComputeT<T>>(Load(x), Load(z));
            if constexpr (std::is_same_v<Out, T>) {
              return Store<T>(r);
            } else {
              return static_cast<Out>(r);
            }
          });
        };
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
};

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_KERNELS_COMMON_ELEMENTWISE_H_
