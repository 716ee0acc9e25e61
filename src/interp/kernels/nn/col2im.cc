//===- interp/kernels/nn/col2im.cc - Col2Im, AffineGrid, DeformConv -------===//
//
// Three spatial ops added after opset 17:
//   Col2Im 18+: input [N, C * prod(block_shape), L] holds, for each of the L sliding blocks (in
//     row-major order of their positions), C blocks of block_shape values; they are summed back
//     into an image [N, C, image_shape...] at position start * stride - pad_begin + k * dilation
//     (positions outside the image are dropped). L must equal the number of block positions,
//     prod_d (image_d + pads - dilation_d * (block_d - 1) - 1) / stride_d + 1.
//   AffineGrid 20+: for theta [N, 2, 3] (or [N, 3, 4]) and size [N, C, H, W] (or with D), the
//     grid [N, H, W, 2] ([N, D, H, W, 3]) of theta @ (x, y[, z], 1), where x runs along W over
//     -1..1: align_corners ? -1 + 2 i / (n - 1) : (2 i + 1) / n - 1 (0 for n = 1).
//   DeformConv 19+ (2-D; 22 only adds bfloat16): a convolution whose kernel taps sample X at
//     positions shifted by `offset` [N, offset_group * kH * kW * 2, oH, oW] (per offset group
//     and tap: the h then the w shift), bilinearly, reading 0 outside X, each tap weighted by
//     `mask` [N, offset_group * kH * kW, oH, oW] (default 1); plus bias B.
//
// Numerics: sums and interpolation in double, rounded once to the element type.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

StatusOr<std::vector<int64_t>> ReadInts(const KernelContext& ctx, int i, const char* name) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  const Tensor& t = ctx.input(i);
  if ((t.dtype() != DataType::kInt64 && t.dtype() != DataType::kInt32) || t.rank() != 1) {
    return InvalidArgument(std::string(name) + " must be a 1-D int64 tensor, got " +
                           std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
  }
  std::vector<int64_t> v;
  for (int64_t k = 0; k < t.num_elements(); ++k)
    v.push_back(static_cast<int64_t>(t.GetAsDouble(k)));
  return v;
}

std::vector<int64_t> IntsOr(const KernelContext& ctx, const char* name, size_t n, int64_t value) {
  std::vector<int64_t> v = ctx.attr_ints(name);
  if (v.empty()) v.assign(n, value);
  return v;
}

// ---------------------------------------------------------------------------------------------

