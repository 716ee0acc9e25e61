//===- interp/kernels/nn/pool.cc - Max/Average/Lp pools, global pools, MaxUnpool ===//
//
// Windowed pools over 1 to 3 spatial dims, sharing window.h's geometry (kernel_shape, strides,
// pads, auto_pad, dilations, ceil_mode), and their global forms that reduce each [n, c] plane.
//
//   MaxPool 1+ (Indices and storage_order from 8, ceil_mode and dilations from 10, int8/uint8
//     from 12). Indices are flat positions in X (row-major, or column-major over the spatial
//     dims when storage_order = 1, plus the (n, c) plane offset), padding never selected.
//   AveragePool 1+ (count_include_pad from 7, ceil_mode from 10). count_include_pad counts the
//     window positions inside [-pad_begin, in + pad_end), so a ceil_mode window hanging past the
//     end padding is not charged for the part outside it (as onnxruntime and PyTorch do).
//   LpPool 2+ (p int): y = (sum |x|^p)^(1/p); padding contributes 0.
//   GlobalAveragePool, GlobalMaxPool 1+, GlobalLpPool 2+.
//   MaxUnpool 9+: Y zero-filled then Y[I[i]] = X[i]; output_shape (input 2) overrides the
//     default size (in - 1) * stride + kernel - pad_begin - pad_end, and the indices (flat in
//     the default shape) keep their coordinates in the larger output, as the ONNX test data
//     expects.
//
// Numerics: sums accumulate in double and round once. MaxPool propagates NaN (the first NaN in
// a window wins, as numpy's max does). A window lying entirely in padding yields the lowest
// value for MaxPool (index -1) and 0 for the average and Lp pools.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/nn/window.h"

namespace convcheck::interp {
namespace {

using nn::Geometry;

enum class PoolKind { kMax, kAverage, kLp };

const char* PoolName(PoolKind kind) {
  switch (kind) {
    case PoolKind::kMax:
      return "MaxPool";
    case PoolKind::kAverage:
      return "AveragePool";
    case PoolKind::kLp:
      return "LpPool";
  }
  return "";
}

template <typename T>
bool IsNan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Windowed pools
// ---------------------------------------------------------------------------------------------

class Pool final : public Kernel {
 public:
  explicit Pool(PoolKind kind) : kind_(kind) {}

  Status Prepare(KernelContext& ctx) override {
    const int max_outputs = kind_ == PoolKind::kMax ? 2 : 1;
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, max_outputs));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    const DataType t = x.dtype();
    const bool int8 = t == DataType::kInt8 || t == DataType::kUint8;
    if (!IsFloatingPoint(t) && !(kind_ == PoolKind::kMax && int8)) {
      return InvalidArgument(std::string(PoolName(kind_)) + " does not accept " +
                             std::string(DataTypeName(t)) + " input");
    }
    CC_ASSIGN_OR_RETURN(const int rank, nn::SpatialRank(x.shape(), "input X"));
    nn::WindowAttrs attrs;
    CC_RETURN_IF_ERROR(nn::ReadWindowAttrs(ctx, rank, {}, /*allow_ceil=*/true, &attrs));
    if (kind_ == PoolKind::kAverage && ctx.has_attr("dilations") && ctx.opset() < 19) {
      // Dilated average pooling arrives with opset 19; before that the attribute is not
      // part of the op, so a model carrying it is malformed.
      return InvalidArgument("AveragePool has no dilations attribute before opset 19");
    }
    CC_ASSIGN_OR_RETURN(geo_, nn::ForwardGeometry(
                                  std::vector<int64_t>(x.shape().begin() + 2, x.shape().end()),
                                  attrs));
    count_include_pad_ = ctx.attr_int("count_include_pad", 0) != 0;
    storage_order_ = ctx.attr_int("storage_order", 0);
    if (storage_order_ != 0 && storage_order_ != 1) {
      return InvalidArgument("storage_order " + std::to_string(storage_order_) +
                             " is not 0 (row major) or 1 (column major)");
    }
    p_ = ctx.attr_int("p", 2);
    if (kind_ == PoolKind::kLp && p_ < 1) {
      return InvalidArgument("p " + std::to_string(p_) + " must be at least 1");
    }
    planes_ = x.shape()[0] * x.shape()[1];
    Shape y_shape{x.shape()[0], x.shape()[1]};
    for (int64_t v : geo_.OutDims()) y_shape.push_back(v);
    ctx.SetOutput(0, t, y_shape);
    if (ctx.has_output(1)) ctx.SetOutput(1, DataType::kInt64, y_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    return Dispatch<float, double, Float16, BFloat16, int8_t, uint8_t>(
        x.dtype(), [&]<typename T>() {
          int64_t* indices = ctx.has_output(1) ? ctx.output(1).MutableData<int64_t>() : nullptr;
          Run<T>(x.Data<T>(), ctx.output(0).MutableData<T>(), indices);
          return Status::Ok();
        });
  }

