//===- interp/kernels/nn/resize.cc - Resize (10, 11+) and Upsample (7-9) --===//
//
// Every output coordinate x is mapped, axis by axis, to a coordinate x_original in the input,
// which then picks taps (input index, weight) along that axis; the output is the sum over the
// product of all axes' taps. The forms:
//   Upsample 7-8 (`scales` attribute), 9 (`scales` input) and Resize 10: modes nearest and
//     linear, x_original = x / scale (asymmetric), nearest takes floor(x_original).
//   Resize 11+: `roi`, `scales`, `sizes` inputs (13 made roi and scales optional; an empty
//     tensor counts as absent); modes nearest, linear, cubic; every
//     coordinate_transformation_mode; nearest_mode; cubic_coeff_a; exclude_outside;
//     extrapolation_value (tf_crop_and_resize only).
//   Resize 18: `axes` (scales, sizes and roi then name only those axes; the others keep their
//     size), `keep_aspect_ratio_policy` for sizes (stretch; not_larger / not_smaller use the
//     smallest / largest sizes[i] / in[i] on every listed axis, out = round(scale * in)), and
//     `antialias` (linear and cubic stretch their filter by max(1, 1 / scale) when
//     downscaling; the taps are normalized to sum 1). 19 adds the coordinate mode
//     half_pixel_symmetric: offset = in / 2 * (1 - out / (in * scale)), then half_pixel.
// Output size is floor(in * scale), or `sizes`, in which case scale = sizes / in. As in the
// ONNX reference, "length_resized" in the align_corners / tf_crop_and_resize /
// pytorch_half_pixel formulas is in * scale, not the rounded output size.
//
// Taps: nearest picks one input index (ties per nearest_mode when x_original is exactly
// halfway; an integral x_original is itself), clamped to [0, in - 1]. linear takes floor and
// floor + 1 with weights 1 - t and t; cubic takes floor - 1 .. floor + 2 with Keys' kernel
// (coefficient A), indices clamped to the edge unless exclude_outside, which zeroes taps outside
// the input and renormalizes. With tf_crop_and_resize an x_original outside [0, in - 1] makes
// the output extrapolation_value.
//
// Numerics: taps and sums in double; float outputs round once; integer outputs of linear and
// cubic round half to even and saturate; nearest copies the element exactly (any type).
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

enum class Form { kUpsampleAttr, kUpsampleInput, kResize10, kResize11, kResize18, kResize19 };
enum class Mode { kNearest, kLinear, kCubic };
enum class Coord {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize,
  kHalfPixelSymmetric
};
enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct Tap {
  int64_t index;
  double weight;
};

// Per axis, per output coordinate: its taps, or none when it extrapolates.
using AxisTaps = std::vector<std::vector<Tap>>;

class Resize final : public Kernel {
 public:
  explicit Resize(Form form) : form_(form) {}

