//===- interp/kernels/tensor/top_k.cc - TopK ------------------------------===//
//
// TopK 1-9 takes k as an attribute; 10 as a 1-element int64 input; 11+ adds negative axis,
// `largest` (default 1) and `sorted` (default 1). Outputs the k largest (or smallest) values
// along `axis` and their int64 indices, shape of the input with dim[axis] = k.
//
// Ties are broken by the lower index first, as the spec requires. NaN is ordered above every
// number (numpy's sort order), so largest=1 returns NaNs first and largest=0 last. With sorted=0
// the spec leaves the order open; we return the sorted order anyway.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

// a < b in the order "numbers ascending, then NaN".
template <typename C>
bool NumLess(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

enum class KSource { kAttr, kInput, kInputWithOptions };

class TopK final : public Kernel {
 public:
  explicit TopK(KSource source) : source_(source) {}

  Status Prepare(KernelContext& ctx) override {
    const bool k_input = source_ != KSource::kAttr;
    CC_RETURN_IF_ERROR(ctx.ExpectArity(k_input ? 2 : 1, k_input ? 2 : 1, 2, 2));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (!IsFloatingPoint(x.dtype()) && !IsInteger(x.dtype())) {
      return InvalidArgument("input must be numeric, got " + std::string(DataTypeName(x.dtype())));
    }
    if (x.rank() == 0) return InvalidArgument("input must have rank >= 1");
    if (k_input) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
      const Tensor& k = ctx.input(1);
      if (k.dtype() != DataType::kInt64 || k.num_elements() != 1 || k.rank() > 1) {
        return InvalidArgument("k must be a 1-element int64 tensor, got " +
                               std::string(DataTypeName(k.dtype())) + ShapeToString(k.shape()));
      }
      k_ = k.Data<int64_t>()[0];
    } else {
      if (!ctx.has_attr("k")) return InvalidArgument("k attribute is required");
      k_ = ctx.attr_int("k", 0);
    }
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", -1), x.rank()));
    largest_ = source_ != KSource::kInputWithOptions || ctx.attr_int("largest", 1) != 0;
    const int64_t dim = x.shape()[axis_];
    if (k_ < 0 || k_ > dim) {
      return InvalidArgument("k " + std::to_string(k_) + " is out of range for axis " +
                             std::to_string(axis_) + " of size " + std::to_string(dim));
    }
    Shape out = x.shape();
    out[axis_] = k_;
    ctx.SetOutput(0, x.dtype(), out);
    ctx.SetOutput(1, DataType::kInt64, out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape& in = x.shape();
    const int64_t dim = in[axis_];
    const int64_t outer = Product(in, 0, axis_);
    const int64_t inner = Product(in, axis_ + 1, x.rank());
    int64_t* out_idx = ctx.output(1).MutableData<int64_t>();
    return Dispatch<CC_NUMERIC_TYPES>(x.dtype(), [&]<typename T>() {
      const T* p = x.Data<T>();
      T* out_val = ctx.output(0).MutableData<T>();
      std::vector<int64_t> order(dim);
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t j = 0; j < inner; ++j) {
          auto at = [&](int64_t i) { return Load(p[(o * dim + i) * inner + j]); };
          auto before = [&](int64_t a, int64_t b) {
            const auto va = at(a), vb = at(b);
            if (largest_ ? NumLess(vb, va) : NumLess(va, vb)) return true;
            if (largest_ ? NumLess(va, vb) : NumLess(vb, va)) return false;
            return a < b;  // Equal (or both NaN): the lower index first.
          };
          std::iota(order.begin(), order.end(), 0);
          std::partial_sort(order.begin(), order.begin() + k_, order.end(), before);
          for (int64_t r = 0; r < k_; ++r) {
            const int64_t dst = (o * k_ + r) * inner + j;
            out_val[dst] = p[(o * dim + order[r]) * inner + j];
            out_idx[dst] = order[r];
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  const KSource source_;
  int64_t k_ = 0;
  int64_t axis_ = 0;
  bool largest_ = true;
};

}  // namespace

std::unique_ptr<Kernel> MakeTopKAttr() { return std::make_unique<TopK>(KSource::kAttr); }
std::unique_ptr<Kernel> MakeTopKInput() { return std::make_unique<TopK>(KSource::kInput); }
std::unique_ptr<Kernel> MakeTopK() { return std::make_unique<TopK>(KSource::kInputWithOptions); }

}  // namespace convcheck::interp
