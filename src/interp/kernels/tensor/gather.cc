//===- interp/kernels/tensor/gather.cc - Gather, GatherElements, GatherND -===//
//
// Spec:
//  - Gather 1+ (negative indices from 11; accepted earlier too): output shape is
//    data.shape[:axis] + indices.shape + data.shape[axis+1:].
//  - GatherElements 11+: output shape is indices.shape (same rank as data); each output takes
//    the data element at its own coordinates with the axis coordinate replaced by the index.
//  - GatherND 11, 12+ with `batch_dims` b: the last dimension k of indices (1 <= k <= r - b)
//    addresses data.shape[b:b+k]; output shape is indices.shape[:-1] + data.shape[b+k:], and the
//    first b dimensions of data and indices must agree.
// Indices are int32 or int64 in [-s, s-1] along the indexed dimension of size s; anything else
// is a data-dependent error from Compute naming the index and the bound.
//
//===----------------------------------------------------------------------===//
#include <memory>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

// Checks one index against a dimension of size `dim` and maps negatives; the error names the
// flat position in `indices`.
Status ResolveIndex(int64_t index, int64_t dim, int64_t position, int64_t* resolved) {
  if (index < -dim || index >= dim) {
    return InvalidArgument("indices[" + std::to_string(position) + "] = " + std::to_string(index) +
                           " is out of range for a dimension of size " + std::to_string(dim) +
                           " (valid: " + std::to_string(-dim) + " to " + std::to_string(dim - 1) +
                           ")");
  }
  *resolved = index < 0 ? index + dim : index;
  return Status::Ok();
}

Status RequireIndexType(const Tensor& indices) {
  if (indices.dtype() != DataType::kInt32 && indices.dtype() != DataType::kInt64) {
    return InvalidArgument("indices must be int32 or int64, got " +
                           std::string(DataTypeName(indices.dtype())));
  }
  return Status::Ok();
}

class Gather final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    CC_RETURN_IF_ERROR(RequireIndexType(indices));
    if (data.rank() == 0) return InvalidArgument("data must have rank >= 1");
    CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", 0), data.rank()));
    const Shape& ds = data.shape();
    Shape out(ds.begin(), ds.begin() + axis_);
    out.insert(out.end(), indices.shape().begin(), indices.shape().end());
    out.insert(out.end(), ds.begin() + axis_ + 1, ds.end());
    ctx.SetOutput(0, data.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadInt64s(ctx.input(1), "indices"));
    Tensor& y = ctx.output(0);
    const Shape& ds = data.shape();
    const int64_t outer = Product(ds, 0, axis_);
    const int64_t dim = ds[axis_];
    const int64_t inner = Product(ds, axis_ + 1, data.rank());
    const int64_t count = static_cast<int64_t>(indices.size());
    for (int64_t j = 0; j < count; ++j) {
      CC_RETURN_IF_ERROR(ResolveIndex(indices[j], dim, j, &indices[j]));
    }
    return DispatchMove(data.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(data);
      T* dst = MutableElems<T>(y);
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t j = 0; j < count; ++j) {
          const T* from = src + (o * dim + indices[j]) * inner;
          T* to = dst + (o * count + j) * inner;
          for (int64_t k = 0; k < inner; ++k) to[k] = from[k];
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_ = 0;
};

