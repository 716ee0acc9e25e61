//===- interp/kernels/nn/depth_to_space.cc - DepthToSpace, SpaceToDepth ---===//
//
// Pure data movement on [N, C, H, W] with block size b, written as the spec's
// reshape-transpose-reshape (numpy):
//   DepthToSpace DCR (default, opsets 1+): x.reshape(N, b, b, C/b², H, W)
//                                           .transpose(0, 3, 4, 1, 5, 2)
//   DepthToSpace CRD (opset 11+):          x.reshape(N, C/b², b, b, H, W)
//                                           .transpose(0, 1, 4, 2, 5, 3)
//   SpaceToDepth (opsets 1+):               x.reshape(N, C, H/b, b, W/b, b)
//                                           .transpose(0, 3, 5, 1, 2, 4)
// Every element type is accepted (opset 13 widened the constraint to all types); elements are
// copied bytewise, strings by value.
//
//===----------------------------------------------------------------------===//
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

class BlockRearrange final : public Kernel {
 public:
  explicit BlockRearrange(bool to_space) : to_space_(to_space) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (x.rank() != 4) {
      return InvalidArgument("input has shape " + ShapeToString(x.shape()) +
                             ", expected rank 4 [N,C,H,W]");
    }
    if (!ctx.has_attr("blocksize")) return InvalidArgument("attribute blocksize is required");
    const int64_t b = ctx.attr_int("blocksize", 1);
    if (b < 1) return InvalidArgument("blocksize " + std::to_string(b) + " must be positive");
    const int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
    Shape y_shape;
    if (to_space_) {
      const std::string mode = ctx.attr_string("mode", "DCR");
      if (mode != "DCR" && mode != "CRD") {
        return InvalidArgument("mode '" + mode + "' is not DCR or CRD");
      }
      if (c % (b * b) != 0) {
        return InvalidArgument("channels " + std::to_string(c) + " are not divisible by blocksize² " +
                               std::to_string(b * b));
      }
      const int64_t oc = c / (b * b);
      if (mode == "DCR") {
        view_ = {n, b, b, oc, h, w};
        perm_ = {0, 3, 4, 1, 5, 2};
      } else {
        view_ = {n, oc, b, b, h, w};
        perm_ = {0, 1, 4, 2, 5, 3};
      }
      y_shape = {n, oc, h * b, w * b};
    } else {
      if (h % b != 0 || w % b != 0) {
        return InvalidArgument("height " + std::to_string(h) + " and width " + std::to_string(w) +
                               " must be divisible by blocksize " + std::to_string(b));
      }
      view_ = {n, c, h / b, b, w / b, b};
      perm_ = {0, 3, 5, 1, 2, 4};
      y_shape = {n, c * b * b, h / b, w / b};
    }
    ctx.SetOutput(0, x.dtype(), y_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    // Strides of the 6-D view of x, then permuted: walking the output in row-major order reads
    // x at sum(index[k] * in_strides[perm[k]]).
    std::array<int64_t, 6> in_strides{};
    int64_t s = 1;
    for (int k = 5; k >= 0; --k) {
      in_strides[k] = s;
      s *= view_[k];
    }
    std::array<int64_t, 6> out_dims{}, strides{};
    for (int k = 0; k < 6; ++k) {
      out_dims[k] = view_[perm_[k]];
      strides[k] = in_strides[perm_[k]];
    }
    const bool is_string = x.dtype() == DataType::kString;
    const int64_t elem = DataTypeSize(x.dtype());
    const auto* src = static_cast<const uint8_t*>(x.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    std::array<int64_t, 6> idx{};
    for (int64_t out = 0; out < y.num_elements(); ++out) {
      int64_t in = 0;
      for (int k = 0; k < 6; ++k) in += idx[k] * strides[k];
      if (is_string) {
        y.mutable_strings()[out] = x.strings()[in];
      } else {
        std::memcpy(dst + out * elem, src + in * elem, static_cast<size_t>(elem));
      }
      for (int k = 5; k >= 0; --k) {
        if (++idx[k] < out_dims[k]) break;
        idx[k] = 0;
      }
    }
    return Status::Ok();
  }

 private:
  const bool to_space_;
  std::array<int64_t, 6> view_{}, perm_{};
};

}  // namespace

std::unique_ptr<Kernel> MakeDepthToSpace() {
  return std::make_unique<BlockRearrange>(/*to_space=*/true);
}
std::unique_ptr<Kernel> MakeSpaceToDepth() {
  return std::make_unique<BlockRearrange>(/*to_space=*/false);
}

}  // namespace convcheck::interp
