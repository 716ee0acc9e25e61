//===- interp/kernels/nn/normalization.cc - Batch/Instance/Layer norm, LRN, MVN ===//
//
// The normalizations: each subtracts a mean and divides by a standard deviation taken over
// some axes, then (except MVN and LRN) applies a per-channel or per-element scale and bias.
//
//   BatchNormalization 6-13: inference only (6 with is_test = 1) (the training outputs
//   mean/var/saved_* of those
//     opsets are Unimplemented); 7-8 also accept spatial = 0, where scale/B/mean/var have
//     shape [C, D1..Dn] instead of [C]. 14+: training_mode = 1 normalizes with the batch
//     statistics (population variance) and outputs running_mean = mean * momentum +
//     batch_mean * (1 - momentum), likewise running_var. 15 lets scale/B and mean/var have
//     their own float types.
//   InstanceNormalization 6+: per (n, c) mean and population variance over the spatial dims.
//   LayerNormalization 17+: over X.shape[axis:]; Scale and B broadcast to that shape; optional
//     Mean and InvStdDev outputs (shape X.shape[:axis] + [1] * (rank - axis)) of the stash_type.
//   LRN 1+: y = x / (bias + alpha / size * sum of x^2 over channels
//     [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]) ^ beta.
//   MeanVarianceNormalization 9+: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes`,
//     the spec's function body literally.
//
// Numerics: statistics accumulate in double whatever the element type (stash_type is honoured
// for the output type, but computing in double is the better estimate of the exact result);
// the result rounds once to the element type.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

std::string TypeName(DataType t) { return std::string(DataTypeName(t)); }

Status RequireFloat(const KernelContext& ctx, int i, const char* op, const char* name) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  if (!IsFloatingPoint(ctx.input(i).dtype())) {
    return InvalidArgument(std::string(op) + " " + name + " must be a float tensor, got " +
                           TypeName(ctx.input(i).dtype()));
  }
  return Status::Ok();
}

std::vector<double> ToDoubles(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); ++i) out[i] = t.GetAsDouble(i);
  return out;
}

// Writes `values` (row-major, already in double) into a float tensor of any float type.
void StoreAll(const std::vector<double>& values, Tensor& out) {
  for (size_t i = 0; i < values.size(); ++i) out.SetFromDouble(static_cast<int64_t>(i), values[i]);
}

// ---------------------------------------------------------------------------------------------
// BatchNormalization
// ---------------------------------------------------------------------------------------------

