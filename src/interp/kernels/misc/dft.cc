//===- interp/kernels/misc/dft.cc - DFT and STFT (opset 17) -----------------===//
//
// DFT: input [batch, d1, ..., dN, 1 | 2] (real or complex as (re, im) pairs); the transform runs
// along `axis` (default 1, in [1, N]; a negative axis counts from the back of the whole rank).
// dft_length, when given, zero-pads or truncates the signal along the axis. inverse=1 computes
// the inverse transform with the 1/n factor. onesided=1 keeps bins [0, n/2] only, and is rejected
// for complex input, which the spec says cannot be onesided. Output: the input shape with the
// axis set to n (or n/2 + 1) and a last dimension of 2.
// DFT 20 takes the axis as an optional third input (default -2, the last signal axis; the range
// [-r, -2] and [0, r - 2], so the batch axis too) and defines inverse=1 with onesided=1 (IRFFT):
// the complex input holds bins [0, m), the full spectrum is completed by conjugate symmetry,
// n defaults to 2 (m - 1), and the output is real ([.., n, .., 1]). The same IRFFT rule is
// applied at 17 (onnx's test data for opset 19 expects it: a clarification, not a change).
//
// STFT: signal [batch, length, 1 | 2], frame_step, optional window [L] and frame_length L (at
// least one of them; equal if both). Frame f covers samples [f * step, f * step + L); there are
// (length - L) / step + 1 frames. Each frame is multiplied by the window and transformed;
// onesided (default 1) keeps L/2 + 1 bins. Output [batch, frames, bins, 2].
//
// Numerics: a direct O(n^2) transform in double, with twiddle factors exp(-2 pi i (j k mod n) / n)
// taken from a table indexed by (j * k) mod n, so large products do not lose the angle's
// precision; results are rounded once to the input type.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