class Col2Im final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (!IsFloatingPoint(x.dtype()) && !IsInteger(x.dtype())) {
      return InvalidArgument("Col2Im input must be numeric, got " +
                             std::string(DataTypeName(x.dtype())));
    }
    CC_ASSIGN_OR_RETURN(image_, ReadInts(ctx, 1, "image_shape"));
    CC_ASSIGN_OR_RETURN(block_, ReadInts(ctx, 2, "block_shape"));
    const size_t n = image_.size();
    if (block_.size() != n || n == 0) {
      return InvalidArgument("image_shape and block_shape have " + std::to_string(n) + " and " +
                             std::to_string(block_.size()) + " entries; expected one count > 0");
    }
    strides_ = IntsOr(ctx, "strides", n, 1);
    dilations_ = IntsOr(ctx, "dilations", n, 1);
    pads_ = IntsOr(ctx, "pads", 2 * n, 0);
    if (strides_.size() != n || dilations_.size() != n || pads_.size() != 2 * n) {
      return InvalidArgument("strides, dilations and pads must have " + std::to_string(n) + ", " +
                             std::to_string(n) + " and " + std::to_string(2 * n) + " entries");
    }
    if (x.rank() != 3) {
      return InvalidArgument("input has shape " + ShapeToString(x.shape()) +
                             ", expected [N, C * prod(block_shape), L]");
    }
    int64_t block_size = 1, blocks = 1;
    positions_.assign(n, 0);
    for (size_t d = 0; d < n; ++d) {
      if (block_[d] <= 0 || strides_[d] <= 0 || dilations_[d] <= 0) {
        return InvalidArgument("block_shape, strides and dilations must be positive");
      }
      block_size *= block_[d];
      const int64_t span = dilations_[d] * (block_[d] - 1) + 1;
      positions_[d] = (image_[d] + pads_[d] + pads_[d + n] - span) / strides_[d] + 1;
      if (positions_[d] <= 0) {
        return InvalidArgument("block of extent " + std::to_string(span) +
                               " does not fit image dimension " + std::to_string(d));
      }
      blocks *= positions_[d];
    }
    if (x.shape()[1] % block_size != 0 || x.shape()[2] != blocks) {
      return InvalidArgument("input has shape " + ShapeToString(x.shape()) + ", expected [N, C * " +
                             std::to_string(block_size) + ", " + std::to_string(blocks) + "]");
    }
    channels_ = x.shape()[1] / block_size;
    Shape out = {x.shape()[0], channels_};
    out.insert(out.end(), image_.begin(), image_.end());
    ctx.SetOutput(0, x.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const size_t n = image_.size();
    int64_t image_size = 1, block_size = 1, blocks = 1;
    for (size_t d = 0; d < n; ++d) {
      image_size *= image_[d];
      block_size *= block_[d];
      blocks *= positions_[d];
    }
    std::vector<double> sums(static_cast<size_t>(y.num_elements()), 0.0);
    std::vector<int64_t> kernel(n), position(n);
    for (int64_t b = 0; b < x.shape()[0]; ++b) {
      for (int64_t c = 0; c < channels_; ++c) {
        for (int64_t k = 0; k < block_size; ++k) {
          for (int64_t r = k, d = static_cast<int64_t>(n) - 1; d >= 0; --d) {
            kernel[d] = r % block_[d];
            r /= block_[d];
          }
          for (int64_t l = 0; l < blocks; ++l) {
            for (int64_t r = l, d = static_cast<int64_t>(n) - 1; d >= 0; --d) {
              position[d] = r % positions_[d];
              r /= positions_[d];
            }
            int64_t offset = 0;
            bool inside = true;
            for (size_t d = 0; d < n; ++d) {
              const int64_t at = position[d] * strides_[d] - pads_[d] + kernel[d] * dilations_[d];
              inside = inside && at >= 0 && at < image_[d];
              offset = offset * image_[d] + at;
            }
            if (!inside) continue;
            const int64_t in = ((b * channels_ + c) * block_size + k) * blocks + l;
            sums[(b * channels_ + c) * image_size + offset] += x.GetAsDouble(in);
          }
        }
      }
    }
    for (size_t i = 0; i < sums.size(); ++i) y.SetFromDouble(static_cast<int64_t>(i), sums[i]);
    return Status::Ok();
  }

 private:
  std::vector<int64_t> image_, block_, strides_, dilations_, pads_, positions_;
  int64_t channels_ = 0;
};

// ---------------------------------------------------------------------------------------------