 private:
  // MaxPool over one or two spatial dims without the Indices output: the general loop below
  // pays for 3-D windows, padding counts, indices and three pool kinds at every element, which
  // made a single 3x3 MaxPool a sixth of resnet18's time. Same results: the maximum of the
  // window's positions inside the input, the first NaN winning, lowest() for an empty window.
  template <typename T>
  void RunMaxPool2D(const T* x, T* y) const {
    using C = ComputeT<T>;
    const Geometry& g = geo_;
    const int64_t in_h = g.in[1], in_w = g.in[2];
    for (int64_t plane = 0; plane < planes_; ++plane) {
      const T* xp = x + plane * g.in_size();
      T* yp = y + plane * g.out_size();
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        const int64_t h0 = oh * g.stride[1] - g.pad_begin[1];
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const int64_t w0 = ow * g.stride[2] - g.pad_begin[2];
          C best = std::numeric_limits<C>::lowest();
          bool nan = false;
          for (int64_t kh = 0; kh < g.kernel[1] && !nan; ++kh) {
            const int64_t ih = h0 + kh * g.dilation[1];
            if (ih < 0 || ih >= in_h) continue;
            const T* row = xp + ih * in_w;
            for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
              const int64_t iw = w0 + kw * g.dilation[2];
              if (iw < 0 || iw >= in_w) continue;
              const C v = Load(row[iw]);
              if (IsNan(v)) {
                best = v;
                nan = true;
                break;
              }
              best = v > best ? v : best;
            }
          }
          yp[oh * g.out[2] + ow] = Store<T>(best);
        }
      }
    }
  }

  template <typename T>
  void Run(const T* x, T* y, int64_t* indices) const {
    using C = ComputeT<T>;
    const Geometry& g = geo_;
    if (kind_ == PoolKind::kMax && indices == nullptr && g.in[0] == 1 && g.kernel[0] == 1 &&
        g.out[0] == 1 && g.pad_begin[0] == 0) {
      RunMaxPool2D(x, y);
      return;
    }
    const int64_t in_size = g.in_size();
    for (int64_t plane = 0; plane < planes_; ++plane) {
      const T* xp = x + plane * in_size;
      for (int64_t od = 0; od < g.out[0]; ++od) {
        const int64_t d0 = od * g.stride[0] - g.pad_begin[0];
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
          const int64_t h0 = oh * g.stride[1] - g.pad_begin[1];
          for (int64_t ow = 0; ow < g.out[2]; ++ow) {
            const int64_t w0 = ow * g.stride[2] - g.pad_begin[2];
            C best = std::numeric_limits<C>::lowest();
            int64_t best_index = -1;
            double sum = 0;
            int64_t count = 0, padded_count = 0;
            for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
              const int64_t id = d0 + kd * g.dilation[0];
              if (id < -g.pad_begin[0] || id >= g.in[0] + g.pad_end[0]) continue;
              const bool d_in = id >= 0 && id < g.in[0];
              for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                const int64_t ih = h0 + kh * g.dilation[1];
                if (ih < -g.pad_begin[1] || ih >= g.in[1] + g.pad_end[1]) continue;
                const bool h_in = ih >= 0 && ih < g.in[1];
                for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                  const int64_t iw = w0 + kw * g.dilation[2];
                  if (iw < -g.pad_begin[2] || iw >= g.in[2] + g.pad_end[2]) continue;
                  ++padded_count;
                  if (!d_in || !h_in || iw < 0 || iw >= g.in[2]) continue;
                  const int64_t pos = (id * g.in[1] + ih) * g.in[2] + iw;
                  const C v = Load(xp[pos]);
                  ++count;
                  switch (kind_) {
                    case PoolKind::kMax:
                      if (!IsNan(best) && (IsNan(v) || v > best || best_index < 0)) {
                        best = v;
                        best_index = storage_order_ == 0
                                         ? pos
                                         : id + ih * g.in[0] + iw * g.in[0] * g.in[1];
                      }
                      break;
                    case PoolKind::kAverage:
                      sum += static_cast<double>(v);
                      break;
                    case PoolKind::kLp:
                      sum += std::pow(std::abs(static_cast<double>(v)), static_cast<double>(p_));
                      break;
                  }
                }
              }
            }
            const int64_t out_pos = plane * g.out_size() + (od * g.out[1] + oh) * g.out[2] + ow;
            switch (kind_) {
              case PoolKind::kMax:
                y[out_pos] = Store<T>(best);
                if (indices) indices[out_pos] = best_index < 0 ? -1 : plane * in_size + best_index;
                break;
              case PoolKind::kAverage: {
                const int64_t divisor = count_include_pad_ ? padded_count : count;
                y[out_pos] = Store<T>(static_cast<C>(divisor == 0 ? 0.0 : sum / divisor));
                break;
              }
              case PoolKind::kLp:
                y[out_pos] = Store<T>(static_cast<C>(std::pow(sum, 1.0 / static_cast<double>(p_))));
                break;
            }
          }
        }
      }
    }
  }

  const PoolKind kind_;
  Geometry geo_;
  int64_t planes_ = 0;
  bool count_include_pad_ = false;
  int64_t storage_order_ = 0;
  int64_t p_ = 2;
};

