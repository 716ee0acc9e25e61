//===- interp/kernels/nn/conv.cc - Conv, ConvInteger, QLinearConv ---------===//
//
// N-D convolution (1 to 3 spatial dims) as im2col + GEMM per (batch, group):
//   Y[n, g] (M/group x out) = W[g] (M/group x C/group*K) * col(X[n, g]) (C/group*K x out).
// A 1x1 kernel with unit strides and no pads needs no im2col: X[n, g] already is the column
// matrix. Depthwise convolution (one input channel per group, 1-D or 2-D, float or double) is
// computed directly instead; other grouped convolutions run the same loop per group.
//
// Conv opsets 1+ (11 only made kernel_shape optional). ConvInteger opset 10+, QLinearConv
// opset 10+.
//
// Numerics: float32/float64 GEMM in OpenBLAS (float accumulation as BLAS does it), float16 in
// the shared GEMM's double accumulator, rounded once. The integer convolutions subtract the
// zero points first (padding therefore contributes 0, as if padded with the zero point) and
// accumulate exactly in int32 (int64 inside the GEMM). QLinearConv requantizes with
// acc * x_scale * w_scale / y_scale in double, rounds half to even, adds y_zero_point and
// saturates to the output type.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "interp/kernels/common/gemm.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/fast/convolution.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/nn/im2col.h"
#include "interp/kernels/nn/window.h"

namespace convcheck::interp {
namespace {

using nn::Geometry;

// Shapes shared by the three convolutions.
struct ConvDims {
  int64_t batch = 0, channels = 0, maps = 0, group = 1;
  Geometry geo;
  bool direct = false;  // 1x1 kernel, unit stride, no pads: X is its own column matrix.
};

// Validates X [N, C, D...] and W [M, C/group, k...] and computes the geometry.
Status PrepareConvDims(const KernelContext& ctx, const Shape& x, const Shape& w, ConvDims* d) {
  CC_ASSIGN_OR_RETURN(int rank, nn::SpatialRank(x, "input X"));
  if (w.size() != x.size()) {
    return InvalidArgument("weight W has shape " + ShapeToString(w) + " but input X has shape " +
                           ShapeToString(x) + ": ranks differ");
  }
  d->batch = x[0];
  d->channels = x[1];
  d->maps = w[0];
  d->group = ctx.attr_int("group", 1);
  if (d->group < 1 || d->channels % d->group != 0 || d->maps % d->group != 0) {
    return InvalidArgument("group " + std::to_string(d->group) + " must divide the " +
                           std::to_string(d->channels) + " input channels and the " +
                           std::to_string(d->maps) + " output channels");
  }
  if (w[1] != d->channels / d->group) {
    return InvalidArgument("weight W has shape " + ShapeToString(w) + ": dimension 1 must be C/group = " +
                           std::to_string(d->channels / d->group));
  }
  nn::WindowAttrs attrs;
  CC_RETURN_IF_ERROR(nn::ReadWindowAttrs(ctx, rank, std::vector<int64_t>(w.begin() + 2, w.end()),
                                         /*allow_ceil=*/false, &attrs));
  CC_ASSIGN_OR_RETURN(d->geo, nn::ForwardGeometry(std::vector<int64_t>(x.begin() + 2, x.end()), attrs));
  const Geometry& g = d->geo;
  d->direct = true;
  for (int i = 0; i < 3; ++i) {
    if (g.kernel[i] != 1 || g.stride[i] != 1 || g.pad_begin[i] != 0 || g.pad_end[i] != 0) {
      d->direct = false;
    }
  }
  return Status::Ok();
}

Shape ConvOutputShape(const ConvDims& d) {
  Shape out{d.batch, d.maps};
  for (int64_t v : d.geo.OutDims()) out.push_back(v);
  return out;
}

// The column matrix of one (batch, group), reused across calls: allocating it afresh made every
// convolution map, fault in and zero megabytes of new pages (a sixth of resnet18's time went to
// the kernel clearing pages). Buffers up to kKeepBytes stay for the next call; larger ones (big
// 3-D convolutions) are freed after use so that they do not add to the live set of the rest of
// the graph. One per thread and element type; a kernel never runs inside another kernel's
// im2col, so one buffer is enough.
template <typename T>
class ColumnScratch {
 public:
  static constexpr int64_t kKeepBytes = int64_t{64} << 20;
  explicit ColumnScratch(int64_t count) {
    if (count > capacity()) {
      buffer().reset();  // Free first: the old and new buffers need not coexist.
      buffer().reset(new T[static_cast<size_t>(count)]);  // Uninitialised: Im2Col fills it.
      capacity() = count;
    }
    data_ = buffer().get();
  }
  ~ColumnScratch() {
    if (capacity() * static_cast<int64_t>(sizeof(T)) > kKeepBytes) {
      buffer().reset();
      capacity() = 0;
    }
  }
  ColumnScratch(const ColumnScratch&) = delete;
  ColumnScratch& operator=(const ColumnScratch&) = delete;
  T* data() const { return data_; }

