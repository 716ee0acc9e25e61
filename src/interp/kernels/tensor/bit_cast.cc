//===- interp/kernels/tensor/bit_cast.cc - BitCast, CenterCropPad ----------===//
//
// Two ops that only move bytes:
//   BitCast 26+: the input's bytes reinterpreted as the type `to`, which must have the same bit
//     width (strings excluded); the shape is kept. Sub-byte types (int4, float4, int2) keep
//     one element per byte here, so they bit-cast only among themselves of the same width.
//   CenterCropPad 18+: each axis in `axes` (default all) is cropped or zero-padded to the
//     length in `shape` (int32/int64), centred: a crop starts at floor((in - out) / 2), a pad
//     puts floor((out - in) / 2) before and the rest after.
//
//===----------------------------------------------------------------------===//
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "core/small_float.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

int BitWidth(DataType t) {
  if (IsSmallType(t)) return SmallTypeBits(t);
  if (t == DataType::kBool) return 8;
  return static_cast<int>(DataTypeSize(t)) * 8;
}

class BitCast final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    const int64_t code = ctx.attr_int("to", 0);  // Read before the width check below.
    const std::optional<DataType> to = DataTypeFromOnnxCode(static_cast<int32_t>(code));
    if (!to || *to == DataType::kUndefined || *to == DataType::kString ||
        x.dtype() == DataType::kString) {
      return InvalidArgument("BitCast from " + std::string(DataTypeName(x.dtype())) + " to type " +
                             std::to_string(code) + " is not supported (strings never are)");
    }
    // Float64 mode widened the model's float32 (or float16) input; the bits BitCast must see
    // are those of the declared type, so it is rounded back first.
    from_ = x.dtype();
    if (ctx.precise() && x.dtype() == DataType::kFloat64 && BitWidth(*to) != 64) {
      from_ = BitWidth(*to) == 32 ? DataType::kFloat32 : DataType::kFloat16;
    }
    if (BitWidth(*to) != BitWidth(from_)) {
      return InvalidArgument("BitCast from " + std::string(DataTypeName(x.dtype())) + " (" +
                             std::to_string(BitWidth(x.dtype())) + " bits) to " +
                             std::string(DataTypeName(*to)) + " (" + std::to_string(BitWidth(*to)) +
                             " bits) changes the bit width");
    }
    to_ = *to;
    ctx.SetOutput(0, ctx.ComputeType(*to), x.shape());  // float64 in float64 mode.
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor narrowed;
    if (from_ != ctx.input(0).dtype()) {
      narrowed = Tensor(from_, ctx.input(0).shape());
      for (int64_t i = 0; i < narrowed.num_elements(); ++i) {
        narrowed.SetFromDouble(i, ctx.input(0).GetAsDouble(i));
      }
    }
    const Tensor& x = from_ != ctx.input(0).dtype() ? narrowed : ctx.input(0);
    Tensor bits(to_, x.shape());
    Tensor& y = to_ == ctx.output(0).dtype() ? ctx.output(0) : bits;
    if (x.byte_size() > 0) std::memcpy(y.mutable_raw_data(), x.raw_data(), x.byte_size());
    if (y.dtype() == DataType::kBool) {  // Any nonzero byte reads as true.
      auto* bytes = static_cast<uint8_t*>(y.mutable_raw_data());
      for (int64_t i = 0; i < y.byte_size(); ++i) bytes[i] = bytes[i] != 0;
    }
    if (IsSmallType(x.dtype()) && SmallTypeBits(x.dtype()) < 8) {
      // One element per byte: keep the low bits and re-extend the sign for the signed targets.
      const int bits = SmallTypeBits(x.dtype());
      const uint8_t mask = static_cast<uint8_t>((1u << bits) - 1);
      const bool sign = y.dtype() == DataType::kInt4 || y.dtype() == DataType::kInt2;
      auto* bytes = static_cast<uint8_t*>(y.mutable_raw_data());
      for (int64_t i = 0; i < y.byte_size(); ++i) {
        uint8_t v = bytes[i] & mask;
        if (sign && (v & (1u << (bits - 1)))) v |= static_cast<uint8_t>(~mask);
        bytes[i] = v;
      }
    }
    if (&y == &bits) {  // Float64 mode: widen the reinterpreted float.
      for (int64_t i = 0; i < bits.num_elements(); ++i) {
        ctx.output(0).SetFromDouble(i, bits.GetAsDouble(i));
      }
    }
    return Status::Ok();
  }

 private:
  DataType from_ = DataType::kUndefined;  // The type whose bits are reinterpreted.
  DataType to_ = DataType::kUndefined;
};

class CenterCropPad final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    CC_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, ReadInt64s(ctx.input(1), "shape"));
    std::vector<int64_t> axes = ctx.attr_ints("axes");
    if (axes.empty()) {
      for (int64_t d = 0; d < x.rank(); ++d) axes.push_back(d);
    }
    if (axes.size() != sizes.size()) {
      return InvalidArgument("shape " + ListToString(sizes) + " has " +
                             std::to_string(sizes.size()) + " entries for " +
                             std::to_string(axes.size()) + " axes");
    }
    Shape out = x.shape();
    begin_.assign(x.rank(), 0);
    for (size_t k = 0; k < axes.size(); ++k) {
      CC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axes[k], x.rank(), "axes"));
      if (sizes[k] < 0) return InvalidArgument("shape " + ListToString(sizes) + " is negative");
      out[axis] = sizes[k];
      // Output coordinate o reads input coordinate o + begin (crop: begin >= 0, pad: < 0).
      const int64_t diff = x.shape()[axis] - sizes[k];
      begin_[axis] = diff >= 0 ? diff / 2 : -((-diff) / 2);
    }
    ctx.SetOutput(0, x.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rank = x.rank();
    const std::vector<int64_t> strides = Strides(x.shape());
    return DispatchMove(x.dtype(), [&]<typename T>() {
      const T* src = Elems<T>(x);
      T* dst = MutableElems<T>(y);
      std::vector<int64_t> coord(rank, 0);
      for (int64_t o = 0; o < y.num_elements(); ++o) {
        int64_t offset = 0;
        bool inside = true;
        for (int64_t d = 0; d < rank; ++d) {
          const int64_t i = coord[d] + begin_[d];
          if (i < 0 || i >= x.shape()[d]) inside = false;
          offset += i * strides[d];
        }
        if (inside) dst[o] = src[offset];  // Outside stays zero (the tensor starts zeroed).
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++coord[d] < y.shape()[d]) break;
          coord[d] = 0;
        }
      }
      return Status::Ok();
    });
  }

 private:
  std::vector<int64_t> begin_;
};

}  // namespace

std::unique_ptr<Kernel> MakeBitCast() { return std::make_unique<BitCast>(); }
std::unique_ptr<Kernel> MakeCenterCropPad() { return std::make_unique<CenterCropPad>(); }

}  // namespace convcheck::interp