// ---------------------------------------------------------------------------------------------
// Global pools
// ---------------------------------------------------------------------------------------------

class GlobalPool final : public Kernel {
 public:
  explicit GlobalPool(PoolKind kind) : kind_(kind) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (!IsFloatingPoint(x.dtype())) {
      return InvalidArgument(std::string("Global") + PoolName(kind_) + " does not accept " +
                             std::string(DataTypeName(x.dtype())) + " input");
    }
    if (x.rank() < 2) {
      return InvalidArgument("input X has shape " + ShapeToString(x.shape()) +
                             ", expected [N,C,...] with rank at least 2");
    }
    p_ = ctx.attr_int("p", 2);
    if (kind_ == PoolKind::kLp && p_ < 1) {
      return InvalidArgument("p " + std::to_string(p_) + " must be at least 1");
    }
    Shape y_shape(x.shape().size(), 1);
    y_shape[0] = x.shape()[0];
    y_shape[1] = x.shape()[1];
    ctx.SetOutput(0, x.dtype(), y_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      using C = ComputeT<T>;
      const T* xd = x.Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      const int64_t planes = x.shape()[0] * x.shape()[1];
      const int64_t size = planes == 0 ? 0 : x.num_elements() / planes;
      for (int64_t plane = 0; plane < planes; ++plane) {
        const T* xp = xd + plane * size;
        double acc = kind_ == PoolKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
        for (int64_t i = 0; i < size; ++i) {
          const double v = static_cast<double>(Load(xp[i]));
          switch (kind_) {
            case PoolKind::kMax:
              if (!std::isnan(acc) && (std::isnan(v) || v > acc)) acc = v;
              break;
            case PoolKind::kAverage:
              acc += v;
              break;
            case PoolKind::kLp:
              acc += std::pow(std::abs(v), static_cast<double>(p_));
              break;
          }
        }
        if (kind_ == PoolKind::kAverage) acc = size == 0 ? 0.0 : acc / size;
        if (kind_ == PoolKind::kLp) acc = std::pow(acc, 1.0 / static_cast<double>(p_));
        y[plane] = Store<T>(static_cast<C>(acc));
      }
      return Status::Ok();
    });
  }

 private:
  const PoolKind kind_;
  int64_t p_ = 2;
};

// ---------------------------------------------------------------------------------------------
// MaxUnpool
// ---------------------------------------------------------------------------------------------

