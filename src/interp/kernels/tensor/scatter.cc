//===- interp/kernels/tensor/scatter.cc - Scatter, ScatterElements, ScatterND ===//
//
// The output is a copy of `data` into which `updates` are written at positions given by
// `indices` (int32/int64 for Scatter/ScatterElements, int64 for ScatterND):
//  - Scatter 9-10 (deprecated; 11 is the same op as ScatterElements 11) and ScatterElements
//    11+: indices and updates have the same shape and rank as data; update j goes to its own
//    coordinates with the axis coordinate replaced by indices[j].
//  - ScatterND 11+: indices.shape[-1] = k <= rank(data) addresses data.shape[:k]; updates has
//    shape indices.shape[:-1] + data.shape[k:].
//  - From 16 both take `reduction`: none (default), add or mul; update and target combine in
//    the element type (float for float16/bfloat16, rounded on store), bool add/mul are or/and.
//    18 adds max and min (bool: or/and; NaN as std::max/min leave it: the target is kept when
//    the comparison is false).
// Updates apply in row-major order of indices, so with reduction none and duplicate indices the
// last one wins (the spec leaves that case undefined). Indices outside [-s, s-1] are a
// data-dependent error from Compute naming the index and the bound (negative indices from 11;
// accepted at 9-10 too).
//
//===----------------------------------------------------------------------===//
#include <memory>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

// max_min: 18+.
Status ParseReduction(const KernelContext& ctx, bool has_reduction, bool max_min, DataType dtype,
                      Reduction* reduction) {
  *reduction = Reduction::kNone;
  if (!has_reduction) return Status::Ok();
  const std::string r = ctx.attr_string("reduction", "none");
  if (r == "add") {
    *reduction = Reduction::kAdd;
  } else if (r == "mul") {
    *reduction = Reduction::kMul;
  } else if (r == "max" && max_min) {
    *reduction = Reduction::kMax;
  } else if (r == "min" && max_min) {
    *reduction = Reduction::kMin;
  } else if (r != "none") {
    return InvalidArgument("reduction '" + r + "' is not one of none, add, mul" +
                           (max_min ? ", max, min" : ""));
  }
  if (*reduction != Reduction::kNone &&
      (dtype == DataType::kString || dtype == DataType::kComplex64 ||
       dtype == DataType::kComplex128)) {
    return InvalidArgument("reduction '" + r + "' is not supported for " +
                           std::string(DataTypeName(dtype)) + " data");
  }
  return Status::Ok();
}

Status OutOfRange(int64_t index, int64_t dim, int64_t position) {
  return InvalidArgument("indices[" + std::to_string(position) + "] = " + std::to_string(index) +
                         " is out of range for a dimension of size " + std::to_string(dim) +
                         " (valid: " + std::to_string(-dim) + " to " + std::to_string(dim - 1) +
                         ")");
}

// Copies data to the output, then combines update slice u (of `slice` elements) into the output
// at targets[u].
Status ApplyUpdates(const Tensor& data, const Tensor& updates, const std::vector<int64_t>& targets,
                    int64_t slice, Reduction reduction, Tensor& out) {
  if (reduction == Reduction::kNone) {
    return DispatchMove(data.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(data);
      const T* upd = Elems<T>(updates);
      T* dst = MutableElems<T>(out);
      for (int64_t i = 0; i < data.num_elements(); ++i) dst[i] = src[i];
      for (size_t u = 0; u < targets.size(); ++u) {
        for (int64_t s = 0; s < slice; ++s) dst[targets[u] + s] = upd[u * slice + s];
      }
      return Status::Ok();
    });
  }
  return Dispatch<CC_ALL_TYPES>(data.dtype(), [&]<typename T>() {
    const T* src = data.Data<T>();
    const T* upd = updates.Data<T>();
    T* dst = out.MutableData<T>();
    for (int64_t i = 0; i < data.num_elements(); ++i) dst[i] = src[i];
    for (size_t u = 0; u < targets.size(); ++u) {
      for (int64_t s = 0; s < slice; ++s) {
        T& target = dst[targets[u] + s];
        const T value = upd[u * slice + s];
        if constexpr (std::is_same_v<T, bool>) {
          const bool either = reduction == Reduction::kAdd || reduction == Reduction::kMax;
          target = either ? (target || value) : (target && value);
        } else {
          const ComputeT<T> a = Load(target), b = Load(value);
          switch (reduction) {
            case Reduction::kAdd:
              target = Store<T>(static_cast<ComputeT<T>>(a + b));
              break;
            case Reduction::kMul:
              target = Store<T>(static_cast<ComputeT<T>>(a * b));
              break;
            case Reduction::kMax:
              if (b > a) target = value;
              break;
            default:  // kMin
              if (b < a) target = value;
              break;
          }
        }
      }
    }
    return Status::Ok();
  });
}

