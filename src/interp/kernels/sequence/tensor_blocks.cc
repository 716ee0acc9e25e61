//===- interp/kernels/sequence/tensor_blocks.cc - Slicing and joining along an axis ===//
#include "interp/kernels/sequence/tensor_blocks.h"

#include <cstring>

namespace convcheck::interp::tensor_blocks {
namespace {

int64_t Product(const Shape& shape, int64_t begin, int64_t end) {
  int64_t n = 1;
  for (int64_t i = begin; i < end; ++i) n *= shape[i];
  return n;
}

// Copies `count` elements from src[src_offset...] to dst[dst_offset...] (offsets in elements).
void CopyElements(const Tensor& src, int64_t src_offset, Tensor& dst, int64_t dst_offset,
                  int64_t count) {
  if (count == 0) return;
  if (src.dtype() == DataType::kString) {
    const auto& in = src.strings();
    auto& out = dst.mutable_strings();
    for (int64_t i = 0; i < count; ++i) out[dst_offset + i] = in[src_offset + i];
    return;
  }
  const int64_t size = DataTypeSize(src.dtype());
  std::memcpy(static_cast<uint8_t*>(dst.mutable_raw_data()) + dst_offset * size,
              static_cast<const uint8_t*>(src.raw_data()) + src_offset * size,
              static_cast<size_t>(count * size));
}

}  // namespace

StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const std::string& what) {
  if (axis < -rank || axis >= rank) {
    return InvalidArgument(what + " " + std::to_string(axis) + " is out of range for rank " +
                           std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

Tensor SliceAxis(const Tensor& tensor, int64_t axis, int64_t start, int64_t length) {
  const Shape& shape = tensor.shape();
  CC_CHECK(axis >= 0 && axis < tensor.rank());
  CC_CHECK(start >= 0 && length >= 0 && start + length <= shape[axis]);
  Shape out_shape = shape;
  out_shape[axis] = length;
  Tensor out(tensor.dtype(), out_shape);
  const int64_t outer = Product(shape, 0, axis);
  const int64_t inner = Product(shape, axis + 1, tensor.rank());
  for (int64_t o = 0; o < outer; ++o) {
    CopyElements(tensor, (o * shape[axis] + start) * inner, out, o * length * inner,
                 length * inner);
  }
  return out;
}

Tensor TakeAlongAxis(const Tensor& tensor, int64_t axis, int64_t index) {
  Tensor slice = SliceAxis(tensor, axis, index, 1);
  Shape shape = slice.shape();
  shape.erase(shape.begin() + axis);
  return slice.Reshaped(shape);
}

Tensor ConcatAxis(const std::vector<const Tensor*>& items, int64_t axis) {
  CC_CHECK(!items.empty());
  Shape out_shape = items[0]->shape();
  out_shape[axis] = 0;
  for (const Tensor* t : items) out_shape[axis] += t->shape()[axis];
  Tensor out(items[0]->dtype(), out_shape);
  const int64_t outer = Product(out_shape, 0, axis);
  const int64_t inner = Product(out_shape, axis + 1, static_cast<int64_t>(out_shape.size()));
  int64_t offset_in_axis = 0;
  for (const Tensor* t : items) {
    const int64_t len = t->shape()[axis];
    for (int64_t o = 0; o < outer; ++o) {
      CopyElements(*t, o * len * inner, out, (o * out_shape[axis] + offset_in_axis) * inner,
                   len * inner);
    }
    offset_in_axis += len;
  }
  return out;
}

Tensor StackAxis(const std::vector<const Tensor*>& items, int64_t axis) {
  CC_CHECK(!items.empty());
  std::vector<Tensor> expanded;
  expanded.reserve(items.size());
  for (const Tensor* t : items) {
    Shape shape = t->shape();
    shape.insert(shape.begin() + axis, 1);
    expanded.push_back(t->Reshaped(shape));
  }
  std::vector<const Tensor*> ptrs;
  for (const Tensor& t : expanded) ptrs.push_back(&t);
  return ConcatAxis(ptrs, axis);
}

std::string CheckCompatible(const std::vector<const Tensor*>& items, int64_t except_axis) {
  for (size_t i = 1; i < items.size(); ++i) {
    const Tensor& a = *items[0];
    const Tensor& b = *items[i];
    if (a.dtype() != b.dtype()) {
      return "element " + std::to_string(i) + " is " + std::string(DataTypeName(b.dtype())) +
             " but element 0 is " + std::string(DataTypeName(a.dtype()));
    }
    bool same = a.rank() == b.rank();
    for (int64_t d = 0; same && d < a.rank(); ++d) {
      if (d != except_axis && a.shape()[d] != b.shape()[d]) same = false;
    }
    if (!same) {
      return "element " + std::to_string(i) + " has shape " + ShapeToString(b.shape()) +
             " but element 0 has shape " + ShapeToString(a.shape());
    }
  }
  return "";
}

}  // namespace convcheck::interp::tensor_blocks