class MaxUnpool final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    if (!IsFloatingPoint(x.dtype())) {
      return InvalidArgument("MaxUnpool does not accept " + std::string(DataTypeName(x.dtype())) +
                             " input");
    }
    if (idx.dtype() != DataType::kInt64 || idx.shape() != x.shape()) {
      return InvalidArgument("indices I are " + std::string(DataTypeName(idx.dtype())) +
                             ShapeToString(idx.shape()) + ", expected int64" +
                             ShapeToString(x.shape()));
    }
    CC_ASSIGN_OR_RETURN(const int rank, nn::SpatialRank(x.shape(), "input X"));
    nn::WindowAttrs attrs;
    CC_RETURN_IF_ERROR(nn::ReadWindowAttrs(ctx, rank, {}, /*allow_ceil=*/false, &attrs));
    Shape y_shape{x.shape()[0], x.shape()[1]};
    for (int i = 0; i < rank; ++i) {
      y_shape.push_back((x.shape()[2 + i] - 1) * attrs.strides[i] + attrs.kernel[i] -
                        attrs.pads[i] - attrs.pads[i + rank]);
    }
    default_shape_ = y_shape;
    if (ctx.has_input(2)) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
      const Tensor& os = ctx.input(2);
      if (os.rank() != 1 || os.num_elements() != x.rank() || IsFloatingPoint(os.dtype())) {
        return InvalidArgument("output_shape is " + std::string(DataTypeName(os.dtype())) +
                               ShapeToString(os.shape()) + ", expected int64[" +
                               std::to_string(x.rank()) + "]");
      }
      Shape given;
      for (int64_t i = 0; i < os.num_elements(); ++i) {
        given.push_back(static_cast<int64_t>(os.GetAsDouble(i)));
      }
      if (given[0] != y_shape[0] || given[1] != y_shape[1]) {
        return InvalidArgument("output_shape " + ShapeToString(given) +
                               " must keep N and C of the input " + ShapeToString(x.shape()));
      }
      y_shape = given;
    }
    for (int64_t d : y_shape) {
      if (d < 0) return InvalidArgument("output shape " + ShapeToString(y_shape) + " is negative");
    }
    for (size_t d = 0; d < y_shape.size(); ++d) {
      if (default_shape_[d] < 1) {
        return InvalidArgument("unpooled shape " + ShapeToString(default_shape_) +
                               " has an empty dimension");
      }
    }
    ctx.SetOutput(0, x.dtype(), y_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t* idx = ctx.input(1).Data<int64_t>();
    Tensor& y = ctx.output(0);
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      T* yd = y.MutableData<T>();
      // Indices are flat positions in a tensor of the default output shape (what MaxPool
      // produced them for); they are decoded there and re-encoded in the actual output shape,
      // which differs only when output_shape asks for a larger one.
      const Shape& to = y.shape();
      const int64_t rank = static_cast<int64_t>(to.size());
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        int64_t rest = idx[i], pos = 0, scale = 1;
        bool ok = rest >= 0 && rest < NumElements(default_shape_);
        for (int64_t d = rank - 1; d >= 0 && ok; --d) {
          const int64_t coord = rest % default_shape_[d];
          rest /= default_shape_[d];
          ok = coord < to[d];
          pos += coord * scale;
          scale *= to[d];
        }
        if (!ok) {
          return InvalidArgument("index " + std::to_string(idx[i]) + " at position " +
                                 std::to_string(i) + " is outside the unpooled shape " +
                                 ShapeToString(default_shape_));
        }
        yd[pos] = xd[i];
      }
      return Status::Ok();
    });
  }

 private:
  Shape default_shape_;  // (in - 1) * stride + kernel - pads, the shape indices refer to.
};

}  // namespace

std::unique_ptr<Kernel> MakeMaxPool() { return std::make_unique<Pool>(PoolKind::kMax); }
std::unique_ptr<Kernel> MakeAveragePool() { return std::make_unique<Pool>(PoolKind::kAverage); }
std::unique_ptr<Kernel> MakeLpPool() { return std::make_unique<Pool>(PoolKind::kLp); }
std::unique_ptr<Kernel> MakeGlobalMaxPool() { return std::make_unique<GlobalPool>(PoolKind::kMax); }
std::unique_ptr<Kernel> MakeGlobalAveragePool() {
  return std::make_unique<GlobalPool>(PoolKind::kAverage);
}
std::unique_ptr<Kernel> MakeGlobalLpPool() { return std::make_unique<GlobalPool>(PoolKind::kLp); }
std::unique_ptr<Kernel> MakeMaxUnpool() { return std::make_unique<MaxUnpool>(); }

}  // namespace convcheck::interp
