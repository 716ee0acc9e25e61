//===- interp/kernels/nn/roi_align.cc - RoiAlign (opsets 10, 16) ----------===//
//
// Pools each region of interest (rois [R, 4] as x1, y1, x2, y2 in input-image units, scaled by
// spatial_scale) of X [N, C, H, W] into Y [R, C, output_height, output_width]. Every output bin
// averages (mode avg) or maxes (mode max) a sampling_ratio x sampling_ratio grid of bilinearly
// interpolated points (adaptive ceil(roi_size / output_size) when sampling_ratio is 0).
//
// Opset 10 behaves as coordinate_transformation_mode = output_half_pixel: no -0.5 shift and
// RoIs at least 1x1. Opset 16 adds the attribute, defaulting to half_pixel (shift by -0.5, no
// minimum size).
//
// The spec leaves the sampling details to the Mask R-CNN/Caffe2 implementation, which is what
// onnxruntime and the ONNX reference implement, and so do we: a sample more than one pixel
// outside the image contributes 0; otherwise coordinates clamp at 0 and at size - 1. Max mode
// takes, over the samples, the largest of the four weighted corner terms w_i * v_i (not the
// maximum of interpolated values), as those implementations do.
//
// Numerics: double throughout, rounded once to the element type.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

class RoiAlign final : public Kernel {
 public:
  explicit RoiAlign(bool has_coordinate_mode) : has_coordinate_mode_(has_coordinate_mode) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    for (int i = 0; i < 3; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& batch = ctx.input(2);
    if (!IsFloatingPoint(x.dtype()) || rois.dtype() != x.dtype()) {
      return InvalidArgument("RoiAlign takes float X and rois of the same type, got " +
                             std::string(DataTypeName(x.dtype())) + " and " +
                             std::string(DataTypeName(rois.dtype())));
    }
    if (x.rank() != 4) {
      return InvalidArgument("X has shape " + ShapeToString(x.shape()) + ", expected [N,C,H,W]");
    }
    if (rois.rank() != 2 || rois.shape()[1] != 4) {
      return InvalidArgument("rois has shape " + ShapeToString(rois.shape()) +
                             ", expected [num_rois,4]");
    }
    if (batch.dtype() != DataType::kInt64 || batch.shape() != Shape{rois.shape()[0]}) {
      return InvalidArgument("batch_indices is " + std::string(DataTypeName(batch.dtype())) +
                             ShapeToString(batch.shape()) + ", expected int64[" +
                             std::to_string(rois.shape()[0]) + "]");
    }
    const std::string mode = ctx.attr_string("mode", "avg");
    if (mode != "avg" && mode != "max") {
      return InvalidArgument("mode '" + mode + "' is not avg or max");
    }
    max_mode_ = mode == "max";
    half_pixel_ = false;
    if (has_coordinate_mode_) {
      const std::string coord = ctx.attr_string("coordinate_transformation_mode", "half_pixel");
      if (coord != "half_pixel" && coord != "output_half_pixel") {
        return InvalidArgument("coordinate_transformation_mode '" + coord +
                               "' is not half_pixel or output_half_pixel");
      }
      half_pixel_ = coord == "half_pixel";
    }
    out_h_ = ctx.attr_int("output_height", 1);
    out_w_ = ctx.attr_int("output_width", 1);
    sampling_ratio_ = ctx.attr_int("sampling_ratio", 0);
    spatial_scale_ = ctx.attr_float("spatial_scale", 1.0f);
    if (out_h_ < 1 || out_w_ < 1 || sampling_ratio_ < 0) {
      return InvalidArgument("output_height " + std::to_string(out_h_) + " and output_width " +
                             std::to_string(out_w_) + " must be positive and sampling_ratio " +
                             std::to_string(sampling_ratio_) + " not negative");
    }
    ctx.SetOutput(0, x.dtype(), {rois.shape()[0], x.shape()[1], out_h_, out_w_});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const int64_t* batch = ctx.input(2).Data<int64_t>();
    const int64_t n_batch = x.shape()[0], channels = x.shape()[1];
    const int64_t height = x.shape()[2], width = x.shape()[3];
    const int64_t num_rois = rois.shape()[0];
    const double offset = half_pixel_ ? 0.5 : 0.0;
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() -> Status {
      const T* xd = x.Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      for (int64_t r = 0; r < num_rois; ++r) {
        if (batch[r] < 0 || batch[r] >= n_batch) {
          return InvalidArgument("batch index " + std::to_string(batch[r]) + " of roi " +
                                 std::to_string(r) + " is outside [0, " +
                                 std::to_string(n_batch) + ")");
        }
        const double start_w = rois.GetAsDouble(r * 4 + 0) * spatial_scale_ - offset;
        const double start_h = rois.GetAsDouble(r * 4 + 1) * spatial_scale_ - offset;
        const double end_w = rois.GetAsDouble(r * 4 + 2) * spatial_scale_ - offset;
        const double end_h = rois.GetAsDouble(r * 4 + 3) * spatial_scale_ - offset;
        double roi_w = end_w - start_w, roi_h = end_h - start_h;
        if (!half_pixel_) {
          roi_w = std::max(roi_w, 1.0);
          roi_h = std::max(roi_h, 1.0);
        }
        const double bin_h = roi_h / out_h_, bin_w = roi_w / out_w_;
        const int64_t grid_h = sampling_ratio_ > 0 ? sampling_ratio_
                                                   : static_cast<int64_t>(std::ceil(roi_h / out_h_));
        const int64_t grid_w = sampling_ratio_ > 0 ? sampling_ratio_
                                                   : static_cast<int64_t>(std::ceil(roi_w / out_w_));
        const double count = static_cast<double>(std::max<int64_t>(grid_h * grid_w, 1));
        for (int64_t c = 0; c < channels; ++c) {
          const T* plane = xd + (batch[r] * channels + c) * height * width;
          auto at = [&](int64_t yy, int64_t xx) {
            return static_cast<double>(Load(plane[yy * width + xx]));
          };
          for (int64_t ph = 0; ph < out_h_; ++ph) {
            for (int64_t pw = 0; pw < out_w_; ++pw) {
              double sum = 0, best = -std::numeric_limits<double>::infinity();
              bool any = false;
              for (int64_t iy = 0; iy < grid_h; ++iy) {
                double yy = start_h + ph * bin_h + (iy + 0.5) * bin_h / grid_h;
                for (int64_t ix = 0; ix < grid_w; ++ix) {
                  double xx = start_w + pw * bin_w + (ix + 0.5) * bin_w / grid_w;
                  double terms[4] = {0, 0, 0, 0};
                  if (!(yy < -1.0 || yy > height || xx < -1.0 || xx > width)) {
                    double sy = std::max(yy, 0.0), sx = std::max(xx, 0.0);
                    int64_t y_low = static_cast<int64_t>(sy), x_low = static_cast<int64_t>(sx);
                    int64_t y_high, x_high;
                    if (y_low >= height - 1) {
                      y_high = y_low = height - 1;
                      sy = static_cast<double>(y_low);
                    } else {
                      y_high = y_low + 1;
                    }
                    if (x_low >= width - 1) {
                      x_high = x_low = width - 1;
                      sx = static_cast<double>(x_low);
                    } else {
                      x_high = x_low + 1;
                    }
                    const double ly = sy - y_low, lx = sx - x_low, hy = 1 - ly, hx = 1 - lx;
                    terms[0] = hy * hx * at(y_low, x_low);
                    terms[1] = hy * lx * at(y_low, x_high);
                    terms[2] = ly * hx * at(y_high, x_low);
                    terms[3] = ly * lx * at(y_high, x_high);
                  }
                  sum += terms[0] + terms[1] + terms[2] + terms[3];
                  best = std::max({best, terms[0], terms[1], terms[2], terms[3]});
                  any = true;
                }
              }
              const double v = max_mode_ ? (any ? best : 0.0) : sum / count;
              y[((r * channels + c) * out_h_ + ph) * out_w_ + pw] =
                  Store<T>(static_cast<ComputeT<T>>(v));
            }
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  const bool has_coordinate_mode_;
  bool max_mode_ = false, half_pixel_ = true;
  int64_t out_h_ = 1, out_w_ = 1, sampling_ratio_ = 0;
  double spatial_scale_ = 1.0;
};

}  // namespace

std::unique_ptr<Kernel> MakeRoiAlignOutputHalfPixel() {
  return std::make_unique<RoiAlign>(/*has_coordinate_mode=*/false);
}
std::unique_ptr<Kernel> MakeRoiAlign() {
  return std::make_unique<RoiAlign>(/*has_coordinate_mode=*/true);
}

}  // namespace convcheck::interp
