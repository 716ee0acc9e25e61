//===- interp/kernels/nn/conv_transpose.cc - ConvTranspose ----------------===//
//
// The adjoint of Conv, for 1 to 3 spatial dims, as GEMM + col2im per (batch, group):
//   col (M/group*K x in) = W[g]^T (M/group*K x C/group) * X[n, g] (C/group x in),
// then every column entry is added into the output position its kernel tap reaches.
//
// Opsets 1+ (11 made kernel_shape optional and fixed the SAME_* wording). Output size:
//   out = stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - pad_begin - pad_end,
// unless output_shape is given (or auto_pad is SAME_*, which asks for out = in * stride); then
//   total = stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - out
// is split as the spec says: SAME_UPPER puts total/2 at the beginning, anything else puts
// total - total/2 there.
//
// Numerics: as Conv (OpenBLAS for float32/float64, double accumulation for float16); col2im
// sums in the element type's compute type.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "interp/kernels/common/gemm.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/nn/im2col.h"
#include "interp/kernels/nn/window.h"

namespace convcheck::interp {
namespace {

using nn::Geometry;

class ConvTranspose final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (x.dtype() != DataType::kFloat32 && x.dtype() != DataType::kFloat64 &&
        x.dtype() != DataType::kFloat16) {
      return InvalidArgument("ConvTranspose does not accept " +
                             std::string(DataTypeName(x.dtype())) + " input");
    }
    if (w.dtype() != x.dtype()) {
      return InvalidArgument("ConvTranspose inputs have different types: X is " +
                             std::string(DataTypeName(x.dtype())) + ", W is " +
                             std::string(DataTypeName(w.dtype())));
    }
    CC_ASSIGN_OR_RETURN(const int rank, nn::SpatialRank(x.shape(), "input X"));
    if (w.rank() != x.rank()) {
      return InvalidArgument("weight W has shape " + ShapeToString(w.shape()) +
                             " but input X has shape " + ShapeToString(x.shape()) +
                             ": ranks differ");
    }
    batch_ = x.shape()[0];
    channels_ = x.shape()[1];
    group_ = ctx.attr_int("group", 1);
    if (group_ < 1 || channels_ % group_ != 0 || w.shape()[0] != channels_) {
      return InvalidArgument("weight W has shape " + ShapeToString(w.shape()) +
                             ": dimension 0 must equal the " + std::to_string(channels_) +
                             " input channels, divisible by group " + std::to_string(group_));
    }
    maps_ = w.shape()[1] * group_;

    nn::WindowAttrs attrs;
    const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
    CC_RETURN_IF_ERROR(nn::ReadWindowAttrs(ctx, rank, kernel, /*allow_ceil=*/false, &attrs));
    const std::vector<int64_t> output_padding =
        ctx.attr_ints("output_padding", std::vector<int64_t>(rank, 0));
    if (static_cast<int>(output_padding.size()) != rank) {
      return InvalidArgument("output_padding " + nn::IntsToString(output_padding) + " has " +
                             std::to_string(output_padding.size()) + " entries, expected " +
                             std::to_string(rank));
    }
    std::vector<int64_t> output_shape = ctx.attr_ints("output_shape");
    if (static_cast<int>(output_shape.size()) == rank + 2) {
      output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
    }
    if (!output_shape.empty() && static_cast<int>(output_shape.size()) != rank) {
      return InvalidArgument("output_shape " + nn::IntsToString(ctx.attr_ints("output_shape")) +
                             " does not have " + std::to_string(rank) + " spatial entries");
    }

