//===- interp/kernels/misc/window.cc - Hann/Hamming/Blackman windows, MelWeightMatrix ===//
//
// Opset 17. The windows take `size` (int32/int64 scalar) and produce `size` values of the
// generalized cosine window w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), n in [0, size),
// where N = size when periodic=1 (default) and size - 1 otherwise:
//   Hann a0 = a1 = 0.5, a2 = 0; Hamming a0 = 25/46, a1 = 21/46, a2 = 0;
//   Blackman a0 = 0.42, a1 = 0.5, a2 = 0.08.
// A symmetric window of size 1 has N = 0; its single value is 1, as numpy.hanning(1) gives.
// The ONNX test generators use 3.1415 instead of pi; we use pi, as the spec's formula does, so
// values can differ from those test files by about 1e-4.
//
// MelWeightMatrix: the triangular filter bank of the spec's reference: num_mel_bins + 2 points
// evenly spaced in mel between mel(lower_edge_hertz) and mel(upper_edge_hertz) with a step of
// (high - low) / (num_mel_bins + 2) (sic, the reference divides by the point count), mapped back
// to Hz and to the spectrogram bin floor((dft_length + 1) * hz / sample_rate). Filter i rises
// from bin[i] to 1 at bin[i+1] and falls to 0 at bin[i+2]. Output
// [dft_length / 2 + 1, num_mel_bins] of output_datatype (default float).
//
// Numerics: everything in double, rounded once to output_datatype (integer types truncate).
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

StatusOr<int64_t> ReadIntScalar(const KernelContext& ctx, int i, const std::string& what) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  const Tensor& t = ctx.input(i);
  if ((t.dtype() != DataType::kInt32 && t.dtype() != DataType::kInt64) || t.num_elements() != 1) {
    return InvalidArgument(what + " must be an int32 or int64 scalar, got " +
                           std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
  }
  return static_cast<int64_t>(t.GetAsDouble(0));
}

StatusOr<double> ReadFloatScalar(const KernelContext& ctx, int i, const std::string& what) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  const Tensor& t = ctx.input(i);
  if (!IsFloatingPoint(t.dtype()) || t.num_elements() != 1) {
    return InvalidArgument(what + " must be a floating-point scalar, got " +
                           std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
  }
  return t.GetAsDouble(0);
}

// output_datatype: any numeric type but bool/string/complex (the T2/T3 constraints).
StatusOr<DataType> OutputType(const KernelContext& ctx) {
  const int64_t code = ctx.attr_int("output_datatype", static_cast<int64_t>(DataType::kFloat32));
  auto dtype = DataTypeFromOnnxCode(static_cast<int32_t>(code));
  if (!dtype || !(IsFloatingPoint(*dtype) || IsInteger(*dtype))) {
    return InvalidArgument("output_datatype " + std::to_string(code) +
                           " is not a numeric tensor type");
  }
  return ctx.ComputeType(*dtype);
}

struct CosineWindow {
  double a0, a1, a2;
};

class Window final : public Kernel {
 public:
  explicit Window(CosineWindow coefficients) : c_(coefficients) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_ASSIGN_OR_RETURN(size_, ReadIntScalar(ctx, 0, "size"));
    if (size_ < 0) return InvalidArgument("size is " + std::to_string(size_) + ", must be >= 0");
    periodic_ = ctx.attr_int("periodic", 1) != 0;
    CC_ASSIGN_OR_RETURN(DataType dtype, OutputType(ctx));
    ctx.SetOutput(0, dtype, {size_});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int64_t denominator = periodic_ ? size_ : size_ - 1;
    for (int64_t n = 0; n < size_; ++n) {
      double value = 1.0;
      if (denominator > 0) {
        const double angle = 2.0 * std::numbers::pi * static_cast<double>(n) /
                             static_cast<double>(denominator);
        value = c_.a0 - c_.a1 * std::cos(angle) + c_.a2 * std::cos(2.0 * angle);
      }
      y.SetFromDouble(n, value);
    }
    return Status::Ok();
  }

 private:
  const CosineWindow c_;
  int64_t size_ = 0;
  bool periodic_ = true;
};