class AffineGrid final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& theta = ctx.input(0);
    if (!IsFloatingPoint(theta.dtype())) {
      return InvalidArgument("theta must be float, got " +
                             std::string(DataTypeName(theta.dtype())));
    }
    CC_ASSIGN_OR_RETURN(size_, ReadInts(ctx, 1, "size"));
    if (size_.size() != 4 && size_.size() != 5) {
      return InvalidArgument("size has " + std::to_string(size_.size()) +
                             " entries, expected 4 (N,C,H,W) or 5 (N,C,D,H,W)");
    }
    dims_ = static_cast<int64_t>(size_.size()) - 2;
    if (theta.shape() != Shape{size_[0], dims_, dims_ + 1}) {
      return InvalidArgument("theta has shape " + ShapeToString(theta.shape()) + ", expected [" +
                             std::to_string(size_[0]) + "," + std::to_string(dims_) + "," +
                             std::to_string(dims_ + 1) + "]");
    }
    for (int64_t s : size_) {
      if (s < 0) return InvalidArgument("size has a negative entry");
    }
    align_corners_ = ctx.attr_int("align_corners", 0) != 0;
    Shape out = {size_[0]};
    out.insert(out.end(), size_.begin() + 2, size_.end());
    out.push_back(dims_);
    ctx.SetOutput(0, theta.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& theta = ctx.input(0);
    Tensor& y = ctx.output(0);
    auto linspace = [&](int64_t i, int64_t n) {
      if (n <= 1) return 0.0;
      return align_corners_ ? -1.0 + 2.0 * i / (n - 1) : (2.0 * i + 1) / n - 1;
    };
    // Spatial sizes outermost first (D, H, W); the point's coordinates are (x, y[, z]).
    const std::vector<int64_t> spatial(size_.begin() + 2, size_.end());
    int64_t points = 1;
    for (int64_t s : spatial) points *= s;
    std::vector<double> coord(static_cast<size_t>(dims_ + 1), 1.0);
    for (int64_t n = 0; n < size_[0]; ++n) {
      for (int64_t p = 0; p < points; ++p) {
        for (int64_t r = p, d = dims_ - 1; d >= 0; --d) {
          const int64_t i = r % spatial[d];
          r /= spatial[d];
          coord[dims_ - 1 - d] = linspace(i, spatial[d]);  // W gives x, H gives y, D gives z.
        }
        for (int64_t row = 0; row < dims_; ++row) {
          double v = 0;
          for (int64_t col = 0; col <= dims_; ++col) {
            v += theta.GetAsDouble((n * dims_ + row) * (dims_ + 1) + col) * coord[col];
          }
          y.SetFromDouble((n * points + p) * dims_ + row, v);
        }
      }
    }
    return Status::Ok();
  }

 private:
  std::vector<int64_t> size_;
  int64_t dims_ = 2;
  bool align_corners_ = false;
};

// ---------------------------------------------------------------------------------------------