  Status Prepare(KernelContext& ctx) override {
    switch (form_) {
      case Form::kUpsampleAttr:
        CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
        break;
      case Form::kUpsampleInput:
      case Form::kResize10:
        CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
        break;
      case Form::kResize11:
      case Form::kResize18:
      case Form::kResize19:
        CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 4, 1, 1));
        break;
    }
    const bool v18 = form_ == Form::kResize18 || form_ == Form::kResize19;
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    if (x.dtype() == DataType::kString || x.dtype() == DataType::kComplex64 ||
        x.dtype() == DataType::kComplex128) {
      return Unimplemented("resizing " + std::string(DataTypeName(x.dtype())) +
                           " tensors is not supported");
    }
    CC_RETURN_IF_ERROR(ReadMode(ctx));

    // The axes scales, sizes and roi speak of (18+); all of them before.
    std::vector<int64_t> axes;
    if (v18 && ctx.has_attr("axes")) {
      std::vector<bool> seen(static_cast<size_t>(rank), false);
      for (int64_t a : ctx.attr_ints("axes")) {
        if (a < -rank || a >= rank) {
          return InvalidArgument("axes entry " + std::to_string(a) + " is out of range for rank " +
                                 std::to_string(rank));
        }
        if (a < 0) a += rank;
        if (seen[a]) return InvalidArgument("axes repeats axis " + std::to_string(a));
        seen[a] = true;
        axes.push_back(a);
      }
    } else {
      for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
    }
    const int64_t naxes = static_cast<int64_t>(axes.size());
    antialias_ = v18 && ctx.attr_int("antialias", 0) != 0;
    const std::string policy =
        v18 ? ctx.attr_string("keep_aspect_ratio_policy", "stretch") : "stretch";
    if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller") {
      return InvalidArgument("keep_aspect_ratio_policy '" + policy +
                             "' is not stretch, not_larger or not_smaller");
    }

    // Scales or sizes.
    scales_.assign(static_cast<size_t>(rank), 1.0);
    Shape y_shape(x.shape());
    std::vector<double> given_scales;
    bool have_scales = false, have_sizes = false;
    if (form_ == Form::kUpsampleAttr) {
      for (float s : ctx.attr_floats("scales")) given_scales.push_back(s);
      have_scales = true;
    } else {
      const bool v11 = form_ == Form::kResize11 || v18;
      const int scales_index = v11 ? 2 : 1;
      if (ctx.has_input(scales_index)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(scales_index));
        const Tensor& s = ctx.input(scales_index);
        if (s.num_elements() > 0) {
          if (!IsFloatingPoint(s.dtype())) {
            return InvalidArgument("scales must be float, got " +
                                   std::string(DataTypeName(s.dtype())));
          }
          for (int64_t i = 0; i < s.num_elements(); ++i) given_scales.push_back(s.GetAsDouble(i));
          have_scales = true;
        }
      }
      if (v11 && ctx.has_input(3)) {
        CC_RETURN_IF_ERROR(ctx.RequireTensor(3));
        const Tensor& s = ctx.input(3);
        if (s.num_elements() > 0) {
          if (s.dtype() != DataType::kInt64) {
            return InvalidArgument("sizes must be int64, got " +
                                   std::string(DataTypeName(s.dtype())));
          }
          const Shape sizes(s.Data<int64_t>(), s.Data<int64_t>() + s.num_elements());
          if (s.num_elements() != naxes) {
            return InvalidArgument(
                "sizes " + ShapeToString(sizes) + " has " + std::to_string(s.num_elements()) +
                (v18 ? " entries, expected " + std::to_string(naxes) + " (one per axis)"
                     : " entries but the input has rank " + std::to_string(rank)));
          }
          have_sizes = true;
          for (int64_t k = 0; k < naxes; ++k) {
            if (sizes[k] < 0) {
              return InvalidArgument("sizes " + ShapeToString(sizes) + " has a negative entry");
            }
          }
          if (policy == "stretch") {
            for (int64_t k = 0; k < naxes; ++k) {
              const int64_t i = axes[k];
              y_shape[i] = sizes[k];
              scales_[i] = x.shape()[i] == 0 ? 1.0 : static_cast<double>(y_shape[i]) / x.shape()[i];
            }
          } else {
            // One scale for every listed axis: the one that keeps all within (not_larger) or
            // beyond (not_smaller) the requested sizes.
            double scale = policy == "not_larger" ? std::numeric_limits<double>::infinity() : 0.0;
            for (int64_t k = 0; k < naxes; ++k) {
              const int64_t in = x.shape()[axes[k]];
              const double r = in == 0 ? 1.0 : static_cast<double>(sizes[k]) / in;
              scale = policy == "not_larger" ? std::min(scale, r) : std::max(scale, r);
            }
            for (int64_t k = 0; k < naxes; ++k) {
              const int64_t i = axes[k];
              scales_[i] = scale;
              y_shape[i] = static_cast<int64_t>(std::floor(scale * x.shape()[i] + 0.5));
            }
          }
        }
      }
    }
    if (have_scales && have_sizes) {
      return InvalidArgument("only one of scales and sizes may be given");
    }
    if (!have_scales && !have_sizes) {
      return InvalidArgument("one of scales and sizes must be given");
    }
    if (have_scales) {
      if (static_cast<int64_t>(given_scales.size()) != naxes) {
        return InvalidArgument(
            "scales has " + std::to_string(given_scales.size()) +
            (v18 ? " entries, expected " + std::to_string(naxes) + " (one per axis)"
                 : " entries but the input has rank " + std::to_string(rank)));
      }
      for (int64_t k = 0; k < naxes; ++k) {
        const int64_t i = axes[k];
        const double s = given_scales[k];
        const bool upsample = form_ == Form::kUpsampleAttr || form_ == Form::kUpsampleInput;
        if (!(s > 0) || (upsample && s < 1)) {
          return InvalidArgument("scale " + std::to_string(s) + " on axis " + std::to_string(i) +
                                 (upsample ? " must be at least 1" : " must be positive"));
        }
        scales_[i] = s;
        y_shape[i] = static_cast<int64_t>(std::floor(s * static_cast<double>(x.shape()[i])));
      }
    }

    // roi, for tf_crop_and_resize.
    roi_.clear();
    if (coord_ == Coord::kTfCropAndResize) {
      if (!ctx.has_input(1)) return InvalidArgument("tf_crop_and_resize needs the roi input");
      CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
      const Tensor& roi = ctx.input(1);
      if (roi.num_elements() != 2 * naxes || !IsFloatingPoint(roi.dtype())) {
        return InvalidArgument("roi is " + std::string(DataTypeName(roi.dtype())) +
                               ShapeToString(roi.shape()) + ", expected " +
                               std::to_string(2 * naxes) + " float values");
      }
      // Full rank: axes not listed keep the whole extent [0, 1].
      roi_.assign(static_cast<size_t>(2 * rank), 0.0);
      for (int64_t i = 0; i < rank; ++i) roi_[i + rank] = 1.0;
      for (int64_t k = 0; k < naxes; ++k) {
        roi_[axes[k]] = roi.GetAsDouble(k);
        roi_[axes[k] + rank] = roi.GetAsDouble(k + naxes);
      }
    }
    ctx.SetOutput(0, x.dtype(), y_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rank = x.rank();
    std::vector<AxisTaps> taps(static_cast<size_t>(rank));
    for (int64_t d = 0; d < rank; ++d) {
      taps[d] = AxisTable(d, x.shape()[d], y.shape()[d]);
    }
    std::vector<int64_t> in_strides(static_cast<size_t>(rank), 1);
    for (int64_t d = rank - 2; d >= 0; --d) in_strides[d] = in_strides[d + 1] * x.shape()[d + 1];

    return Dispatch<CC_ALL_TYPES>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      T* yd = y.MutableData<T>();
      std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
      for (int64_t out = 0; out < y.num_elements(); ++out) {
        bool outside = false;
        for (int64_t d = 0; d < rank && !outside; ++d) outside = taps[d][idx[d]].empty();
        if (outside) {
          yd[out] = FromDouble<T>(extrapolation_value_);
        } else if (mode_ == Mode::kNearest) {
          int64_t offset = 0;
          for (int64_t d = 0; d < rank; ++d) offset += taps[d][idx[d]][0].index * in_strides[d];
          yd[out] = xd[offset];
        } else {
          yd[out] = FromDouble<T>(Sum(xd, taps, idx, in_strides, 0, 0, 1.0));
        }
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++idx[d] < y.shape()[d]) break;
          idx[d] = 0;
        }
      }
      return Status::Ok();
    });
  }

 private:
  Status ReadMode(const KernelContext& ctx) {
    const std::string mode = ctx.attr_string("mode", "nearest");
    const bool legacy =
        form_ == Form::kUpsampleAttr || form_ == Form::kUpsampleInput || form_ == Form::kResize10;
    if (mode == "nearest") {
      mode_ = Mode::kNearest;
    } else if (mode == "linear" || (legacy && mode == "bilinear")) {
      mode_ = Mode::kLinear;
    } else if (mode == "cubic" && !legacy) {
      mode_ = Mode::kCubic;
    } else {
      return InvalidArgument("mode '" + mode + "' is not supported by " + ctx.op_type() +
                             " opset " + std::to_string(ctx.opset()));
    }
    if (legacy) {
      coord_ = Coord::kAsymmetric;
      nearest_mode_ = NearestMode::kFloor;
      return Status::Ok();
    }
    const std::string coord = ctx.attr_string("coordinate_transformation_mode", "half_pixel");
    if (coord == "half_pixel") {
      coord_ = Coord::kHalfPixel;
    } else if (coord == "pytorch_half_pixel") {
      coord_ = Coord::kPytorchHalfPixel;
    } else if (coord == "align_corners") {
      coord_ = Coord::kAlignCorners;
    } else if (coord == "asymmetric") {
      coord_ = Coord::kAsymmetric;
    } else if (coord == "tf_half_pixel_for_nn") {
      coord_ = Coord::kTfHalfPixelForNn;
    } else if (coord == "tf_crop_and_resize") {
      coord_ = Coord::kTfCropAndResize;
    } else if (coord == "half_pixel_symmetric" && form_ == Form::kResize19) {
      coord_ = Coord::kHalfPixelSymmetric;
    } else {
      return InvalidArgument("coordinate_transformation_mode '" + coord + "' is not supported");
    }
    const std::string nearest = ctx.attr_string("nearest_mode", "round_prefer_floor");
    if (nearest == "round_prefer_floor") {
      nearest_mode_ = NearestMode::kRoundPreferFloor;
    } else if (nearest == "round_prefer_ceil") {
      nearest_mode_ = NearestMode::kRoundPreferCeil;
    } else if (nearest == "floor") {
      nearest_mode_ = NearestMode::kFloor;
    } else if (nearest == "ceil") {
      nearest_mode_ = NearestMode::kCeil;
    } else {
      return InvalidArgument("nearest_mode '" + nearest + "' is not supported");
    }
    cubic_a_ = ctx.attr_float("cubic_coeff_a", -0.75f);
    exclude_outside_ = ctx.attr_int("exclude_outside", 0) != 0;
    extrapolation_value_ = ctx.attr_float("extrapolation_value", 0.0f);
    return Status::Ok();
  }

  // x_original for output coordinate `x` along axis d; sets *outside for tf_crop_and_resize.
  double Original(int64_t d, int64_t x, int64_t in, int64_t out, bool* outside) const {
    const double scale = scales_[d];
    const double resized = scale * static_cast<double>(in);
    const double xr = static_cast<double>(x);
    *outside = false;
    switch (coord_) {
      case Coord::kHalfPixel:
        return (xr + 0.5) / scale - 0.5;
      case Coord::kHalfPixelSymmetric: {
        const double adjustment = static_cast<double>(out) / resized;
        const double offset = static_cast<double>(in) / 2 * (1 - adjustment);
        return offset + (xr + 0.5) / scale - 0.5;
      }
      case Coord::kPytorchHalfPixel:
        return resized > 1 ? (xr + 0.5) / scale - 0.5 : 0.0;
      case Coord::kAlignCorners:
        return resized == 1 ? 0.0 : xr * (in - 1) / (resized - 1);
      case Coord::kAsymmetric:
        return xr / scale;
      case Coord::kTfHalfPixelForNn:
        return (xr + 0.5) / scale;
      case Coord::kTfCropAndResize: {
        const int64_t rank = static_cast<int64_t>(scales_.size());
        const double start = roi_[d], end = roi_[d + rank];
        const double v = resized > 1
                             ? start * (in - 1) + xr * (end - start) * (in - 1) / (resized - 1)
                             : 0.5 * (start + end) * (in - 1);
        *outside = v < 0 || v > static_cast<double>(in - 1);
        return v;
      }
    }
    return 0.0;
  }

  AxisTaps AxisTable(int64_t d, int64_t in, int64_t out) const {
    AxisTaps table(static_cast<size_t>(out));
    auto clamp = [in](int64_t i) { return i < 0 ? 0 : (i >= in ? in - 1 : i); };
    for (int64_t x = 0; x < out; ++x) {
      bool outside = false;
      const double xo = Original(d, x, in, out, &outside);
      if (outside || in == 0) continue;  // No taps: extrapolation_value.
      const double fl = std::floor(xo);
      const double t = xo - fl;
      const int64_t i0 = static_cast<int64_t>(fl);
      std::vector<Tap>& taps = table[x];
      if (antialias_ && mode_ != Mode::kNearest && scales_[d] < 1) {
        AntialiasTaps(i0, t, scales_[d], in, &taps);
        continue;
      }
      switch (mode_) {
        case Mode::kNearest: {
          int64_t pick = i0;
          if (t != 0) {
            switch (nearest_mode_) {
              case NearestMode::kRoundPreferFloor:
                pick = t <= 0.5 ? i0 : i0 + 1;
                break;
              case NearestMode::kRoundPreferCeil:
                pick = t < 0.5 ? i0 : i0 + 1;
                break;
              case NearestMode::kFloor:
                pick = i0;
                break;
              case NearestMode::kCeil:
                pick = i0 + 1;
                break;
            }
          }
          taps.push_back({clamp(pick), 1.0});
          break;
        }
        case Mode::kLinear:
          taps.push_back({clamp(i0), 1.0 - t});
          if (t != 0) taps.push_back({clamp(i0 + 1), t});
          break;
        case Mode::kCubic: {
          const double a = cubic_a_;
          const double s1 = t + 1, s2 = 1 - t, s3 = 2 - t;
          double c[4] = {
              ((a * s1 - 5 * a) * s1 + 8 * a) * s1 - 4 * a, ((a + 2) * t - (a + 3)) * t * t + 1,
              ((a + 2) * s2 - (a + 3)) * s2 * s2 + 1, ((a * s3 - 5 * a) * s3 + 8 * a) * s3 - 4 * a};
          if (exclude_outside_) {
            double sum = 0;
            for (int k = 0; k < 4; ++k) {
              const int64_t i = i0 - 1 + k;
              if (i < 0 || i >= in) c[k] = 0;
              sum += c[k];
            }
            for (double& v : c) v /= sum;
          }
          for (int k = 0; k < 4; ++k) {
            if (c[k] != 0) taps.push_back({clamp(i0 - 1 + k), c[k]});
          }
          if (taps.empty()) taps.push_back({clamp(i0), 0.0});
          break;
        }
      }
    }
    return table;
  }

  // The filter stretched by 1 / scale: taps i0 + k for every k whose stretched distance is
  // inside the kernel's support (1 for linear, 2 for cubic), normalized to sum 1; indices clamp
  // to the edge, or drop out with exclude_outside.
  void AntialiasTaps(int64_t i0, double t, double scale, int64_t in, std::vector<Tap>* taps) const {
    const double support = mode_ == Mode::kLinear ? 1.0 : 2.0;
    const int64_t first = static_cast<int64_t>(std::floor(-support / scale)) + 1;
    const int64_t last = 1 - first;  // Inclusive: the window is symmetric around t.
    std::vector<Tap> raw;
    double sum = 0;
    for (int64_t k = first; k <= last; ++k) {
      const double u = std::fabs(scale * (static_cast<double>(k) - t));
      double w;
      if (mode_ == Mode::kLinear) {
        w = std::max(0.0, 1.0 - u);
      } else {
        const double a = cubic_a_;
        w = u <= 1 ? ((a + 2) * u - (a + 3)) * u * u + 1
                   : (u < 2 ? ((a * u - 5 * a) * u + 8 * a) * u - 4 * a : 0.0);
      }
      const int64_t i = i0 + k;
      if (exclude_outside_ && (i < 0 || i >= in)) w = 0;
      raw.push_back({i < 0 ? 0 : (i >= in ? in - 1 : i), w});
      sum += w;
    }
    for (Tap& tap : raw) {
      if (tap.weight != 0 && sum != 0) taps->push_back({tap.index, tap.weight / sum});
    }
    if (taps->empty()) taps->push_back({i0 < 0 ? 0 : (i0 >= in ? in - 1 : i0), 0.0});
  }

  template <typename T>
  static double Sum(const T* x, const std::vector<AxisTaps>& taps, const std::vector<int64_t>& idx,
                    const std::vector<int64_t>& strides, size_t d, int64_t offset, double weight) {
    if (d == taps.size()) return weight * static_cast<double>(Load(x[offset]));
    double sum = 0;
    for (const Tap& tap : taps[d][idx[d]]) {
      sum +=
          Sum(x, taps, idx, strides, d + 1, offset + tap.index * strides[d], weight * tap.weight);
    }
    return sum;
  }

  template <typename T>
  static T FromDouble(double v) {
    if constexpr (kIsFloat<T>) {
      return Store<T>(static_cast<ComputeT<T>>(v));
    } else if constexpr (std::is_same_v<T, bool>) {
      return v != 0;
    } else {
      const double r = std::nearbyint(v);
      if (!(r >= static_cast<double>(std::numeric_limits<T>::lowest()))) {
        return std::numeric_limits<T>::lowest();
      }
      if (r >= static_cast<double>(std::numeric_limits<T>::max()))
        return std::numeric_limits<T>::max();
      return static_cast<T>(r);
    }
  }

  const Form form_;
  Mode mode_ = Mode::kNearest;
  Coord coord_ = Coord::kHalfPixel;
  NearestMode nearest_mode_ = NearestMode::kRoundPreferFloor;
  double cubic_a_ = -0.75;
  bool exclude_outside_ = false, antialias_ = false;
  double extrapolation_value_ = 0.0;
  std::vector<double> scales_, roi_;
};

}  // namespace

std::unique_ptr<Kernel> MakeUpsampleWithScalesAttribute() {
  return std::make_unique<Resize>(Form::kUpsampleAttr);
}
std::unique_ptr<Kernel> MakeUpsample() { return std::make_unique<Resize>(Form::kUpsampleInput); }
std::unique_ptr<Kernel> MakeResize10() { return std::make_unique<Resize>(Form::kResize10); }
std::unique_ptr<Kernel> MakeResize() { return std::make_unique<Resize>(Form::kResize11); }
std::unique_ptr<Kernel> MakeResize18() { return std::make_unique<Resize>(Form::kResize18); }
std::unique_ptr<Kernel> MakeResize19() { return std::make_unique<Resize>(Form::kResize19); }

}  // namespace convcheck::interp
