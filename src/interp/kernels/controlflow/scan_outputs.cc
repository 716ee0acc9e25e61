//===- interp/kernels/controlflow/scan_outputs.cc - Stacking per-iteration outputs ===//
#include "interp/kernels/controlflow/scan_outputs.h"

#include "interp/kernels/sequence/tensor_blocks.h"

namespace convcheck::interp::scan_outputs {

Status CheckSameAsFirst(const Tensor& first, const Tensor& next, int64_t iteration,
                        const std::string& what) {
  if (first.dtype() != next.dtype() || first.shape() != next.shape()) {
    return InvalidArgument(what + " is " + std::string(DataTypeName(next.dtype())) +
                           ShapeToString(next.shape()) + " in iteration " +
                           std::to_string(iteration) + " but " +
                           std::string(DataTypeName(first.dtype())) +
                           ShapeToString(first.shape()) +
                           " in iteration 0; scan outputs must keep one shape");
  }
  return Status::Ok();
}

Tensor Stack(const KernelContext& ctx, const std::vector<Tensor>& items, int64_t axis,
             const onnx::ValueInfoProto& declared) {
  if (!items.empty()) {
    std::vector<const Tensor*> ptrs;
    for (const Tensor& t : items) ptrs.push_back(&t);
    return tensor_blocks::StackAxis(ptrs, axis);
  }
  DataType dtype = DataType::kFloat32;
  Shape shape;
  if (declared.type().has_tensor_type()) {
    const auto& tt = declared.type().tensor_type();
    auto code = DataTypeFromOnnxCode(tt.elem_type());
    if (code && *code != DataType::kUndefined) dtype = *code;
    if (tt.has_shape()) {
      for (const auto& d : tt.shape().dim()) shape.push_back(d.has_dim_value() ? d.dim_value() : 0);
    }
  }
  if (axis > static_cast<int64_t>(shape.size())) axis = static_cast<int64_t>(shape.size());
  shape.insert(shape.begin() + axis, 0);
  return Tensor(ctx.ComputeType(dtype), shape);
}

}  // namespace convcheck::interp::scan_outputs
