//===- interp/kernels/tensor/tensor_util.cc - Helpers for data-movement ops ===//
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp::tensor_ops {

StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const std::string& what) {
  if (axis < -rank || axis >= rank) {
    return InvalidArgument(what + " " + std::to_string(axis) + " is out of range for rank " +
                           std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

StatusOr<std::vector<int64_t>> ReadInt64s(const Tensor& t, const std::string& what) {
  std::vector<int64_t> out(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == DataType::kInt64) {
    const int64_t* p = t.Data<int64_t>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
  } else if (t.dtype() == DataType::kInt32) {
    const int32_t* p = t.Data<int32_t>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
  } else {
    return InvalidArgument(what + " must be int32 or int64, got " +
                           std::string(DataTypeName(t.dtype())));
  }
  return out;
}

std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) {
    strides[d] = strides[d + 1] * shape[d + 1];
  }
  return strides;
}

int64_t Product(const Shape& shape, int64_t begin, int64_t end) {
  int64_t p = 1;
  for (int64_t d = begin; d < end; ++d) p *= shape[d];
  return p;
}

std::string ListToString(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(values[i]);
  }
  return s + "]";
}

StatusOr<std::vector<int64_t>> ReadAxes(const KernelContext& ctx, bool from_input,
                                        int input_index, bool* present) {
  if (from_input) {
    *present = ctx.has_input(input_index);
    if (!*present) return std::vector<int64_t>{};
    CC_RETURN_IF_ERROR(ctx.RequireTensor(input_index));
    return ReadInt64s(ctx.input(input_index), "axes");
  }
  *present = ctx.has_attr("axes");
  return ctx.attr_ints("axes");
}

}  // namespace convcheck::interp::tensor_ops
