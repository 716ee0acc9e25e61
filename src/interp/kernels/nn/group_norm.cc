//===- interp/kernels/nn/group_norm.cc - Group/RMS/Lp normalization, RoPE ---===//
//
// The normalizations added after opset 17, and RotaryEmbedding, which like them rescales a
// tensor along its last dimensions:
//   GroupNormalization 18: X [N, C, ...] split into num_groups groups of C / num_groups
//     channels; each (n, group) is normalized by its mean and population variance; scale and
//     bias have shape [num_groups]. 21: scale and bias have shape [C] (per channel), and
//     stash_type names the statistics' precision. 18's per-group form is a different model,
//     hence two lines.
//   RMSNormalization 23+: Y = X / sqrt(mean(X^2 over axes [axis, rank)) + epsilon) * scale,
//     scale broadcast unidirectionally to X's shape.
//   LpNormalization 1+: output = input / ||input||_p along `axis` (p 1 or 2); a zero norm gives
//     zero. 22 only adds bfloat16.
//   RotaryEmbedding 23+: rotates pairs of the first rotary_embedding_dim (default head_size)
//     features of each head by the angle whose cos/sin are in the caches: halves (x1 = first
//     half, x2 = second) or, interleaved, even/odd features; real = cos x1 - sin x2,
//     imag = sin x1 + cos x2. X is [B, H, S, D] or [B, S, H * D] with num_heads; the caches are
//     [max_pos, d/2] indexed by position_ids [B, S], or [B, S, d/2] without position_ids.
//
// Numerics: statistics, norms and rotations accumulate in double whatever the element type
// (stash_type is checked, not followed: double is the better estimate of the exact result); the
// result rounds once to the element type.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/reduction_util.h"

namespace convcheck::interp {
namespace {

Status RequireFloatInput(const KernelContext& ctx, int i, const char* op, const char* name) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  if (!IsFloatingPoint(ctx.input(i).dtype())) {
    return InvalidArgument(std::string(op) + " " + name + " must be a float tensor, got " +
                           std::string(DataTypeName(ctx.input(i).dtype())));
  }
  return Status::Ok();
}

std::vector<double> Doubles(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); ++i) out[i] = t.GetAsDouble(i);
  return out;
}

int64_t Product(const Shape& shape, int64_t from, int64_t to) {
  int64_t p = 1;
  for (int64_t d = from; d < to; ++d) p *= shape[d];
  return p;
}

// ---------------------------------------------------------------------------------------------
// GroupNormalization

class GroupNormalization final : public Kernel {
 public:
  explicit GroupNormalization(bool per_channel) : per_channel_(per_channel) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 3, 1, 1));
    static const char* kNames[] = {"X", "scale", "bias"};
    for (int i = 0; i < 3; ++i) {
      CC_RETURN_IF_ERROR(RequireFloatInput(ctx, i, "GroupNormalization", kNames[i]));
    }
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) {
      return InvalidArgument("input X has shape " + ShapeToString(x.shape()) +
                             ", expected [N,C,...]");
    }
    if (!ctx.has_attr("num_groups")) return InvalidArgument("num_groups attribute is required");
    groups_ = ctx.attr_int("num_groups", 0);
    const int64_t channels = x.shape()[1];
    if (groups_ <= 0 || channels % groups_ != 0) {
      return InvalidArgument("num_groups " + std::to_string(groups_) + " does not divide the " +
                             std::to_string(channels) + " channels");
    }
    const int64_t expected = per_channel_ ? channels : groups_;
    for (int i = 1; i < 3; ++i) {
      if (ctx.input(i).num_elements() != expected || ctx.input(i).rank() != 1) {
        return InvalidArgument(std::string(kNames[i]) + " has shape " +
                               ShapeToString(ctx.input(i).shape()) + ", expected [" +
                               std::to_string(expected) + "]");
      }
    }
    epsilon_ = ctx.attr_float("epsilon", 1e-5f);
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<double> xs = Doubles(x);
    const std::vector<double> scale = Doubles(ctx.input(1)), bias = Doubles(ctx.input(2));
    Tensor& y = ctx.output(0);
    const int64_t n = x.shape()[0], channels = x.shape()[1];
    const int64_t spatial = Product(x.shape(), 2, x.rank());
    const int64_t per_group = channels / groups_;
    const int64_t group_size = per_group * spatial;
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t g = 0; g < groups_; ++g) {
        const int64_t base = (b * channels + g * per_group) * spatial;
        double mean = 0;
        for (int64_t i = 0; i < group_size; ++i) mean += xs[base + i];
        mean /= static_cast<double>(group_size);
        double var = 0;
        for (int64_t i = 0; i < group_size; ++i)
          var += (xs[base + i] - mean) * (xs[base + i] - mean);
        var /= static_cast<double>(group_size);
        const double inv = 1.0 / std::sqrt(var + epsilon_);
        for (int64_t c = 0; c < per_group; ++c) {
          const int64_t k = per_channel_ ? g * per_group + c : g;
          for (int64_t s = 0; s < spatial; ++s) {
            const int64_t i = base + c * spatial + s;
            y.SetFromDouble(i, (xs[i] - mean) * inv * scale[k] + bias[k]);
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  const bool per_channel_;
  int64_t groups_ = 1;
  double epsilon_ = 1e-5;
};

// ---------------------------------------------------------------------------------------------
// RMSNormalization

class RMSNormalization final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(RequireFloatInput(ctx, 0, "RMSNormalization", "X"));
    CC_RETURN_IF_ERROR(RequireFloatInput(ctx, 1, "RMSNormalization", "scale"));
    const Tensor& x = ctx.input(0);
    CC_ASSIGN_OR_RETURN(axis_, reduction::NormalizeAxis(ctx.attr_int("axis", -1), x.rank()));
    CC_ASSIGN_OR_RETURN(Shape broadcast, BroadcastShapes({x.shape(), ctx.input(1).shape()}));
    if (broadcast != x.shape()) {
      return InvalidArgument("scale of shape " + ShapeToString(ctx.input(1).shape()) +
                             " does not broadcast to X's shape " + ShapeToString(x.shape()));
    }
    epsilon_ = ctx.attr_float("epsilon", 1e-5f);
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<double> xs = Doubles(x);
    const Tensor& scale = ctx.input(1);
    BroadcastIndex scale_index(x.shape(), {scale.shape()});
    Tensor& y = ctx.output(0);
    const int64_t inner = Product(x.shape(), axis_, x.rank());
    const int64_t outer = inner == 0 ? 0 : x.num_elements() / inner;
    for (int64_t o = 0; o < outer; ++o) {
      double sum = 0;
      for (int64_t i = 0; i < inner; ++i) sum += xs[o * inner + i] * xs[o * inner + i];
      const double rms = std::sqrt(sum / static_cast<double>(inner) + epsilon_);
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t k = o * inner + i;
        y.SetFromDouble(k, xs[k] / rms * scale.GetAsDouble(scale_index[0]));
        scale_index.Next();
      }
    }
    return Status::Ok();
  }

 private:
  int64_t axis_ = 0;
  double epsilon_ = 1e-5;
};