class GatherElements final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    CC_RETURN_IF_ERROR(RequireIndexType(indices));
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
    ctx.SetOutput(0, data.dtype(), indices.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadInt64s(ctx.input(1), "indices"));
    Tensor& y = ctx.output(0);
    const Shape& is = ctx.input(1).shape();
    const int64_t rank = data.rank();
    const std::vector<int64_t> strides = Strides(data.shape());
    const int64_t dim = data.shape()[axis_];
    return DispatchMove(data.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(data);
      T* dst = MutableElems<T>(y);
      std::vector<int64_t> coord(rank, 0);
      int64_t base = 0;  // Offset of coord in data, without the axis coordinate.
      for (int64_t j = 0; j < static_cast<int64_t>(indices.size()); ++j) {
        int64_t index = 0;
        CC_RETURN_IF_ERROR(ResolveIndex(indices[j], dim, j, &index));
        dst[j] = src[base + index * strides[axis_]];
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (d != axis_) base += strides[d];
          if (++coord[d] < is[d]) break;
          if (d != axis_) base -= strides[d] * is[d];
          coord[d] = 0;
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_ = 0;
};

class GatherND final : public Kernel {
 public:
  explicit GatherND(bool has_batch_dims) : has_batch_dims_(has_batch_dims) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    if (indices.dtype() != DataType::kInt64) {
      return InvalidArgument("indices must be int64, got " +
                             std::string(DataTypeName(indices.dtype())));
    }
    const int64_t r = data.rank();
    const int64_t q = indices.rank();
    batch_dims_ = has_batch_dims_ ? ctx.attr_int("batch_dims", 0) : 0;
    if (r < 1 || q < 1) return InvalidArgument("data and indices must have rank >= 1");
    if (batch_dims_ < 0 || batch_dims_ >= std::min(r, q)) {
      return InvalidArgument("batch_dims " + std::to_string(batch_dims_) +
                             " must be less than both ranks (" + std::to_string(r) + ", " +
                             std::to_string(q) + ")");
    }
    const Shape& ds = data.shape();
    const Shape& is = indices.shape();
    for (int64_t d = 0; d < batch_dims_; ++d) {
      if (ds[d] != is[d]) {
        return InvalidArgument("batch dimension " + std::to_string(d) + " differs: data " +
                               ShapeToString(ds) + ", indices " + ShapeToString(is));
      }
    }
    k_ = is[q - 1];
    if (k_ < 1 || k_ > r - batch_dims_) {
      return InvalidArgument("indices.shape[-1] = " + std::to_string(k_) + " must be in [1, " +
                             std::to_string(r - batch_dims_) + "]");
    }
    Shape out(is.begin(), is.end() - 1);
    out.insert(out.end(), ds.begin() + batch_dims_ + k_, ds.end());
    ctx.SetOutput(0, data.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    Tensor& y = ctx.output(0);
    const Shape& ds = data.shape();
    const Shape& is = indices.shape();
    const std::vector<int64_t> strides = Strides(ds);
    const int64_t batches = Product(ds, 0, batch_dims_);
    const int64_t batch_stride = Product(ds, batch_dims_, data.rank());
    const int64_t tuples = Product(is, batch_dims_, indices.rank() - 1);
    const int64_t slice = Product(ds, batch_dims_ + k_, data.rank());
    const int64_t* idx = indices.Data<int64_t>();
    return DispatchMove(data.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(data);
      T* dst = MutableElems<T>(y);
      for (int64_t b = 0; b < batches; ++b) {
        for (int64_t t = 0; t < tuples; ++t) {
          const int64_t tuple = b * tuples + t;
          int64_t offset = b * batch_stride;
          for (int64_t j = 0; j < k_; ++j) {
            int64_t index = 0;
            CC_RETURN_IF_ERROR(
                ResolveIndex(idx[tuple * k_ + j], ds[batch_dims_ + j], tuple * k_ + j, &index));
            offset += index * strides[batch_dims_ + j];
          }
          for (int64_t s = 0; s < slice; ++s) dst[tuple * slice + s] = src[offset + s];
        }
      }
      return Status::Ok();
    });
  }

 private:
  const bool has_batch_dims_;
  int64_t batch_dims_ = 0;
  int64_t k_ = 1;  // Index tuple length.
};

}  // namespace

std::unique_ptr<Kernel> MakeGather() { return std::make_unique<Gather>(); }
std::unique_ptr<Kernel> MakeGatherElements() { return std::make_unique<GatherElements>(); }
std::unique_ptr<Kernel> MakeGatherNDNoBatch() {
  return std::make_unique<GatherND>(/*has_batch_dims=*/false);
}
std::unique_ptr<Kernel> MakeGatherND() { return std::make_unique<GatherND>(/*has_batch_dims=*/true); }

}  // namespace convcheck::interp