class MelWeightMatrix final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(5, 5, 1, 1));
    CC_ASSIGN_OR_RETURN(num_mel_bins_, ReadIntScalar(ctx, 0, "num_mel_bins"));
    CC_ASSIGN_OR_RETURN(dft_length_, ReadIntScalar(ctx, 1, "dft_length"));
    CC_ASSIGN_OR_RETURN(sample_rate_, ReadIntScalar(ctx, 2, "sample_rate"));
    CC_ASSIGN_OR_RETURN(lower_hz_, ReadFloatScalar(ctx, 3, "lower_edge_hertz"));
    CC_ASSIGN_OR_RETURN(upper_hz_, ReadFloatScalar(ctx, 4, "upper_edge_hertz"));
    if (num_mel_bins_ < 1 || dft_length_ < 1 || sample_rate_ < 1) {
      return InvalidArgument("num_mel_bins (" + std::to_string(num_mel_bins_) +
                             "), dft_length (" + std::to_string(dft_length_) +
                             ") and sample_rate (" + std::to_string(sample_rate_) +
                             ") must be positive");
    }
    if (lower_hz_ < 0 || upper_hz_ < lower_hz_) {
      return InvalidArgument("edges [" + std::to_string(lower_hz_) + ", " +
                             std::to_string(upper_hz_) + "] Hz are not a valid range");
    }
    const int64_t num_spectrogram_bins = dft_length_ / 2 + 1;
    // The filter edges, as spectrogram bins.
    bins_.clear();
    auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
    const double low_mel = mel(lower_hz_);
    const double step = (mel(upper_hz_) - low_mel) / static_cast<double>(num_mel_bins_ + 2);
    for (int64_t i = 0; i < num_mel_bins_ + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (static_cast<double>(i) * step + low_mel) / 2595.0) - 1.0);
      const int64_t bin = static_cast<int64_t>(
          std::floor(static_cast<double>(dft_length_ + 1) * hz / static_cast<double>(sample_rate_)));
      if (bin >= num_spectrogram_bins) {
        return InvalidArgument("upper_edge_hertz " + std::to_string(upper_hz_) +
                               " maps to spectrogram bin " + std::to_string(bin) +
                               ", beyond the " + std::to_string(num_spectrogram_bins) + " bins");
      }
      bins_.push_back(bin);
    }
    CC_ASSIGN_OR_RETURN(DataType dtype, OutputType(ctx));
    ctx.SetOutput(0, dtype, {num_spectrogram_bins, num_mel_bins_});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int64_t cols = num_mel_bins_;
    for (int64_t i = 0; i < num_mel_bins_; ++i) {
      const int64_t left = bins_[i], center = bins_[i + 1], right = bins_[i + 2];
      if (center == left) {
        y.SetFromDouble(center * cols + i, 1.0);
      } else {
        for (int64_t j = left; j <= center; ++j) {
          y.SetFromDouble(j * cols + i,
                          static_cast<double>(j - left) / static_cast<double>(center - left));
        }
      }
      for (int64_t j = center; j < right; ++j) {
        y.SetFromDouble(j * cols + i,
                        static_cast<double>(right - j) / static_cast<double>(right - center));
      }
    }
    return Status::Ok();
  }

 private:
  int64_t num_mel_bins_ = 0, dft_length_ = 0, sample_rate_ = 0;
  double lower_hz_ = 0, upper_hz_ = 0;
  std::vector<int64_t> bins_;
};

}  // namespace

std::unique_ptr<Kernel> MakeHannWindow() {
  return std::make_unique<Window>(CosineWindow{0.5, 0.5, 0.0});
}
std::unique_ptr<Kernel> MakeHammingWindow() {
  return std::make_unique<Window>(CosineWindow{25.0 / 46.0, 21.0 / 46.0, 0.0});
}
std::unique_ptr<Kernel> MakeBlackmanWindow() {
  return std::make_unique<Window>(CosineWindow{0.42, 0.5, 0.08});
}
std::unique_ptr<Kernel> MakeMelWeightMatrix() { return std::make_unique<MelWeightMatrix>(); }

}  // namespace convcheck::interp