class BatchNormalization final : public Kernel {
 public:
  explicit BatchNormalization(bool has_training_mode) : has_training_mode_(has_training_mode) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(5, 5, 1, has_training_mode_ ? 3 : 5));
    for (int i = 0; i < 5; ++i) {
      static const char* kNames[] = {"X", "scale", "B", "input_mean", "input_var"};
      CC_RETURN_IF_ERROR(RequireFloat(ctx, i, "BatchNormalization", kNames[i]));
    }
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) {
      return InvalidArgument("input X has shape " + ShapeToString(x.shape()) +
                             ", expected [N,C,...]");
    }
    training_ = has_training_mode_ && ctx.attr_int("training_mode", 0) != 0;
    // Opset 6 marks inference with is_test = 1; its training mode is not implemented.
    if (ctx.opset() < 7 && ctx.attr_int("is_test", 0) == 0) {
      return Unimplemented("BatchNormalization opset " + std::to_string(ctx.opset()) +
                           " with is_test = 0 (training) is not supported");
    }
    if (!has_training_mode_ && ctx.num_outputs() > 1) {
      return Unimplemented("BatchNormalization training outputs of opset " +
                           std::to_string(ctx.opset()) + " are not supported");
    }
    epsilon_ = ctx.attr_float("epsilon", 1e-5f);
    momentum_ = ctx.attr_float("momentum", 0.9f);
    const bool spatial = ctx.opset() >= 9 || ctx.attr_int("spatial", 1) != 0;
    channels_ = x.shape()[1];
    inner_ = channels_ == 0 ? 0 : NumElements(Shape(x.shape().begin() + 2, x.shape().end()));
    const Shape per_channel{channels_};
    const Shape per_element(x.shape().begin() + 1, x.shape().end());
    for (int i = 1; i < 5; ++i) {
      const Shape& s = ctx.input(i).shape();
      if (s != per_channel && (spatial || s != per_element)) {
        return InvalidArgument("input " + std::to_string(i) + " has shape " + ShapeToString(s) +
                               ", expected " + ShapeToString(per_channel) +
                               (spatial ? "" : " or " + ShapeToString(per_element)));
      }
    }
    if (ctx.opset() < 15) {
      for (int i = 1; i < 5; ++i) {
        if (ctx.input(i).dtype() != x.dtype()) {
          return InvalidArgument("input " + std::to_string(i) + " is " +
                                 TypeName(ctx.input(i).dtype()) + " but X is " +
                                 TypeName(x.dtype()));
        }
      }
    } else if (ctx.input(1).dtype() != ctx.input(2).dtype() ||
               ctx.input(3).dtype() != ctx.input(4).dtype()) {
      return InvalidArgument("scale and B, and input_mean and input_var, must share a type");
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    for (int i = 1; i < 3; ++i) {
      if (ctx.has_output(i)) ctx.SetOutput(i, ctx.input(3).dtype(), ctx.input(3).shape());
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<double> scale = ToDoubles(ctx.input(1)), bias = ToDoubles(ctx.input(2));
    std::vector<double> mean = ToDoubles(ctx.input(3)), var = ToDoubles(ctx.input(4));
    const int64_t batch = x.shape()[0];
    const bool per_element = static_cast<int64_t>(scale.size()) != channels_;
    if (training_) {
      // Batch statistics per channel over N and the spatial dims (per_element is only
      // possible before opset 14, which has no training_mode).
      std::vector<double> batch_mean(channels_, 0.0), batch_var(channels_, 0.0);
      const double count = static_cast<double>(batch * inner_);
      for (int64_t c = 0; c < channels_; ++c) {
        double sum = 0;
        for (int64_t n = 0; n < batch; ++n) {
          for (int64_t i = 0; i < inner_; ++i)
            sum += x.GetAsDouble((n * channels_ + c) * inner_ + i);
        }
        const double m = count == 0 ? 0 : sum / count;
        double sq = 0;
        for (int64_t n = 0; n < batch; ++n) {
          for (int64_t i = 0; i < inner_; ++i) {
            const double d = x.GetAsDouble((n * channels_ + c) * inner_ + i) - m;
            sq += d * d;
          }
        }
        batch_mean[c] = m;
        batch_var[c] = count == 0 ? 0 : sq / count;
      }
      std::vector<double> running_mean(channels_), running_var(channels_);
      for (int64_t c = 0; c < channels_; ++c) {
        running_mean[c] = mean[c] * momentum_ + batch_mean[c] * (1 - momentum_);
        running_var[c] = var[c] * momentum_ + batch_var[c] * (1 - momentum_);
      }
      if (ctx.has_output(1)) StoreAll(running_mean, ctx.output(1));
      if (ctx.has_output(2)) StoreAll(running_var, ctx.output(2));
      mean = batch_mean;
      var = batch_var;
    } else {
      // Outside training the running statistics pass through unchanged.
      if (ctx.has_output(1)) StoreAll(mean, ctx.output(1));
      if (ctx.has_output(2)) StoreAll(var, ctx.output(2));
    }
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t c = 0; c < channels_; ++c) {
          const int64_t base = (n * channels_ + c) * inner_;
          for (int64_t i = 0; i < inner_; ++i) {
            const int64_t p = per_element ? c * inner_ + i : c;
            const double inv = 1.0 / std::sqrt(var[p] + epsilon_);
            const double v =
                (static_cast<double>(Load(xd[base + i])) - mean[p]) * inv * scale[p] + bias[p];
            y[base + i] = Store<T>(static_cast<ComputeT<T>>(v));
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  const bool has_training_mode_;
  bool training_ = false;
  double epsilon_ = 1e-5, momentum_ = 0.9;
  int64_t channels_ = 0, inner_ = 0;
};

// ---------------------------------------------------------------------------------------------
// InstanceNormalization
// ---------------------------------------------------------------------------------------------

class InstanceNormalization final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    CC_RETURN_IF_ERROR(RequireFloat(ctx, 0, "InstanceNormalization", "input"));
    CC_RETURN_IF_ERROR(RequireFloat(ctx, 1, "InstanceNormalization", "scale"));
    CC_RETURN_IF_ERROR(RequireFloat(ctx, 2, "InstanceNormalization", "B"));
    const Tensor& x = ctx.input(0);
    if (x.rank() < 3) {
      return InvalidArgument("input has shape " + ShapeToString(x.shape()) +
                             ", expected [N,C,D1,...] with at least one spatial dimension");
    }
    for (int i = 1; i < 3; ++i) {
      if (ctx.input(i).shape() != Shape{x.shape()[1]} || ctx.input(i).dtype() != x.dtype()) {
        return InvalidArgument("input " + std::to_string(i) + " is " +
                               TypeName(ctx.input(i).dtype()) +
                               ShapeToString(ctx.input(i).shape()) + ", expected " +
                               TypeName(x.dtype()) + "[" + std::to_string(x.shape()[1]) + "]");
      }
    }
    epsilon_ = ctx.attr_float("epsilon", 1e-5f);
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<double> scale = ToDoubles(ctx.input(1)), bias = ToDoubles(ctx.input(2));
    const int64_t channels = x.shape()[1];
    const int64_t planes = x.shape()[0] * channels;
    const int64_t inner = planes == 0 ? 0 : x.num_elements() / planes;
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      for (int64_t plane = 0; plane < planes; ++plane) {
        const T* xp = xd + plane * inner;
        double sum = 0;
        for (int64_t i = 0; i < inner; ++i) sum += Load(xp[i]);
        const double mean = inner == 0 ? 0 : sum / inner;
        double sq = 0;
        for (int64_t i = 0; i < inner; ++i) {
          const double d = Load(xp[i]) - mean;
          sq += d * d;
        }
        const double inv = 1.0 / std::sqrt((inner == 0 ? 0 : sq / inner) + epsilon_);
        const int64_t c = plane % channels;
        for (int64_t i = 0; i < inner; ++i) {
          const double v = (Load(xp[i]) - mean) * inv * scale[c] + bias[c];
          y[plane * inner + i] = Store<T>(static_cast<ComputeT<T>>(v));
        }
      }
      return Status::Ok();
    });
  }

 private:
  double epsilon_ = 1e-5;
};