    // The col2im geometry: its "in" is our output image, its "out" is our input grid.
    Geometry& g = image_;
    g = Geometry();
    g.rank = rank;
    const int off = 3 - rank;
    for (int i = 0; i < rank; ++i) {
      const int j = i + off;
      const int64_t in = x.shape()[2 + i];
      const int64_t s = attrs.strides[i];
      const int64_t full = s * (in - 1) + output_padding[i] + (attrs.kernel[i] - 1) * attrs.dilations[i] + 1;
      if (output_padding[i] < 0) {
        return InvalidArgument("output_padding " + nn::IntsToString(output_padding) +
                               " has a negative entry");
      }
      int64_t out = 0, pb = 0, pe = 0;
      const bool same = attrs.auto_pad == nn::AutoPad::kSameUpper ||
                        attrs.auto_pad == nn::AutoPad::kSameLower;
      if (!output_shape.empty() || same) {
        out = !output_shape.empty() ? output_shape[i] : in * s;
        // An output_shape beyond the full size does not pad negatively: the extra positions
        // stay zero at the end (onnxruntime, and the ONNX test data, do the same).
        const int64_t total = std::max<int64_t>(0, full - out);
        if (attrs.auto_pad == nn::AutoPad::kSameUpper) {
          pb = total / 2;
        } else {
          pb = total - total / 2;
        }
        pe = full - out - pb;
      } else {
        if (attrs.auto_pad == nn::AutoPad::kNotSet) {
          pb = attrs.pads[i];
          pe = attrs.pads[i + rank];
        }
        out = full - pb - pe;
      }
      if (out < 0) {
        return InvalidArgument("output spatial dimension " + std::to_string(i) + " would be " +
                               std::to_string(out));
      }
      g.in[j] = out;
      g.out[j] = in;
      g.kernel[j] = attrs.kernel[i];
      g.stride[j] = s;
      g.dilation[j] = attrs.dilations[i];
      g.pad_begin[j] = pb;
      g.pad_end[j] = pe;
    }
    has_bias_ = ctx.has_input(2);
    if (has_bias_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
      const Tensor& b = ctx.input(2);
      if (b.dtype() != x.dtype() || b.shape() != Shape{maps_}) {
        return InvalidArgument("bias B is " + std::string(DataTypeName(b.dtype())) +
                               ShapeToString(b.shape()) + ", expected " +
                               std::string(DataTypeName(x.dtype())) + "[" +
                               std::to_string(maps_) + "]");
      }
    }
    Shape y_shape{batch_, maps_};
    for (int i = 0; i < rank; ++i) y_shape.push_back(g.in[i + off]);
    ctx.SetOutput(0, x.dtype(), y_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    return Dispatch<float, double, Float16>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      const T* wd = ctx.input(1).Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      const Geometry& g = image_;
      const int64_t cg = channels_ / group_, mg = maps_ / group_;
      const int64_t rows = mg * g.kernel_size();
      const int64_t x_size = g.out_size(), y_size = g.in_size();
      std::vector<T> col(static_cast<size_t>(rows * x_size));
      for (int64_t n = 0; n < batch_; ++n) {
        for (int64_t gi = 0; gi < group_; ++gi) {
          Gemm<T>(/*trans_a=*/true, /*trans_b=*/false, rows, x_size, cg, /*alpha=*/1.0,
                  wd + gi * cg * rows, rows, xd + (n * channels_ + gi * cg) * x_size, x_size,
                  /*beta=*/0.0, col.data(), x_size);
          nn::Col2Im<T>(col.data(), mg, g, y + (n * maps_ + gi * mg) * y_size);
        }
      }
      if (has_bias_) {
        const T* b = ctx.input(2).Data<T>();
        for (int64_t n = 0; n < batch_; ++n) {
          for (int64_t m = 0; m < maps_; ++m) {
            T* ym = y + (n * maps_ + m) * y_size;
            const auto bias = Load(b[m]);
            for (int64_t i = 0; i < y_size; ++i) ym[i] = Store<T>(Load(ym[i]) + bias);
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t batch_ = 0, channels_ = 0, maps_ = 0, group_ = 1;
  Geometry image_;
  bool has_bias_ = false;
};

}  // namespace

std::unique_ptr<Kernel> MakeConvTranspose() { return std::make_unique<ConvTranspose>(); }

}  // namespace convcheck::interp