class ScatterElements final : public Kernel {
 public:
  ScatterElements(bool has_reduction, bool max_min)
      : has_reduction_(has_reduction), max_min_(max_min) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    for (int i = 0; i < 3; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    if (indices.dtype() != DataType::kInt32 && indices.dtype() != DataType::kInt64) {
      return InvalidArgument("indices must be int32 or int64, got " +
                             std::string(DataTypeName(indices.dtype())));
    }
    if (updates.dtype() != data.dtype()) {
      return InvalidArgument("updates is " + std::string(DataTypeName(updates.dtype())) +
                             " but data is " + std::string(DataTypeName(data.dtype())));
    }
    if (indices.shape() != updates.shape()) {
      return InvalidArgument("indices shape " + ShapeToString(indices.shape()) +
                             " differs from updates shape " + ShapeToString(updates.shape()));
    }
    if (data.rank() == 0 || indices.rank() != data.rank()) {
      return InvalidArgument("data " + ShapeToString(data.shape()) + " and indices " +
                             ShapeToString(indices.shape()) +
                             " must have the same rank, at least 1");
    }
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", 0), data.rank()));
    for (int64_t d = 0; d < data.rank(); ++d) {
      if (d != axis_ && indices.shape()[d] > data.shape()[d]) {
        return InvalidArgument("indices shape " + ShapeToString(indices.shape()) +
                               " exceeds data shape " + ShapeToString(data.shape()) +
                               " in dimension " + std::to_string(d));
      }
    }
    CC_RETURN_IF_ERROR(ParseReduction(ctx, has_reduction_, max_min_, data.dtype(), &reduction_));
    ctx.SetOutput(0, data.dtype(), data.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadInt64s(ctx.input(1), "indices"));
    const Shape& is = ctx.input(1).shape();
    const int64_t rank = data.rank();
    const std::vector<int64_t> strides = Strides(data.shape());
    const int64_t dim = data.shape()[axis_];
    std::vector<int64_t> targets(indices.size());
    std::vector<int64_t> coord(rank, 0);
    int64_t base = 0;  // Offset of coord in data, without the axis coordinate.
    for (int64_t j = 0; j < static_cast<int64_t>(indices.size()); ++j) {
      int64_t index = indices[j];
      if (index < -dim || index >= dim) return OutOfRange(index, dim, j);
      if (index < 0) index += dim;
      targets[j] = base + index * strides[axis_];
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (d != axis_) base += strides[d];
        if (++coord[d] < is[d]) break;
        if (d != axis_) base -= strides[d] * is[d];
        coord[d] = 0;
      }
    }
    return ApplyUpdates(data, ctx.input(2), targets, /*slice=*/1, reduction_, ctx.output(0));
  }

 private:
  const bool has_reduction_, max_min_;
  int64_t axis_ = 0;
  Reduction reduction_ = Reduction::kNone;
};

class ScatterND final : public Kernel {
 public:
  ScatterND(bool has_reduction, bool max_min) : has_reduction_(has_reduction), max_min_(max_min) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    for (int i = 0; i < 3; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    if (indices.dtype() != DataType::kInt64) {
      return InvalidArgument("indices must be int64, got " +
                             std::string(DataTypeName(indices.dtype())));
    }
    if (updates.dtype() != data.dtype()) {
      return InvalidArgument("updates is " + std::string(DataTypeName(updates.dtype())) +
                             " but data is " + std::string(DataTypeName(data.dtype())));
    }
    if (data.rank() < 1 || indices.rank() < 1) {
      return InvalidArgument("data and indices must have rank >= 1");
    }
    const Shape& ds = data.shape();
    const Shape& is = indices.shape();
    const int64_t k = is.back();
    if (k < 1 || k > data.rank()) {
      return InvalidArgument("indices.shape[-1] = " + std::to_string(k) + " must be in [1, " +
                             std::to_string(data.rank()) + "]");
    }
    Shape expected(is.begin(), is.end() - 1);
    expected.insert(expected.end(), ds.begin() + k, ds.end());
    if (updates.shape() != expected) {
      return InvalidArgument("updates shape " + ShapeToString(updates.shape()) + " should be " +
                             ShapeToString(expected));
    }
    CC_RETURN_IF_ERROR(ParseReduction(ctx, has_reduction_, max_min_, data.dtype(), &reduction_));
    ctx.SetOutput(0, data.dtype(), ds);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Shape& ds = data.shape();
    const int64_t k = indices.shape().back();
    const int64_t tuples = k == 0 ? 0 : indices.num_elements() / k;
    const std::vector<int64_t> strides = Strides(ds);
    const int64_t* idx = indices.Data<int64_t>();
    std::vector<int64_t> targets(tuples);
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t offset = 0;
      for (int64_t j = 0; j < k; ++j) {
        int64_t index = idx[t * k + j];
        if (index < -ds[j] || index >= ds[j]) return OutOfRange(index, ds[j], t * k + j);
        if (index < 0) index += ds[j];
        offset += index * strides[j];
      }
      targets[t] = offset;
    }
    return ApplyUpdates(data, ctx.input(2), targets, Product(ds, k, data.rank()), reduction_,
                        ctx.output(0));
  }

 private:
  const bool has_reduction_, max_min_;
  Reduction reduction_ = Reduction::kNone;
};

}  // namespace

std::unique_ptr<Kernel> MakeScatter() { return std::make_unique<ScatterElements>(false, false); }
std::unique_ptr<Kernel> MakeScatterElements() {
  return std::make_unique<ScatterElements>(false, false);
}
std::unique_ptr<Kernel> MakeScatterElementsReduction() {
  return std::make_unique<ScatterElements>(true, false);
}
std::unique_ptr<Kernel> MakeScatterElementsMaxMin() {
  return std::make_unique<ScatterElements>(true, true);
}
std::unique_ptr<Kernel> MakeScatterND() { return std::make_unique<ScatterND>(false, false); }
std::unique_ptr<Kernel> MakeScatterNDReduction() {
  return std::make_unique<ScatterND>(true, false);
}
std::unique_ptr<Kernel> MakeScatterNDMaxMin() { return std::make_unique<ScatterND>(true, true); }

}  // namespace convcheck::interp