 private:
  static std::unique_ptr<T[]>& buffer() {
    thread_local std::unique_ptr<T[]> b;
    return b;
  }
  static int64_t& capacity() {
    thread_local int64_t c = 0;
    return c;
  }
  T* data_;
};

// y = conv(x, w) without bias. `pad_value` fills the padding in the column matrix.
template <typename T>
void ConvGemmLoop(const T* x, const T* w, T* y, const ConvDims& d) {
  const Geometry& g = d.geo;
  const int64_t cg = d.channels / d.group, mg = d.maps / d.group;
  const int64_t k = cg * g.kernel_size(), in_size = g.in_size(), out_size = g.out_size();
  std::optional<ColumnScratch<T>> col;
  if (!d.direct) col.emplace(k * out_size);
  for (int64_t n = 0; n < d.batch; ++n) {
    for (int64_t gi = 0; gi < d.group; ++gi) {
      const T* xg = x + (n * d.channels + gi * cg) * in_size;
      const T* cols = xg;
      if (!d.direct) {
        nn::Im2Col<T>(xg, cg, g, T{}, col->data());
        cols = col->data();
      }
      Gemm<T>(/*trans_a=*/false, /*trans_b=*/false, mg, out_size, k, /*alpha=*/1.0, w + gi * mg * k,
              k, cols, out_size, /*beta=*/0.0, y + (n * d.maps + gi * mg) * out_size, out_size);
    }
  }
}

// Whether DepthwiseConv applies: one input channel per group (depthwise, any channel
// multiplier) and at most two spatial dims.
bool IsDepthwise2D(const ConvDims& d) {
  return d.group > 1 && d.channels == d.group && d.geo.in[0] == 1 && d.geo.kernel[0] == 1 &&
         d.geo.out[0] == 1 && d.geo.pad_begin[0] == 0;
}

// Depthwise convolution computed directly: im2col + GEMM would make one [mg x k] by [k x out]
// product per channel with k = 9, where BLAS spends its time packing, not multiplying (45% of
// mobilenet_v3_small). Each output row accumulates w[kh, kw] * (a shifted input row), summing
// over kh then kw in the element type (float accumulation, as the BLAS path).
template <typename T>
void DepthwiseConv(const T* x, const T* w, T* y, const ConvDims& d) {
  const Geometry& g = d.geo;
  const int64_t mg = d.maps / d.group, in_h = g.in[1], in_w = g.in[2];
  const int64_t out_h = g.out[1], out_w = g.out[2], kh_n = g.kernel[1], kw_n = g.kernel[2];
  const int64_t sh = g.stride[1], sw = g.stride[2];
  // Per kernel column: its input offset and the output columns whose input lies inside X.
  std::vector<int64_t> offset(kw_n), lo(kw_n), hi(kw_n);
  for (int64_t kw = 0; kw < kw_n; ++kw) {
    offset[kw] = kw * g.dilation[2] - g.pad_begin[2];
    nn::ValidRange(offset[kw], sw, in_w, out_w, &lo[kw], &hi[kw]);
  }
  for (int64_t n = 0; n < d.batch; ++n) {
    for (int64_t c = 0; c < d.channels; ++c) {
      const T* xc = x + (n * d.channels + c) * g.in_size();
      for (int64_t mi = 0; mi < mg; ++mi) {
        const int64_t m = c * mg + mi;
        const T* wm = w + m * kh_n * kw_n;
        T* ym = y + (n * d.maps + m) * g.out_size();
        for (int64_t oh = 0; oh < out_h; ++oh) {
          T* __restrict yrow = ym + oh * out_w;
          std::fill(yrow, yrow + out_w, T{0});
          for (int64_t kh = 0; kh < kh_n; ++kh) {
            const int64_t ih = oh * sh - g.pad_begin[1] + kh * g.dilation[1];
            if (ih < 0 || ih >= in_h) continue;
            const T* __restrict xrow = xc + ih * in_w;
            for (int64_t kw = 0; kw < kw_n; ++kw) {
              const T wv = wm[kh * kw_n + kw];
              const int64_t off = offset[kw];
              if (sw == 1) {
                for (int64_t ow = lo[kw]; ow < hi[kw]; ++ow) yrow[ow] += wv * xrow[ow + off];
              } else {
                for (int64_t ow = lo[kw]; ow < hi[kw]; ++ow) yrow[ow] += wv * xrow[ow * sw + off];
              }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Conv
// ---------------------------------------------------------------------------------------------

class Conv final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (x.dtype() != DataType::kFloat32 && x.dtype() != DataType::kFloat64 &&
        x.dtype() != DataType::kFloat16) {
      return InvalidArgument("Conv does not accept " + std::string(DataTypeName(x.dtype())) +
                             " input");
    }
    if (w.dtype() != x.dtype()) {
      return InvalidArgument("Conv inputs have different types: X is " +
                             std::string(DataTypeName(x.dtype())) + ", W is " +
                             std::string(DataTypeName(w.dtype())));
    }
    CC_RETURN_IF_ERROR(PrepareConvDims(ctx, x.shape(), w.shape(), &dims_));
    has_bias_ = ctx.has_input(2);
    if (has_bias_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
      const Tensor& b = ctx.input(2);
      if (b.dtype() != x.dtype() || b.shape() != Shape{dims_.maps}) {
        return InvalidArgument("bias B is " + std::string(DataTypeName(b.dtype())) +
                               ShapeToString(b.shape()) + ", expected " +
                               std::string(DataTypeName(x.dtype())) + "[" +
                               std::to_string(dims_.maps) + "]");
      }
    }
    ctx.SetOutput(0, x.dtype(), ConvOutputShape(dims_));
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() == DataType::kFloat32 && ctx.fast_kernels() && ComputeFast(ctx)) {
      return Status::Ok();
    }
    return Dispatch<float, double, Float16>(x.dtype(), [&]<typename T>() {
      T* y = ctx.output(0).MutableData<T>();
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        if (IsDepthwise2D(dims_)) {
          DepthwiseConv<T>(x.Data<T>(), ctx.input(1).Data<T>(), y, dims_);
        } else {
          ConvGemmLoop<T>(x.Data<T>(), ctx.input(1).Data<T>(), y, dims_);
        }
      } else {
        ConvGemmLoop<T>(x.Data<T>(), ctx.input(1).Data<T>(), y, dims_);
      }
      if (has_bias_) {
        const T* b = ctx.input(2).Data<T>();
        const int64_t out_size = dims_.geo.out_size();
        for (int64_t n = 0; n < dims_.batch; ++n) {
          for (int64_t m = 0; m < dims_.maps; ++m) {
            T* ym = y + (n * dims_.maps + m) * out_size;
            const auto bias = Load(b[m]);
            for (int64_t i = 0; i < out_size; ++i) ym[i] = Store<T>(Load(ym[i]) + bias);
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  // The fast path (kernels/fast/convolution.h) when it applies; false leaves the work to the
  // reference.
  bool ComputeFast(KernelContext& ctx) const {
    const ConvDims& d = dims_;
    const float* x = ctx.input(0).Data<float>();
    const float* w = ctx.input(1).Data<float>();
    const float* bias = has_bias_ ? ctx.input(2).Data<float>() : nullptr;
    float* y = ctx.output(0).MutableData<float>();
    if (fast::Depthwise2DApplies(d.group, d.channels, d.geo)) {
      fast::Depthwise2D(x, w, bias, y, d.batch, d.channels, d.maps, d.geo, ctx.parallel());
      return true;
    }
    if (!fast::Conv2DApplies(d.group, d.geo)) return false;
    const int64_t k = d.channels * d.geo.kernel_size();
    // Weights that are a constant of the model are packed on the first run only.
    std::shared_ptr<const fast::PackedA> packed;
    if (ctx.input_is_constant(1) && packed_weights_ && packed_from_ == w) {
      packed = packed_weights_;
    } else {
      packed = std::make_shared<const fast::PackedA>(fast::PackA(w, k, false, d.maps, k));
      if (ctx.input_is_constant(1)) {
        packed_weights_ = packed;
        packed_from_ = w;
      }
    }
    fast::Conv2D(x, *packed, bias, y, d.batch, d.channels, d.maps, d.geo, ctx.parallel());
    return true;
  }

  ConvDims dims_;
  bool has_bias_ = false;
  // The fast path's packed constant weights, and the tensor data they were packed from.
  mutable std::shared_ptr<const fast::PackedA> packed_weights_;
  mutable const float* packed_from_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// ConvInteger and QLinearConv: shared integer path
// ---------------------------------------------------------------------------------------------

bool IsInt8Or8(DataType t) { return t == DataType::kInt8 || t == DataType::kUint8; }

// A zero point (or scale) that is a scalar or a 1-element tensor; `per_channel` also admits
// a 1-D tensor of `channels` entries.
Status CheckQuantParam(const KernelContext& ctx, int index, const char* name, bool per_channel,
                       int64_t channels) {
  if (!ctx.has_input(index)) return Status::Ok();
  CC_RETURN_IF_ERROR(ctx.RequireTensor(index));
  const Tensor& t = ctx.input(index);
  const int64_t n = t.num_elements();
  const bool ok = (t.rank() <= 1 && n == 1) || (per_channel && t.rank() == 1 && n == channels);
  if (!ok) {
    return InvalidArgument(std::string(name) + " has shape " + ShapeToString(t.shape()) +
                           (per_channel ? ", expected a scalar or [" + std::to_string(channels) + "]"
                                        : ", expected a scalar"));
  }
  return Status::Ok();
}

// Value of a scalar-or-per-channel parameter for channel m (0 when absent).
double QuantParam(const KernelContext& ctx, int index, int64_t m) {
  if (!ctx.has_input(index)) return 0.0;
  const Tensor& t = ctx.input(index);
  return t.GetAsDouble(t.num_elements() == 1 ? 0 : m);
}

// Runs the convolution of (x - x_zp) and (w - w_zp[m]) in int32.
std::vector<int32_t> IntegerConv(const KernelContext& ctx, int x_index, int xzp_index,
                                 int w_index, int wzp_index, const ConvDims& d) {
  const Tensor& x = ctx.input(x_index);
  const Tensor& w = ctx.input(w_index);
  const int32_t xzp = static_cast<int32_t>(QuantParam(ctx, xzp_index, 0));
  std::vector<int32_t> xs(static_cast<size_t>(x.num_elements()));
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    xs[i] = static_cast<int32_t>(x.GetAsDouble(i)) - xzp;
  }
  std::vector<int32_t> ws(static_cast<size_t>(w.num_elements()));
  const int64_t per_map = d.maps == 0 ? 0 : w.num_elements() / d.maps;
  for (int64_t m = 0; m < d.maps; ++m) {
    const int32_t wzp = static_cast<int32_t>(QuantParam(ctx, wzp_index, m));
    for (int64_t i = m * per_map; i < (m + 1) * per_map; ++i) {
      ws[i] = static_cast<int32_t>(w.GetAsDouble(i)) - wzp;
    }
  }
  std::vector<int32_t> y(static_cast<size_t>(d.batch * d.maps * d.geo.out_size()));
  ConvGemmLoop<int32_t>(xs.data(), ws.data(), y.data(), d);
  return y;
}

class ConvInteger final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 4, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (!IsInt8Or8(x.dtype()) || !IsInt8Or8(w.dtype())) {
      return InvalidArgument("ConvInteger takes int8 or uint8 inputs, got X " +
                             std::string(DataTypeName(x.dtype())) + " and W " +
                             std::string(DataTypeName(w.dtype())));
    }
    CC_RETURN_IF_ERROR(PrepareConvDims(ctx, x.shape(), w.shape(), &dims_));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 2, "x_zero_point", /*per_channel=*/false, 1));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 3, "w_zero_point", /*per_channel=*/true, dims_.maps));
    ctx.SetOutput(0, DataType::kInt32, ConvOutputShape(dims_));
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    std::vector<int32_t> acc = IntegerConv(ctx, 0, 2, 1, 3, dims_);
    int32_t* y = ctx.output(0).MutableData<int32_t>();
    for (size_t i = 0; i < acc.size(); ++i) y[i] = acc[i];
    return Status::Ok();
  }

 private:
  ConvDims dims_;
};

class QLinearConv final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(8, 9, 1, 1));
    for (int i = 0; i < 8; ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(3);
    const Tensor& y_zp = ctx.input(7);
    if (!IsInt8Or8(x.dtype()) || !IsInt8Or8(w.dtype()) || !IsInt8Or8(y_zp.dtype())) {
      return InvalidArgument("QLinearConv takes int8 or uint8 x, w and y_zero_point, got " +
                             std::string(DataTypeName(x.dtype())) + ", " +
                             std::string(DataTypeName(w.dtype())) + " and " +
                             std::string(DataTypeName(y_zp.dtype())));
    }
    if (ctx.input(2).dtype() != x.dtype() || ctx.input(5).dtype() != w.dtype()) {
      return InvalidArgument("QLinearConv zero points must have the types of x and w");
    }
    CC_RETURN_IF_ERROR(PrepareConvDims(ctx, x.shape(), w.shape(), &dims_));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 1, "x_scale", /*per_channel=*/false, 1));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 2, "x_zero_point", /*per_channel=*/false, 1));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 4, "w_scale", /*per_channel=*/true, dims_.maps));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 5, "w_zero_point", /*per_channel=*/true, dims_.maps));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 6, "y_scale", /*per_channel=*/false, 1));
    CC_RETURN_IF_ERROR(CheckQuantParam(ctx, 7, "y_zero_point", /*per_channel=*/false, 1));
    if (ctx.has_input(8)) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(8));
      const Tensor& b = ctx.input(8);
      if (b.dtype() != DataType::kInt32 || b.shape() != Shape{dims_.maps}) {
        return InvalidArgument("bias B is " + std::string(DataTypeName(b.dtype())) +
                               ShapeToString(b.shape()) + ", expected int32[" +
                               std::to_string(dims_.maps) + "]");
      }
    }
    ctx.SetOutput(0, y_zp.dtype(), ConvOutputShape(dims_));
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    std::vector<int32_t> acc = IntegerConv(ctx, 0, 2, 3, 5, dims_);
    Tensor& y = ctx.output(0);
    const double x_scale = QuantParam(ctx, 1, 0), y_scale = QuantParam(ctx, 6, 0);
    const double y_zp = QuantParam(ctx, 7, 0);
    const bool is_int8 = y.dtype() == DataType::kInt8;
    const double lo = is_int8 ? -128 : 0, hi = is_int8 ? 127 : 255;
    const int64_t out_size = dims_.geo.out_size();
    for (int64_t n = 0; n < dims_.batch; ++n) {
      for (int64_t m = 0; m < dims_.maps; ++m) {
        const double bias = ctx.has_input(8) ? ctx.input(8).Data<int32_t>()[m] : 0;
        const double multiplier = x_scale * QuantParam(ctx, 4, m) / y_scale;
        const int64_t base = (n * dims_.maps + m) * out_size;
        for (int64_t i = 0; i < out_size; ++i) {
          // std::nearbyint rounds half to even in the default rounding mode.
          double q = std::nearbyint((acc[base + i] + bias) * multiplier) + y_zp;
          q = q < lo ? lo : (q > hi ? hi : q);
          y.SetFromDouble(base + i, q);
        }
      }
    }
    return Status::Ok();
  }

 private:
  ConvDims dims_;
};

}  // namespace

std::unique_ptr<Kernel> MakeConv() { return std::make_unique<Conv>(); }
std::unique_ptr<Kernel> MakeConvInteger() { return std::make_unique<ConvInteger>(); }
std::unique_ptr<Kernel> MakeQLinearConv() { return std::make_unique<QLinearConv>(); }

}  // namespace convcheck::interp