// ---------------------------------------------------------------------------------------------
// LpNormalization

class LpNormalization final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(RequireFloatInput(ctx, 0, "LpNormalization", "input"));
    const Tensor& x = ctx.input(0);
    CC_ASSIGN_OR_RETURN(axis_, reduction::NormalizeAxis(ctx.attr_int("axis", -1), x.rank()));
    p_ = ctx.attr_int("p", 2);
    if (p_ != 1 && p_ != 2)
      return InvalidArgument("p is " + std::to_string(p_) + ", expected 1 or 2");
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t dim = x.shape()[axis_];
    const int64_t inner = Product(x.shape(), axis_ + 1, x.rank());
    const int64_t outer = Product(x.shape(), 0, axis_);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t in = 0; in < inner; ++in) {
        double norm = 0;
        for (int64_t d = 0; d < dim; ++d) {
          const double v = x.GetAsDouble((o * dim + d) * inner + in);
          norm += p_ == 1 ? std::fabs(v) : v * v;
        }
        if (p_ == 2) norm = std::sqrt(norm);
        for (int64_t d = 0; d < dim; ++d) {
          const int64_t k = (o * dim + d) * inner + in;
          y.SetFromDouble(k, norm == 0 ? 0.0 : x.GetAsDouble(k) / norm);
        }
      }
    }
    return Status::Ok();
  }

 private:
  int64_t axis_ = 0;
  int64_t p_ = 2;
};

// ---------------------------------------------------------------------------------------------
// RotaryEmbedding

