//===- interp/kernels/tensor/reshape.cc - Ops that only change the shape --===//
//
// Reshape, Flatten, Squeeze, Unsqueeze, Identity, Shape and Size: the elements stay in row-major
// order and only the shape changes (or is read). Each kernel computes the new shape in Prepare
// and Compute copies the elements.
//
// Spec (onnx/defs/tensor/defs.cc):
//  - Reshape 5-13: 0 copies the input dimension, one -1 is inferred. 14+: `allowzero`=1 makes 0
//    a literal zero (then 0 and -1 together are invalid).
//  - Flatten 1+ (negative axis from 11): [prod(shape[:axis]), prod(shape[axis:])], axis in
//    [-r, r].
//  - Squeeze/Unsqueeze 1-10 axes attribute (non-negative), 11-12 attribute (negative allowed),
//    13+ axes input. Squeeze without axes removes every 1; a named axis must have size 1.
//    Unsqueeze axes refer to the output rank; duplicates are invalid.
//  - Identity 1+: any value passes through (tensors; sequences from 14, optionals from 16).
//  - Shape 1-14; 15+ `start`/`end`, clamped to [0, r] after adding r to negatives.
//  - Size 1+: the element count as an int64 scalar.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <memory>
#include <set>

#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using tensor_ops::ListToString;
using tensor_ops::NormalizeAxis;
using tensor_ops::Product;
using tensor_ops::ReadAxes;
using tensor_ops::ReadInt64s;

// Shared by every op here: the output is input 0 with `out_shape_`.
class ReshapeLike : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    ctx.SetOutputTensor(0, ctx.input(0).Reshaped(out_shape_));
    return Status::Ok();
  }

 protected:
  Shape out_shape_;
};

class Reshape final : public ReshapeLike {
 public:
  explicit Reshape(bool has_allowzero) : has_allowzero_(has_allowzero) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Shape& in = ctx.input(0).shape();
    if (ctx.input(1).dtype() != DataType::kInt64 || ctx.input(1).rank() != 1) {
      return InvalidArgument("shape must be a 1-D int64 tensor, got " +
                             std::string(DataTypeName(ctx.input(1).dtype())) +
                             ShapeToString(ctx.input(1).shape()));
    }
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ReadInt64s(ctx.input(1), "shape"));
    const bool allowzero = has_allowzero_ && ctx.attr_int("allowzero", 0) != 0;
    int64_t inferred = -1;
    int64_t known = 1;
    bool has_zero = false;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == -1) {
        if (inferred >= 0) return InvalidArgument("shape " + ListToString(shape) + " has more than one -1");
        inferred = static_cast<int64_t>(i);
        continue;
      }
      if (shape[i] < -1) {
        return InvalidArgument("shape " + ListToString(shape) + " has invalid dimension " +
                               std::to_string(shape[i]));
      }
      if (shape[i] == 0) {
        has_zero = true;
        if (!allowzero) {
          if (static_cast<int64_t>(i) >= static_cast<int64_t>(in.size())) {
            return InvalidArgument("shape " + ListToString(shape) + " copies dimension " +
                                   std::to_string(i) + " but the input rank is " +
                                   std::to_string(in.size()));
          }
          shape[i] = in[i];
        }
      }
      known *= shape[i];
    }
    if (allowzero && has_zero && inferred >= 0) {
      return InvalidArgument("shape " + ListToString(shape) +
                             " has both 0 and -1, which allowzero=1 does not allow");
    }
    const int64_t count = NumElements(in);
    if (inferred >= 0) {
      if (known == 0 || count % known != 0) {
        return InvalidArgument("cannot reshape input " + ShapeToString(in) + " to " +
                               ListToString(shape));
      }
      shape[inferred] = count / known;
    } else if (known != count) {
      return InvalidArgument("cannot reshape input " + ShapeToString(in) + " (" +
                             std::to_string(count) + " elements) to " + ListToString(shape));
    }
    out_shape_ = shape;
    return Status::Ok();
  }

 private:
  const bool has_allowzero_;
};

class Flatten final : public ReshapeLike {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Shape& in = ctx.input(0).shape();
    const int64_t rank = static_cast<int64_t>(in.size());
    // axis == rank is allowed: the output is [N, 1].
    // A negative axis counts from the input's rank (not rank + 1): -1 puts the last
    // dimension alone in the second output dimension.
    int64_t axis = ctx.attr_int("axis", 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) {
      return InvalidArgument("axis " + std::to_string(ctx.attr_int("axis", 1)) +
                             " is out of range for rank " + std::to_string(rank));
    }
    out_shape_ = {Product(in, 0, axis), Product(in, axis, rank)};
    return Status::Ok();
  }
};