// The transform of `n` complex samples (re, im interleaved in `in`, which may be shorter than
// n: the rest is zero) into `bins` output bins, interleaved in `out`.
void DirectDft(const std::vector<double>& in, int64_t n, int64_t bins, bool inverse,
               std::vector<double>& out) {
  std::vector<double> cos_table(n), sin_table(n);
  for (int64_t m = 0; m < n; ++m) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(n);
    cos_table[m] = std::cos(angle);
    sin_table[m] = std::sin(angle);
  }
  const double sign = inverse ? 1.0 : -1.0;
  const int64_t available = static_cast<int64_t>(in.size() / 2);
  const int64_t count = std::min(available, n);
  out.assign(2 * bins, 0.0);
  for (int64_t k = 0; k < bins; ++k) {
    double re = 0, im = 0;
    for (int64_t j = 0; j < count; ++j) {
      const int64_t m = (j * k) % n;
      const double c = cos_table[m], s = sign * sin_table[m];
      const double xr = in[2 * j], xi = in[2 * j + 1];
      re += xr * c - xi * s;
      im += xr * s + xi * c;
    }
    if (inverse) {
      re /= static_cast<double>(n);
      im /= static_cast<double>(n);
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
}

// Reads a scalar (or one-element) int32/int64 input.
StatusOr<int64_t> ReadIntScalar(const KernelContext& ctx, int i, const std::string& what) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  const Tensor& t = ctx.input(i);
  if ((t.dtype() != DataType::kInt32 && t.dtype() != DataType::kInt64) || t.num_elements() != 1) {
    return InvalidArgument(what + " must be an int32 or int64 scalar, got " +
                           std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
  }
  return static_cast<int64_t>(t.GetAsDouble(0));
}

Status RequireFloat(const Tensor& t, const std::string& what) {
  if (!IsFloatingPoint(t.dtype())) {
    return InvalidArgument(what + " must be a floating-point tensor, got " +
                           std::string(DataTypeName(t.dtype())));
  }
  return Status::Ok();
}

class Dft final : public Kernel {
 public:
  explicit Dft(bool axis_input) : axis_input_(axis_input) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, axis_input_ ? 3 : 2, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    CC_RETURN_IF_ERROR(RequireFloat(x, "input"));
    const int64_t rank = x.rank();
    if (rank < 3 || (x.shape()[rank - 1] != 1 && x.shape()[rank - 1] != 2)) {
      return InvalidArgument("input must be [batch, signal dims..., 1 or 2], got " +
                             ShapeToString(x.shape()));
    }
    int64_t given = ctx.attr_int("axis", 1);
    const int64_t lowest = axis_input_ ? 0 : 1;
    if (axis_input_) {
      given = -2;
      if (ctx.has_input(2)) {
        CC_ASSIGN_OR_RETURN(given, ReadIntScalar(ctx, 2, "axis"));
      }
    }
    const int64_t axis = given < 0 ? given + rank : given;
    if (axis < lowest || axis > rank - 2) {
      return InvalidArgument("axis " + std::to_string(given) +
                             " is not a signal axis of an input of rank " + std::to_string(rank) +
                             " (valid: " + std::to_string(lowest) + " to " +
                             std::to_string(rank - 2) + ")");
    }
    axis_ = axis;
    complex_ = x.shape()[rank - 1] == 2;
    inverse_ = ctx.attr_int("inverse", 0) != 0;
    onesided_ = ctx.attr_int("onesided", 0) != 0;
    irfft_ = onesided_ && inverse_;
    if (onesided_ && !inverse_ && complex_) {
      return InvalidArgument("onesided=1 is not possible for complex input");
    }
    if (irfft_ && !complex_) {
      return InvalidArgument("onesided=1 with inverse=1 (IRFFT) needs complex input");
    }
    n_ = irfft_ ? 2 * (x.shape()[axis] - 1) : x.shape()[axis];
    if (ctx.has_input(1)) {
      CC_ASSIGN_OR_RETURN(n_, ReadIntScalar(ctx, 1, "dft_length"));
    }
    if (n_ < 1) return InvalidArgument("dft_length is " + std::to_string(n_) + ", must be >= 1");
    bins_ = onesided_ && !inverse_ ? n_ / 2 + 1 : n_;
    Shape out_shape = x.shape();
    out_shape[axis] = bins_;
    out_shape[rank - 1] = irfft_ ? 1 : 2;
    ctx.SetOutput(0, x.dtype(), out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const Shape& shape = x.shape();
    const int64_t rank = x.rank();
    const int64_t channels = shape[rank - 1];
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis_; ++d) outer *= shape[d];
    for (int64_t d = axis_ + 1; d < rank - 1; ++d) inner *= shape[d];
    const int64_t len = shape[axis_];
    const int64_t used = std::min(len, n_);
    const int64_t out_channels = irfft_ ? 1 : 2;
    std::vector<double> signal, spectrum;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        signal.assign(2 * (irfft_ ? n_ : used), 0.0);
        for (int64_t j = 0; j < used; ++j) {
          const int64_t base = ((o * len + j) * inner + i) * channels;
          signal[2 * j] = x.GetAsDouble(base);
          if (complex_) signal[2 * j + 1] = x.GetAsDouble(base + 1);
        }
        if (irfft_) {
          // Bins above n / 2 mirror the lower ones, conjugated.
          for (int64_t k = n_ / 2 + 1; k < n_; ++k) {
            signal[2 * k] = signal[2 * (n_ - k)];
            signal[2 * k + 1] = -signal[2 * (n_ - k) + 1];
          }
        }
        DirectDft(signal, n_, bins_, inverse_, spectrum);
        for (int64_t k = 0; k < bins_; ++k) {
          const int64_t base = ((o * bins_ + k) * inner + i) * out_channels;
          y.SetFromDouble(base, spectrum[2 * k]);
          if (!irfft_) y.SetFromDouble(base + 1, spectrum[2 * k + 1]);
        }
      }
    }
    return Status::Ok();
  }

 private:
  const bool axis_input_;
  int64_t axis_ = 1, n_ = 0, bins_ = 0;
  bool complex_ = false, inverse_ = false, onesided_ = false, irfft_ = false;
};