// ---------------------------------------------------------------------------------------------
// LayerNormalization
// ---------------------------------------------------------------------------------------------

class LayerNormalization final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, 3));
    CC_RETURN_IF_ERROR(RequireFloat(ctx, 0, "LayerNormalization", "X"));
    CC_RETURN_IF_ERROR(RequireFloat(ctx, 1, "LayerNormalization", "Scale"));
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    int64_t axis = ctx.attr_int("axis", -1);
    if (axis < -rank || axis >= rank) {
      return InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " +
                             std::to_string(rank));
    }
    if (axis < 0) axis += rank;
    const Shape norm_shape(x.shape().begin() + axis, x.shape().end());
    for (int i = 1; i < 3; ++i) {
      if (!ctx.has_input(i)) continue;
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      const Tensor& t = ctx.input(i);
      if (t.dtype() != x.dtype()) {
        return InvalidArgument(std::string(i == 1 ? "Scale" : "B") + " is " + TypeName(t.dtype()) +
                               " but X is " + TypeName(x.dtype()));
      }
      StatusOr<Shape> b = BroadcastShapes({norm_shape, t.shape()});
      if (!b.ok() || *b != norm_shape) {
        return InvalidArgument(
            std::string(i == 1 ? "Scale" : "B") + " has shape " + ShapeToString(t.shape()) +
            ", which does not broadcast to the normalized shape " + ShapeToString(norm_shape));
      }
    }
    const int64_t stash = ctx.attr_int("stash_type", 1);
    const std::optional<DataType> stash_type = DataTypeFromOnnxCode(static_cast<int32_t>(stash));
    if (!stash_type || !IsFloatingPoint(*stash_type)) {
      return InvalidArgument("stash_type " + std::to_string(stash) + " is not a float type");
    }
    epsilon_ = ctx.attr_float("epsilon", 1e-5f);
    norm_shape_ = norm_shape;
    outer_ = NumElements(Shape(x.shape().begin(), x.shape().begin() + axis));
    inner_ = NumElements(norm_shape);
    ctx.SetOutput(0, x.dtype(), x.shape());
    Shape stat_shape(x.shape().begin(), x.shape().begin() + axis);
    stat_shape.resize(static_cast<size_t>(rank), 1);
    for (int i = 1; i < 3; ++i) {
      if (ctx.has_output(i)) ctx.SetOutput(i, ctx.ComputeType(*stash_type), stat_shape);
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    auto expand = [&](int i, double fill) {
      std::vector<double> out(static_cast<size_t>(inner_), fill);
      if (!ctx.has_input(i)) return out;
      const Tensor& t = ctx.input(i);
      BroadcastIndex index(norm_shape_, {t.shape()});
      for (int64_t k = 0; k < inner_; ++k, index.Next()) out[k] = t.GetAsDouble(index[0]);
      return out;
    };
    const std::vector<double> scale = expand(1, 1.0), bias = expand(2, 0.0);
    std::vector<double> means(static_cast<size_t>(outer_)), inv_stds(static_cast<size_t>(outer_));
    Status st = Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      for (int64_t o = 0; o < outer_; ++o) {
        const T* row = xd + o * inner_;
        double sum = 0;
        for (int64_t i = 0; i < inner_; ++i) sum += Load(row[i]);
        const double mean = inner_ == 0 ? 0 : sum / inner_;
        double sq = 0;
        for (int64_t i = 0; i < inner_; ++i) {
          const double d = Load(row[i]) - mean;
          sq += d * d;
        }
        const double inv = 1.0 / std::sqrt((inner_ == 0 ? 0 : sq / inner_) + epsilon_);
        means[o] = mean;
        inv_stds[o] = inv;
        for (int64_t i = 0; i < inner_; ++i) {
          const double v = (Load(row[i]) - mean) * inv * scale[i] + bias[i];
          y[o * inner_ + i] = Store<T>(static_cast<ComputeT<T>>(v));
        }
      }
      return Status::Ok();
    });
    CC_RETURN_IF_ERROR(st);
    if (ctx.has_output(1)) StoreAll(means, ctx.output(1));
    if (ctx.has_output(2)) StoreAll(inv_stds, ctx.output(2));
    return Status::Ok();
  }

 private:
  double epsilon_ = 1e-5;
  Shape norm_shape_;
  int64_t outer_ = 0, inner_ = 0;
};