class Squeeze final : public ReshapeLike {
 public:
  explicit Squeeze(bool axes_input) : axes_input_(axes_input) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, axes_input_ ? 2 : 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Shape& in = ctx.input(0).shape();
    const int64_t rank = static_cast<int64_t>(in.size());
    bool present = false;
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadAxes(ctx, axes_input_, 1, &present));
    std::vector<bool> drop(in.size(), false);
    if (!present) {
      for (int64_t d = 0; d < rank; ++d) drop[d] = in[d] == 1;
    } else {
      for (int64_t a : axes) {
        CC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a, rank));
        if (drop[axis]) return InvalidArgument("axes " + ListToString(axes) + " has a duplicate");
        if (in[axis] != 1) {
          return InvalidArgument("cannot squeeze axis " + std::to_string(a) + " of shape " +
                                 ShapeToString(in) + ": its size is not 1");
        }
        drop[axis] = true;
      }
    }
    out_shape_.clear();
    for (int64_t d = 0; d < rank; ++d) {
      if (!drop[d]) out_shape_.push_back(in[d]);
    }
    return Status::Ok();
  }

 private:
  const bool axes_input_;
};

class Unsqueeze final : public ReshapeLike {
 public:
  explicit Unsqueeze(bool axes_input) : axes_input_(axes_input) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(axes_input_ ? 2 : 1, axes_input_ ? 2 : 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Shape& in = ctx.input(0).shape();
    bool present = false;
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadAxes(ctx, axes_input_, 1, &present));
    if (!present) return InvalidArgument("axes is required");
    const int64_t out_rank = static_cast<int64_t>(in.size() + axes.size());
    std::vector<bool> inserted(out_rank, false);
    for (int64_t a : axes) {
      CC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a, out_rank));
      if (inserted[axis]) return InvalidArgument("axes " + ListToString(axes) + " has a duplicate");
      inserted[axis] = true;
    }
    out_shape_.clear();
    size_t next = 0;
    for (int64_t d = 0; d < out_rank; ++d) out_shape_.push_back(inserted[d] ? 1 : in[next++]);
    return Status::Ok();
  }

 private:
  const bool axes_input_;
};

class Identity final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    ctx.SetOutputValue(0, ctx.input_value(0));
    return Status::Ok();
  }
};

class ShapeOp final : public Kernel {
 public:
  explicit ShapeOp(bool has_slice) : has_slice_(has_slice) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const int64_t rank = ctx.input(0).rank();
    begin_ = 0;
    end_ = rank;
    if (has_slice_) {
      // Out-of-range start/end are clamped, not errors (spec, opset 15).
      auto clamp = [rank](int64_t v) {
        if (v < 0) v += rank;
        return std::clamp<int64_t>(v, 0, rank);
      };
      begin_ = clamp(ctx.attr_int("start", 0));
      if (ctx.has_attr("end")) end_ = clamp(ctx.attr_int("end", rank));
    }
    ctx.SetOutput(0, DataType::kInt64, {std::max<int64_t>(end_ - begin_, 0)});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Shape& in = ctx.input(0).shape();
    int64_t* out = ctx.output(0).MutableData<int64_t>();
    for (int64_t d = begin_; d < end_; ++d) out[d - begin_] = in[d];
    return Status::Ok();
  }

 private:
  const bool has_slice_;
  int64_t begin_ = 0, end_ = 0;
};

class Size final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    ctx.SetOutput(0, DataType::kInt64, {});
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    ctx.output(0).MutableData<int64_t>()[0] = ctx.input(0).num_elements();
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeReshape() { return std::make_unique<Reshape>(/*has_allowzero=*/false); }
std::unique_ptr<Kernel> MakeReshapeAllowZero() {
  return std::make_unique<Reshape>(/*has_allowzero=*/true);
}
std::unique_ptr<Kernel> MakeFlatten() { return std::make_unique<Flatten>(); }
std::unique_ptr<Kernel> MakeSqueezeAxesAttr() {
  return std::make_unique<Squeeze>(/*axes_input=*/false);
}
std::unique_ptr<Kernel> MakeSqueeze() { return std::make_unique<Squeeze>(/*axes_input=*/true); }
std::unique_ptr<Kernel> MakeUnsqueezeAxesAttr() {
  return std::make_unique<Unsqueeze>(/*axes_input=*/false);
}
std::unique_ptr<Kernel> MakeUnsqueeze() { return std::make_unique<Unsqueeze>(/*axes_input=*/true); }
std::unique_ptr<Kernel> MakeIdentity() { return std::make_unique<Identity>(); }
std::unique_ptr<Kernel> MakeShape() { return std::make_unique<ShapeOp>(/*has_slice=*/false); }
std::unique_ptr<Kernel> MakeShapeSliced() { return std::make_unique<ShapeOp>(/*has_slice=*/true); }
std::unique_ptr<Kernel> MakeSize() { return std::make_unique<Size>(); }

}  // namespace convcheck::interp