class Stft final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 4, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& signal = ctx.input(0);
    CC_RETURN_IF_ERROR(RequireFloat(signal, "signal"));
    if (signal.rank() != 3 || (signal.shape()[2] != 1 && signal.shape()[2] != 2)) {
      return InvalidArgument("signal must be [batch, length, 1 or 2], got " +
                             ShapeToString(signal.shape()));
    }
    complex_ = signal.shape()[2] == 2;
    CC_ASSIGN_OR_RETURN(step_, ReadIntScalar(ctx, 1, "frame_step"));
    if (step_ < 1)
      return InvalidArgument("frame_step is " + std::to_string(step_) + ", must be >= 1");
    has_window_ = ctx.has_input(2);
    frame_length_ = -1;
    if (has_window_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
      const Tensor& window = ctx.input(2);
      CC_RETURN_IF_ERROR(RequireFloat(window, "window"));
      if (window.rank() != 1) {
        return InvalidArgument("window must be 1-D, got " + ShapeToString(window.shape()));
      }
      frame_length_ = window.shape()[0];
    }
    if (ctx.has_input(3)) {
      CC_ASSIGN_OR_RETURN(int64_t length, ReadIntScalar(ctx, 3, "frame_length"));
      if (has_window_ && length != frame_length_) {
        return InvalidArgument("frame_length is " + std::to_string(length) +
                               " but the window has " + std::to_string(frame_length_) +
                               " elements");
      }
      frame_length_ = length;
    }
    if (frame_length_ < 0) return InvalidArgument("either window or frame_length is required");
    if (frame_length_ < 1) {
      return InvalidArgument("frame length is " + std::to_string(frame_length_) + ", must be >= 1");
    }
    const int64_t length = signal.shape()[1];
    if (frame_length_ > length) {
      return InvalidArgument("frame length " + std::to_string(frame_length_) +
                             " exceeds the signal length " + std::to_string(length));
    }
    onesided_ = ctx.attr_int("onesided", 1) != 0;
    if (onesided_ && complex_) {
      return InvalidArgument("onesided=1 is not possible for complex input");
    }
    frames_ = (length - frame_length_) / step_ + 1;
    bins_ = onesided_ ? frame_length_ / 2 + 1 : frame_length_;
    ctx.SetOutput(0, signal.dtype(), {signal.shape()[0], frames_, bins_, 2});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& signal = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t batch = signal.shape()[0];
    const int64_t length = signal.shape()[1];
    const int64_t channels = signal.shape()[2];
    std::vector<double> window(static_cast<size_t>(frame_length_), 1.0);
    if (has_window_) {
      for (int64_t j = 0; j < frame_length_; ++j) window[j] = ctx.input(2).GetAsDouble(j);
    }
    std::vector<double> frame, spectrum;
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t f = 0; f < frames_; ++f) {
        frame.assign(2 * frame_length_, 0.0);
        for (int64_t j = 0; j < frame_length_; ++j) {
          const int64_t base = (b * length + f * step_ + j) * channels;
          frame[2 * j] = signal.GetAsDouble(base) * window[j];
          if (complex_) frame[2 * j + 1] = signal.GetAsDouble(base + 1) * window[j];
        }
        DirectDft(frame, frame_length_, bins_, /*inverse=*/false, spectrum);
        for (int64_t k = 0; k < bins_; ++k) {
          const int64_t base = ((b * frames_ + f) * bins_ + k) * 2;
          y.SetFromDouble(base, spectrum[2 * k]);
          y.SetFromDouble(base + 1, spectrum[2 * k + 1]);
        }
      }
    }
    return Status::Ok();
  }

 private:
  bool complex_ = false, has_window_ = false, onesided_ = true;
  int64_t step_ = 1, frame_length_ = 0, frames_ = 0, bins_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeDft() { return std::make_unique<Dft>(/*axis_input=*/false); }
std::unique_ptr<Kernel> MakeDftAxisInput() { return std::make_unique<Dft>(/*axis_input=*/true); }
std::unique_ptr<Kernel> MakeStft() { return std::make_unique<Stft>(); }

}  // namespace convcheck::interp