// ---------------------------------------------------------------------------------------------
// LRN
// ---------------------------------------------------------------------------------------------

class Lrn final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(RequireFloat(ctx, 0, "LRN", "X"));
    const Tensor& x = ctx.input(0);
    if (x.rank() < 3) {
      return InvalidArgument("input X has shape " + ShapeToString(x.shape()) +
                             ", expected [N,C,D1,...]");
    }
    if (!ctx.has_attr("size")) return InvalidArgument("attribute size is required");
    size_ = ctx.attr_int("size", 1);
    if (size_ < 1) return InvalidArgument("size " + std::to_string(size_) + " must be positive");
    alpha_ = ctx.attr_float("alpha", 1e-4f);
    beta_ = ctx.attr_float("beta", 0.75f);
    bias_ = ctx.attr_float("bias", 1.0f);
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t batch = x.shape()[0], channels = x.shape()[1];
    const int64_t inner = batch * channels == 0 ? 0 : x.num_elements() / (batch * channels);
    const int64_t before = (size_ - 1) / 2, after = size_ - 1 - before;  // floor and ceil.
    return Dispatch<CC_FLOAT_TYPES>(x.dtype(), [&]<typename T>() {
      const T* xd = x.Data<T>();
      T* y = ctx.output(0).MutableData<T>();
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t c = 0; c < channels; ++c) {
          const int64_t lo = std::max<int64_t>(0, c - before);
          const int64_t hi = std::min<int64_t>(channels - 1, c + after);
          for (int64_t i = 0; i < inner; ++i) {
            double square_sum = 0;
            for (int64_t cc = lo; cc <= hi; ++cc) {
              const double v = Load(xd[(n * channels + cc) * inner + i]);
              square_sum += v * v;
            }
            const int64_t pos = (n * channels + c) * inner + i;
            const double v =
                Load(xd[pos]) /
                std::pow(bias_ + alpha_ / static_cast<double>(size_) * square_sum, beta_);
            y[pos] = Store<T>(static_cast<ComputeT<T>>(v));
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t size_ = 1;
  double alpha_ = 1e-4, beta_ = 0.75, bias_ = 1.0;
};

// ---------------------------------------------------------------------------------------------
// MeanVarianceNormalization
// ---------------------------------------------------------------------------------------------

class MeanVarianceNormalization final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(RequireFloat(ctx, 0, "MeanVarianceNormalization", "X"));
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    reduced_.assign(static_cast<size_t>(rank), false);
    for (int64_t axis : ctx.attr_ints("axes", {0, 2, 3})) {
      if (axis < -rank || axis >= rank) {
        return InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " +
                               std::to_string(rank));
      }
      reduced_[axis < 0 ? axis + rank : axis] = true;
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape& shape = x.shape();
    const int64_t n = x.num_elements();
    // Map each element to the group of elements it shares statistics with: its index with the
    // reduced axes dropped.
    std::vector<int64_t> group(static_cast<size_t>(n));
    int64_t groups = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (!reduced_[d]) groups *= shape[d];
    }
    std::vector<int64_t> idx(shape.size(), 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t gi = 0;
      for (size_t d = 0; d < shape.size(); ++d) {
        if (!reduced_[d]) gi = gi * shape[d] + idx[d];
      }
      group[i] = gi;
      for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    std::vector<double> sum(static_cast<size_t>(groups), 0.0), sum_sq(sum), count(sum);
    for (int64_t i = 0; i < n; ++i) {
      const double v = x.GetAsDouble(i);
      sum[group[i]] += v;
      sum_sq[group[i]] += v * v;
      count[group[i]] += 1;
    }
    Tensor& y = ctx.output(0);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t g = group[i];
      const double mean = sum[g] / count[g];
      const double var = sum_sq[g] / count[g] - mean * mean;
      y.SetFromDouble(i, (x.GetAsDouble(i) - mean) / (std::sqrt(std::max(var, 0.0)) + 1e-9));
    }
    return Status::Ok();
  }

 private:
  std::vector<bool> reduced_;
};

}  // namespace

std::unique_ptr<Kernel> MakeBatchNormalizationInference() {
  return std::make_unique<BatchNormalization>(/*has_training_mode=*/false);
}
std::unique_ptr<Kernel> MakeBatchNormalization() {
  return std::make_unique<BatchNormalization>(/*has_training_mode=*/true);
}
std::unique_ptr<Kernel> MakeInstanceNormalization() {
  return std::make_unique<InstanceNormalization>();
}
std::unique_ptr<Kernel> MakeLayerNormalization() { return std::make_unique<LayerNormalization>(); }
std::unique_ptr<Kernel> MakeLrn() { return std::make_unique<Lrn>(); }
std::unique_ptr<Kernel> MakeMeanVarianceNormalization() {
  return std::make_unique<MeanVarianceNormalization>();
}

}  // namespace convcheck::interp