class DeformConv final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 5, 1, 1));
    for (int i = 0; i < 3; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (!IsFloatingPoint(x.dtype())) {
      return InvalidArgument("X must be float, got " + std::string(DataTypeName(x.dtype())));
    }
    if (x.rank() != 4 || w.rank() != 4) {
      return Unimplemented("DeformConv is implemented for 2-D data; X has shape " +
                           ShapeToString(x.shape()) + " and W " + ShapeToString(w.shape()));
    }
    group_ = ctx.attr_int("group", 1);
    offset_group_ = ctx.attr_int("offset_group", 1);
    const int64_t c = x.shape()[1], oc = w.shape()[0];
    if (group_ <= 0 || offset_group_ <= 0 || c % group_ != 0 || oc % group_ != 0 ||
        c % offset_group_ != 0 || w.shape()[1] != c / group_) {
      return InvalidArgument("channels do not fit: X has " + std::to_string(c) + ", W " +
                             ShapeToString(w.shape()) + ", group " + std::to_string(group_) +
                             ", offset_group " + std::to_string(offset_group_));
    }
    kernel_ = {w.shape()[2], w.shape()[3]};
    const std::vector<int64_t> ks = ctx.attr_ints("kernel_shape");
    if (!ks.empty() && ks != kernel_) {
      return InvalidArgument("kernel_shape does not match W " + ShapeToString(w.shape()));
    }
    strides_ = IntsOr(ctx, "strides", 2, 1);
    dilations_ = IntsOr(ctx, "dilations", 2, 1);
    pads_ = IntsOr(ctx, "pads", 4, 0);
    if (strides_.size() != 2 || dilations_.size() != 2 || pads_.size() != 4) {
      return InvalidArgument("strides, dilations and pads must have 2, 2 and 4 entries");
    }
    for (int d = 0; d < 2; ++d) {
      const int64_t span = dilations_[d] * (kernel_[d] - 1) + 1;
      out_[d] = (x.shape()[2 + d] + pads_[d] + pads_[d + 2] - span) / strides_[d] + 1;
      if (out_[d] <= 0) return InvalidArgument("the kernel does not fit the padded input");
    }
    const int64_t taps = kernel_[0] * kernel_[1];
    const Shape offset_shape = {x.shape()[0], offset_group_ * taps * 2, out_[0], out_[1]};
    if (ctx.input(2).shape() != offset_shape) {
      return InvalidArgument("offset has shape " + ShapeToString(ctx.input(2).shape()) +
                             ", expected " + ShapeToString(offset_shape));
    }
    if (ctx.has_input(3)) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(3));
      if (ctx.input(3).shape() != Shape{oc}) {
        return InvalidArgument("B has shape " + ShapeToString(ctx.input(3).shape()) +
                               ", expected [" + std::to_string(oc) + "]");
      }
    }
    if (ctx.has_input(4)) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(4));
      const Shape mask_shape = {x.shape()[0], offset_group_ * taps, out_[0], out_[1]};
      if (ctx.input(4).shape() != mask_shape) {
        return InvalidArgument("mask has shape " + ShapeToString(ctx.input(4).shape()) +
                               ", expected " + ShapeToString(mask_shape));
      }
    }
    ctx.SetOutput(0, x.dtype(), {x.shape()[0], oc, out_[0], out_[1]});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor& offset = ctx.input(2);
    const int64_t n_batch = x.shape()[0], c = x.shape()[1], h = x.shape()[2], wd = x.shape()[3];
    const int64_t oc = w.shape()[0], cg = c / group_, ocg = oc / group_;
    const int64_t taps = kernel_[0] * kernel_[1];
    const int64_t channels_per_offset = c / offset_group_;
    auto at = [&](int64_t n, int64_t ch, int64_t yy, int64_t xx) {
      if (yy < 0 || yy >= h || xx < 0 || xx >= wd) return 0.0;
      return x.GetAsDouble(((n * c + ch) * h + yy) * wd + xx);
    };
    auto sample = [&](int64_t n, int64_t ch, double py, double px) {
      const double y0 = std::floor(py), x0 = std::floor(px);
      const double ty = py - y0, tx = px - x0;
      const int64_t yi = static_cast<int64_t>(y0), xi = static_cast<int64_t>(x0);
      return at(n, ch, yi, xi) * (1 - ty) * (1 - tx) + at(n, ch, yi, xi + 1) * (1 - ty) * tx +
             at(n, ch, yi + 1, xi) * ty * (1 - tx) + at(n, ch, yi + 1, xi + 1) * ty * tx;
    };
    Tensor& y = ctx.output(0);
    for (int64_t n = 0; n < n_batch; ++n) {
      for (int64_t o = 0; o < oc; ++o) {
        const int64_t g = o / ocg;
        for (int64_t oy = 0; oy < out_[0]; ++oy) {
          for (int64_t ox = 0; ox < out_[1]; ++ox) {
            double sum = ctx.has_input(3) ? ctx.input(3).GetAsDouble(o) : 0.0;
            for (int64_t ci = 0; ci < cg; ++ci) {
              const int64_t ch = g * cg + ci;
              const int64_t og = ch / channels_per_offset;
              for (int64_t t = 0; t < taps; ++t) {
                const int64_t ky = t / kernel_[1], kx = t % kernel_[1];
                const int64_t base = (n * offset_group_ * taps + og * taps + t);
                const double dy = offset.GetAsDouble(((2 * base) * out_[0] + oy) * out_[1] + ox);
                const double dx =
                    offset.GetAsDouble(((2 * base + 1) * out_[0] + oy) * out_[1] + ox);
                const double m =
                    ctx.has_input(4)
                        ? ctx.input(4).GetAsDouble((base * out_[0] + oy) * out_[1] + ox)
                        : 1.0;
                const double py = oy * strides_[0] - pads_[0] + ky * dilations_[0] + dy;
                const double px = ox * strides_[1] - pads_[1] + kx * dilations_[1] + dx;
                const double wv =
                    w.GetAsDouble(((o * cg + ci) * kernel_[0] + ky) * kernel_[1] + kx);
                sum += wv * m * sample(n, ch, py, px);
              }
            }
            y.SetFromDouble(((n * oc + o) * out_[0] + oy) * out_[1] + ox, sum);
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  int64_t group_ = 1, offset_group_ = 1;
  std::vector<int64_t> kernel_, strides_, dilations_, pads_;
  int64_t out_[2] = {0, 0};
};

}  // namespace

std::unique_ptr<Kernel> MakeCol2Im() { return std::make_unique<Col2Im>(); }
std::unique_ptr<Kernel> MakeAffineGrid() { return std::make_unique<AffineGrid>(); }
std::unique_ptr<Kernel> MakeDeformConv() { return std::make_unique<DeformConv>(); }

}  // namespace convcheck::interp
