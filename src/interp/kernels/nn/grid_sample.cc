//===- interp/kernels/nn/grid_sample.cc - GridSample (opsets 16, 20) ------===//
//
// Samples X [N, C, H, W] at the grid [N, Ho, Wo, 2] of normalized (x, y) points in [-1, 1],
// giving Y [N, C, Ho, Wo]. 20 generalizes to r spatial dimensions (X [N, C, D1..Dr], grid
// [N, O1..Or, r], the grid's components in reverse dimension order, x first) and renames the
// modes linear, nearest, cubic (cubic stays 2-D); 22 only adds bfloat16. Each axis yields taps
// (index, weight) and the sample is the sum over their product, so one loop serves every rank.
// The spec defers to PyTorch's grid_sample, whose rules these are:
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
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

enum class SampleMode { kBilinear, kNearest, kBicubic };
enum class Padding { kZeros, kBorder, kReflection };

// One input index along an axis and its weight; an index outside [0, size) reads 0.
struct GridTap {
  int64_t index;
  double weight;
};

class GridSample final : public Kernel {
 public:
  explicit GridSample(bool v20) : v20_(v20) {}

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
    if (v20_ ? x.rank() < 3 : x.rank() != 4) {
      return InvalidArgument("X has shape " + ShapeToString(x.shape()) +
                             (v20_ ? ", expected [N,C,D1,...]" : ", expected [N,C,H,W]"));
    }
    spatial_ = x.rank() - 2;
    if (grid.rank() != x.rank() || grid.shape()[0] != x.shape()[0] ||
        grid.shape()[grid.rank() - 1] != spatial_) {
      return InvalidArgument("grid has shape " + ShapeToString(grid.shape()) + ", expected [" +
                             std::to_string(x.shape()[0]) +
                             (spatial_ == 2 ? ",H_out,W_out," : ",out...,") +
                             std::to_string(spatial_) + "]");
    }
    const std::string mode = ctx.attr_string("mode", v20_ ? "linear" : "bilinear");
    if (mode == (v20_ ? "linear" : "bilinear")) {
      mode_ = SampleMode::kBilinear;
    } else if (mode == "nearest") {
      mode_ = SampleMode::kNearest;
    } else if (mode == (v20_ ? "cubic" : "bicubic")) {
      mode_ = SampleMode::kBicubic;
      if (spatial_ != 2) {
        return InvalidArgument("mode 'cubic' needs 2 spatial dimensions, X has " +
                               std::to_string(spatial_));
      }
    } else {
      return InvalidArgument("mode '" + mode + "' is not " +
                             (v20_ ? "linear, nearest or cubic" : "bilinear, nearest or bicubic"));
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
    Shape out = {x.shape()[0], x.shape()[1]};
    for (int64_t d = 1; d + 1 < grid.rank(); ++d) out.push_back(grid.shape()[d]);
    ctx.SetOutput(0, x.dtype(), out);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    Tensor& y = ctx.output(0);
    const int64_t n_batch = x.shape()[0], channels = x.shape()[1];
    const Shape sizes(x.shape().begin() + 2, x.shape().end());
    int64_t plane = 1, points = 1;
    for (int64_t s : sizes) plane *= s;
    for (int64_t d = 1; d + 1 < grid.rank(); ++d) points *= grid.shape()[d];
    std::vector<std::vector<GridTap>> taps(static_cast<size_t>(spatial_));
    std::vector<int64_t> pick(static_cast<size_t>(spatial_));
    for (int64_t n = 0; n < n_batch; ++n) {
      for (int64_t p = 0; p < points; ++p) {
        // Grid component k addresses spatial dimension spatial - 1 - k (x is the last one).
        for (int64_t d = 0; d < spatial_; ++d) {
          const double u = Unnormalize(
              grid.GetAsDouble((n * points + p) * spatial_ + (spatial_ - 1 - d)), sizes[d]);
          taps[d] = AxisTaps(u, sizes[d]);
        }
        for (int64_t c = 0; c < channels; ++c) {
          const int64_t base = (n * channels + c) * plane;
          double v = 0;
          // Odometer over the product of the axes' taps.
          std::fill(pick.begin(), pick.end(), 0);
          while (true) {
            double w = 1;
            int64_t offset = 0;
            bool inside = true;
            for (int64_t d = 0; d < spatial_; ++d) {
              const GridTap& t = taps[d][pick[d]];
              w *= t.weight;
              inside = inside && t.index >= 0 && t.index < sizes[d];
              offset = offset * sizes[d] + t.index;
            }
            if (inside && w != 0) v += w * x.GetAsDouble(base + offset);
            int64_t d = spatial_ - 1;
            for (; d >= 0; --d) {
              if (++pick[d] < static_cast<int64_t>(taps[d].size())) break;
              pick[d] = 0;
            }
            if (d < 0) break;
          }
          y.SetFromDouble((n * channels + c) * points + p, v);
        }
      }
    }
    return Status::Ok();
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
    auto clip = [size](double c) {
      return std::fmin(static_cast<double>(size - 1), std::fmax(c, 0.0));
    };
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

  // The taps of one axis for the unnormalized coordinate u.
  std::vector<GridTap> AxisTaps(double u, int64_t size) const {
    std::vector<GridTap> out;
    switch (mode_) {
      case SampleMode::kNearest:
        out.push_back({static_cast<int64_t>(std::nearbyint(Pad(u, size))), 1.0});
        break;
      case SampleMode::kBilinear: {
        const double pu = Pad(u, size);
        const double u0 = std::floor(pu);
        const double t = pu - u0;
        out.push_back({static_cast<int64_t>(u0), 1 - t});
        out.push_back({static_cast<int64_t>(u0) + 1, t});
        break;
      }
      case SampleMode::kBicubic: {
        // Padding applies to each neighbour's integer index, not to the sampling point.
        const double u0 = std::floor(u);
        double c[4];
        CubicCoeffs(u - u0, c);
        for (int i = 0; i < 4; ++i) {
          out.push_back({static_cast<int64_t>(std::floor(Pad(u0 - 1 + i, size))), c[i]});
        }
        break;
      }
    }
    return out;
  }

  static void CubicCoeffs(double t, double c[4]) {
    constexpr double a = -0.75;
    const double s1 = t + 1, s2 = 1 - t, s3 = 2 - t;
    c[0] = ((a * s1 - 5 * a) * s1 + 8 * a) * s1 - 4 * a;
    c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
    c[2] = ((a + 2) * s2 - (a + 3)) * s2 * s2 + 1;
    c[3] = ((a * s3 - 5 * a) * s3 + 8 * a) * s3 - 4 * a;
  }

  const bool v20_;
  SampleMode mode_ = SampleMode::kBilinear;
  Padding padding_ = Padding::kZeros;
  bool align_corners_ = false;
  int64_t spatial_ = 2;
};

}  // namespace

std::unique_ptr<Kernel> MakeGridSample() { return std::make_unique<GridSample>(/*v20=*/false); }
std::unique_ptr<Kernel> MakeGridSampleNd() { return std::make_unique<GridSample>(/*v20=*/true); }

}  // namespace convcheck::interp