class RotaryEmbedding final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, 4, 1, 1));
    CC_RETURN_IF_ERROR(RequireFloatInput(ctx, 0, "RotaryEmbedding", "X"));
    CC_RETURN_IF_ERROR(RequireFloatInput(ctx, 1, "RotaryEmbedding", "cos_cache"));
    CC_RETURN_IF_ERROR(RequireFloatInput(ctx, 2, "RotaryEmbedding", "sin_cache"));
    const Tensor& x = ctx.input(0);
    interleaved_ = ctx.attr_int("interleaved", 0) != 0;
    if (x.rank() == 4) {
      four_d_ = true;
      batch_ = x.shape()[0];
      heads_ = x.shape()[1];
      seq_ = x.shape()[2];
      head_size_ = x.shape()[3];
    } else if (x.rank() == 3) {
      four_d_ = false;
      heads_ = ctx.attr_int("num_heads", 0);
      batch_ = x.shape()[0];
      seq_ = x.shape()[1];
      if (heads_ <= 0 || x.shape()[2] % heads_ != 0) {
        return InvalidArgument("num_heads " + std::to_string(heads_) +
                               " does not divide the hidden size " + std::to_string(x.shape()[2]));
      }
      head_size_ = x.shape()[2] / heads_;
    } else {
      return InvalidArgument("X has shape " + ShapeToString(x.shape()) +
                             ", expected [B,H,S,D] or [B,S,H*D]");
    }
    rotary_dim_ = ctx.attr_int("rotary_embedding_dim", 0);
    if (rotary_dim_ == 0) rotary_dim_ = head_size_;
    if (rotary_dim_ < 0 || rotary_dim_ > head_size_ || rotary_dim_ % 2 != 0) {
      return InvalidArgument("rotary_embedding_dim " + std::to_string(rotary_dim_) +
                             " must be even and at most the head size " +
                             std::to_string(head_size_));
    }
    has_positions_ = ctx.has_input(3);
    const Shape& cache = ctx.input(1).shape();
    if (cache != ctx.input(2).shape()) {
      return InvalidArgument("cos_cache " + ShapeToString(cache) + " and sin_cache " +
                             ShapeToString(ctx.input(2).shape()) + " differ");
    }
    const int64_t half = rotary_dim_ / 2;
    if (has_positions_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(3));
      const Tensor& pos = ctx.input(3);
      if (pos.dtype() != DataType::kInt64 || pos.shape() != Shape{batch_, seq_}) {
        return InvalidArgument("position_ids is " + std::string(DataTypeName(pos.dtype())) +
                               ShapeToString(pos.shape()) + ", expected int64[" +
                               std::to_string(batch_) + "," + std::to_string(seq_) + "]");
      }
      if (cache.size() != 2 || cache[1] != half) {
        return InvalidArgument("cos_cache has shape " + ShapeToString(cache) + ", expected [P," +
                               std::to_string(half) + "]");
      }
    } else if (cache != Shape{batch_, seq_, half}) {
      return InvalidArgument("cos_cache has shape " + ShapeToString(cache) + ", expected [" +
                             std::to_string(batch_) + "," + std::to_string(seq_) + "," +
                             std::to_string(half) + "]");
    }
    ctx.SetOutput(0, x.dtype(), x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& cos = ctx.input(1);
    const Tensor& sin = ctx.input(2);
    Tensor& y = ctx.output(0);
    const int64_t half = rotary_dim_ / 2;
    for (int64_t b = 0; b < batch_; ++b) {
      for (int64_t s = 0; s < seq_; ++s) {
        int64_t row = b * seq_ + s;  // Row of the caches.
        if (has_positions_) {
          row = ctx.input(3).Data<int64_t>()[b * seq_ + s];
          if (row < 0 || row >= cos.shape()[0]) {
            return InvalidArgument("position_ids[" + std::to_string(b) + "," + std::to_string(s) +
                                   "] = " + std::to_string(row) + " is outside the cache's " +
                                   std::to_string(cos.shape()[0]) + " rows");
          }
        }
        for (int64_t h = 0; h < heads_; ++h) {
          // Offset of element (b, h, s, 0) in X's layout.
          const int64_t base = four_d_ ? ((b * heads_ + h) * seq_ + s) * head_size_
                                       : ((b * seq_ + s) * heads_ + h) * head_size_;
          for (int64_t d = rotary_dim_; d < head_size_; ++d) {
            y.SetFromDouble(base + d, x.GetAsDouble(base + d));
          }
          for (int64_t i = 0; i < half; ++i) {
            const int64_t i1 = interleaved_ ? 2 * i : i;
            const int64_t i2 = interleaved_ ? 2 * i + 1 : i + half;
            const double x1 = x.GetAsDouble(base + i1), x2 = x.GetAsDouble(base + i2);
            const double c = cos.GetAsDouble(row * half + i), sn = sin.GetAsDouble(row * half + i);
            y.SetFromDouble(base + i1, c * x1 - sn * x2);
            y.SetFromDouble(base + i2, sn * x1 + c * x2);
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  bool interleaved_ = false, four_d_ = true, has_positions_ = false;
  int64_t batch_ = 0, heads_ = 0, seq_ = 0, head_size_ = 0, rotary_dim_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeGroupNormalizationPerGroup() {
  return std::make_unique<GroupNormalization>(/*per_channel=*/false);
}
std::unique_ptr<Kernel> MakeGroupNormalization() {
  return std::make_unique<GroupNormalization>(/*per_channel=*/true);
}
std::unique_ptr<Kernel> MakeRMSNormalization() { return std::make_unique<RMSNormalization>(); }
std::unique_ptr<Kernel> MakeLpNormalization() { return std::make_unique<LpNormalization>(); }
std::unique_ptr<Kernel> MakeRotaryEmbedding() { return std::make_unique<RotaryEmbedding>(); }

}  // namespace convcheck::interp
