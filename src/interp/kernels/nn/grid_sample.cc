//===- interp/kernels/nn/grid_sample.cc - GridSample (opset 16) -----------===//
//
// Samples X [N, C, H, W] at the grid [N, Ho, Wo, 2] of normalized (x, y) points in [-1, 1],
// giving Y [N, C, Ho, Wo]. The spec defers to PyTorch's grid_sample, whose rules these are:
//   unnormalize: align_corners ? (v + 1) / 2 * (size - 1) : ((v + 1) * size - 1) / 2
//   padding_mode zeros: samples outside the image read 0; border: coordinates clamp to
//     [0, size - 1]; reflection: coordinates reflect off [0, size - 1] (align_corners) or
//     [-0.5, size - 0.5] (otherwise), then clamp.
//   nearest: round half to even; bilinear: the 4 neighbours; bicubic: the 4x4 neighbours with
//     Keys' kernel, A = -0.75, where padding applies to each neighbour's integer index rather
//     than to the sampling point.
//
// Numerics: weights and sums in double, rounded once to the element type.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

enum class SampleMode { kBilinear, kNearest, kBicubic };
enum class Padding { kZeros, kBorder, kReflection };

class GridSample final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    if (!IsFloatingPoint(x.dtype()) || !IsFloatingPoint(grid.dtype())) {
      return InvalidArgument("GridSample takes float X and grid, got " +
                             std::string(DataTypeName(x.dtype())) + " and " +
                             std::string(DataTypeName(grid.dtype())));
    }
    if (x.rank() != 4) {
      return InvalidArgument("X has shape " + ShapeToString(x.shape()) + ", expected [N,C,H,W]");
    }
    if (grid.rank() != 4 || grid.shape()[0] != x.shape()[0] || grid.shape()[3] != 2) {
      return InvalidArgument("grid has shape " + ShapeToString(grid.shape()) + ", expected [" +
                             std::to_string(x.shape()[0]) + ",H_out,W_out,2]");
    }
    const std::string mode = ctx.attr_string("mode", "bilinear");
    if (mode == "bilinear") {
      mode_ = SampleMode::kBilinear;
    } else if (mode == "nearest") {
      mode_ = SampleMode::kNearest;
    } else if (mode == "bicubic") {
      mode_ = SampleMode::kBicubic;
    } else {
      return InvalidArgument("mode '" + mode + "' is not bilinear, nearest or bicubic");
    }
    const std::string padding = ctx.attr_string("padding_mode", "zeros");
    if (padding == "zeros") {
      padding_ = Padding::kZeros;
    } else if (padding == "border") {
      padding_ = Padding::kBorder;
    } else if (padding == "reflection") {
      padding_ = Padding::kReflection;
    } else {
      return InvalidArgument("padding_mode '" + padding + "' is not zeros, border or reflection");
    }
    align_corners_ = ctx.attr_int("align_corners", 0) != 0;
    ctx.SetOutput(0, x.dtype(),
                  {x.shape()[0], x.shape()[1], grid.shape()[1], grid.shape()[2]});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    const int64_t n_batch = x.shape()[0], channels = x.shape()[1];
    const int64_t h = x.shape()[2], w = x.shape()[3];
    const int64_t ho = grid.shape()[1], wo = grid.shape()[2];
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      for (int64_t n = 0; n < n_batch; ++n) {
        for (int64_t oy = 0; oy < ho; ++oy) {
          for (int64_t ox = 0; ox < wo; ++ox) {
            const int64_t g = ((n * ho + oy) * wo + ox) * 2;
            const double ix = Unnormalize(grid.GetAsDouble(g), w);
            const double iy = Unnormalize(grid.GetAsDouble(g + 1), h);
            for (int64_t c = 0; c < channels; ++c) {
              const T* plane = xd + (n * channels + c) * h * w;
              auto at = [&](int64_t yy, int64_t xx) -> double {
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) return 0.0;
                return static_cast<double>(Load(plane[yy * w + xx]));
              };
              double v = 0;
              switch (mode_) {
                case SampleMode::kNearest: {
                  const double px = Pad(ix, w), py = Pad(iy, h);
                  v = at(static_cast<int64_t>(std::nearbyint(py)),
                         static_cast<int64_t>(std::nearbyint(px)));
                  break;
                }
                case SampleMode::kBilinear: {
                  const double px = Pad(ix, w), py = Pad(iy, h);
                  const double x0 = std::floor(px), y0 = std::floor(py);
                  const double tx = px - x0, ty = py - y0;
                  const int64_t xi = static_cast<int64_t>(x0), yi = static_cast<int64_t>(y0);
                  v = at(yi, xi) * (1 - tx) * (1 - ty) + at(yi, xi + 1) * tx * (1 - ty) +
                      at(yi + 1, xi) * (1 - tx) * ty + at(yi + 1, xi + 1) * tx * ty;
                  break;
                }
                case SampleMode::kBicubic: {
                  const double x0 = std::floor(ix), y0 = std::floor(iy);
                  double cx[4], cy[4];
                  CubicCoeffs(ix - x0, cx);
                  CubicCoeffs(iy - y0, cy);
                  for (int j = 0; j < 4; ++j) {
                    for (int i = 0; i < 4; ++i) {
                      const double yy = Pad(y0 - 1 + j, h), xx = Pad(x0 - 1 + i, w);
                      v += cy[j] * cx[i] *
                           at(static_cast<int64_t>(std::floor(yy)), static_cast<int64_t>(std::floor(xx)));
                    }
                  }
                  break;
                }
              }
              y[((n * channels + c) * ho + oy) * wo + ox] = Store<T>(static_cast<ComputeT<T>>(v));
            }
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  double Unnormalize(double v, int64_t size) const {
    return align_corners_ ? (v + 1) / 2 * (size - 1) : ((v + 1) * size - 1) / 2;
  }

  // Reflects `v` into [low, high] given as twice their values (PyTorch reflect_coordinates).
  static double Reflect(double v, int64_t twice_low, int64_t twice_high) {
    if (twice_low == twice_high) return 0;
    const double low = twice_low / 2.0, span = (twice_high - twice_low) / 2.0;
    v = std::fabs(v - low);
    const double extra = std::fmod(v, span);
    const int64_t flips = static_cast<int64_t>(std::floor(v / span));
    return flips % 2 == 0 ? extra + low : span - extra + low;
  }

  // Applies padding_mode to a coordinate (zeros leaves it for the bounds check in `at`).
  double Pad(double v, int64_t size) const {
    auto clip = [size](double c) { return std::fmin(static_cast<double>(size - 1), std::fmax(c, 0.0)); };
    switch (padding_) {
      case Padding::kZeros:
        return v;
      case Padding::kBorder:
        return clip(v);
      case Padding::kReflection:
        v = align_corners_ ? Reflect(v, 0, 2 * (size - 1)) : Reflect(v, -1, 2 * size - 1);
        return clip(v);
    }
    return v;
  }

  static void CubicCoeffs(double t, double c[4]) {
    constexpr double a = -0.75;
    const double s1 = t + 1, s2 = 1 - t, s3 = 2 - t;
    c[0] = ((a * s1 - 5 * a) * s1 + 8 * a) * s1 - 4 * a;
    c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
    c[2] = ((a + 2) * s2 - (a + 3)) * s2 * s2 + 1;
    c[3] = ((a * s3 - 5 * a) * s3 + 8 * a) * s3 - 4 * a;
  }

  SampleMode mode_ = SampleMode::kBilinear;
  Padding padding_ = Padding::kZeros;
  bool align_corners_ = false;
};

}  // namespace

std::unique_ptr<Kernel> MakeGridSample() { return std::make_unique<GridSample>(); }

}  // namespace convcheck::interp
