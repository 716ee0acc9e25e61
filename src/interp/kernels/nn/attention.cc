//===- interp/kernels/nn/attention.cc - Attention -------------------------===//
//
// Attention 23+: scaled dot-product attention over Q [B, Hq, Sq, D], K [B, Hkv, Skv, D] and
// V [B, Hkv, Skv, Dv] (or 3-D [B, S, H * D] with q_num_heads / kv_num_heads), with grouped
// query heads (Hq a multiple of Hkv; query head h reads key/value head h / (Hq / Hkv)).
// For each batch b, query head h and query position i, over the T = past + Skv keys j:
//   score = scale * q . k_j            (scale defaults to 1 / sqrt(D))     -> output mode 0
//   score = softcap * tanh(score / softcap)  when softcap > 0              -> output mode 1
//   score += bias: attn_mask (bool: 0 where true, -inf where false; float: added), -inf where
//     is_causal forbids j > i + offset, -inf outside the sliding window (25), -inf for
//     j >= nonpad_kv_seqlen[b] (24)                                          -> output mode 2
//   p = softmax over j; a row whose scores are all -inf gives zeros         -> output mode 3
//   y = sum_j p_j v_j
// offset is the past length (past_key), or nonpad_kv_seqlen[b] - Sq with nonpad_kv_seqlen and
// no past. present_key / present_value are past concatenated with K / V along the sequence.
// The mask broadcasts to [B, Hq, Sq, T] right-aligned; from 24 a mask whose last dimension is
// shorter than T is padded with false / -inf. 25 adds left_window_size / right_window_size
// (-1: unbounded): position p = offset + i sees keys p - left <= j <= p + right.
//
// Numerics: everything in double (softmax_precision is checked, not followed: double is the
// better estimate), rounded once to the element type of Q on output.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// A 4-D [batch, heads, seq, dim] view of a 3-D [batch, seq, heads * dim] or 4-D tensor.
struct HeadView {
  const Tensor* t = nullptr;
  bool three_d = false;
  int64_t batch = 0, heads = 0, seq = 0, dim = 0;
  double at(int64_t b, int64_t h, int64_t s, int64_t d) const {
    const int64_t index =
        three_d ? ((b * seq + s) * heads + h) * dim + d : ((b * heads + h) * seq + s) * dim + d;
    return t->GetAsDouble(index);
  }
};

StatusOr<HeadView> MakeView(const Tensor& t, int64_t heads, const char* name) {
  HeadView v;
  v.t = &t;
  if (t.rank() == 4) {
    v.batch = t.shape()[0];
    v.heads = t.shape()[1];
    v.seq = t.shape()[2];
    v.dim = t.shape()[3];
    return v;
  }
  if (t.rank() != 3) {
    return InvalidArgument(std::string(name) + " has shape " + ShapeToString(t.shape()) +
                           ", expected rank 3 or 4");
  }
  if (heads <= 0 || t.shape()[2] % heads != 0) {
    return InvalidArgument(std::string(name) + " hidden size " + std::to_string(t.shape()[2]) +
                           " is not a multiple of its head count " + std::to_string(heads));
  }
  v.three_d = true;
  v.batch = t.shape()[0];
  v.seq = t.shape()[1];
  v.heads = heads;
  v.dim = t.shape()[2] / heads;
  return v;
}

class Attention final : public Kernel {
 public:
  explicit Attention(int version) : version_(version) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, version_ >= 24 ? 7 : 6, 1, 4));
    for (int i = 0; i < 3; ++i) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      if (!IsFloatingPoint(ctx.input(i).dtype())) {
        return InvalidArgument("Attention input " + std::to_string(i) + " must be float, got " +
                               std::string(DataTypeName(ctx.input(i).dtype())));
      }
    }
    const Tensor& q = ctx.input(0);
    if (q.rank() != ctx.input(1).rank() || q.rank() != ctx.input(2).rank()) {
      return InvalidArgument("Q, K and V have ranks " + std::to_string(q.rank()) + ", " +
                             std::to_string(ctx.input(1).rank()) + ", " +
                             std::to_string(ctx.input(2).rank()) + "; expected one rank");
    }
    const int64_t q_heads = ctx.attr_int("q_num_heads", 0);
    const int64_t kv_heads = ctx.attr_int("kv_num_heads", 0);
    CC_ASSIGN_OR_RETURN(q_, MakeView(q, q_heads, "Q"));
    CC_ASSIGN_OR_RETURN(k_, MakeView(ctx.input(1), kv_heads, "K"));
    CC_ASSIGN_OR_RETURN(v_, MakeView(ctx.input(2), kv_heads, "V"));
    if (k_.batch != q_.batch || v_.batch != q_.batch || k_.dim != q_.dim || k_.heads != v_.heads ||
        k_.seq != v_.seq || k_.heads <= 0 || q_.heads % k_.heads != 0) {
      return InvalidArgument("Q [" + std::to_string(q_.batch) + "," + std::to_string(q_.heads) +
                             "," + std::to_string(q_.seq) + "," + std::to_string(q_.dim) +
                             "], K and V do not fit (batch, heads, sequence or head size)");
    }
    has_past_ = ctx.has_input(4) || ctx.has_input(5);
    past_ = 0;
    if (has_past_) {
      if (!ctx.has_input(4) || !ctx.has_input(5)) {
        return InvalidArgument("past_key and past_value must be given together");
      }
      CC_RETURN_IF_ERROR(ctx.RequireTensor(4));
      CC_RETURN_IF_ERROR(ctx.RequireTensor(5));
      const Shape& pk = ctx.input(4).shape();
      const Shape& pv = ctx.input(5).shape();
      if (pk.size() != 4 || pv.size() != 4 || pk[0] != q_.batch || pk[1] != k_.heads ||
          pk[3] != k_.dim || pv[0] != q_.batch || pv[1] != k_.heads || pv[2] != pk[2] ||
          pv[3] != v_.dim) {
        return InvalidArgument("past_key " + ShapeToString(pk) + " and past_value " +
                               ShapeToString(pv) + " do not fit K and V");
      }
      past_ = pk[2];
    }
    total_ = past_ + k_.seq;
    has_nonpad_ = version_ >= 24 && ctx.has_input(6);
    if (has_nonpad_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(6));
      const Tensor& n = ctx.input(6);
      if (n.dtype() != DataType::kInt64 || n.shape() != Shape{q_.batch}) {
        return InvalidArgument("nonpad_kv_seqlen is " + std::string(DataTypeName(n.dtype())) +
                               ShapeToString(n.shape()) + ", expected int64[" +
                               std::to_string(q_.batch) + "]");
      }
      if (has_past_) return InvalidArgument("nonpad_kv_seqlen cannot be used with past_key");
    }
    has_mask_ = ctx.has_input(3);
    if (has_mask_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(3));
      const Tensor& m = ctx.input(3);
      if (m.dtype() != DataType::kBool && !IsFloatingPoint(m.dtype())) {
        return InvalidArgument("attn_mask must be bool or float, got " +
                               std::string(DataTypeName(m.dtype())));
      }
      if (m.rank() < 1 || m.rank() > 4) {
        return InvalidArgument("attn_mask has shape " + ShapeToString(m.shape()) +
                               ", expected rank 1 to 4");
      }
      mask_shape_ = Shape(4 - m.rank(), 1);
      mask_shape_.insert(mask_shape_.end(), m.shape().begin(), m.shape().end());
      const Shape full = {q_.batch, q_.heads, q_.seq, total_};
      for (int d = 0; d < 4; ++d) {
        const bool padded_last = d == 3 && version_ >= 24 && mask_shape_[3] < total_;
        if (mask_shape_[d] != 1 && mask_shape_[d] != full[d] && !padded_last) {
          return InvalidArgument("attn_mask of shape " + ShapeToString(m.shape()) +
                                 " does not broadcast to " + ShapeToString(full));
        }
      }
    }
    causal_ = ctx.attr_int("is_causal", 0) != 0;
    softcap_ = ctx.attr_float("softcap", 0.0f);
    scale_ = ctx.has_attr("scale") ? ctx.attr_float("scale", 1.0f)
                                   : 1.0 / std::sqrt(static_cast<double>(q_.dim));
    mode_ = ctx.attr_int("qk_matmul_output_mode", 0);
    if (mode_ < 0 || mode_ > 3) {
      return InvalidArgument("qk_matmul_output_mode is " + std::to_string(mode_) +
                             ", expected 0 to 3");
    }
    left_ = version_ >= 25 ? ctx.attr_int("left_window_size", -1) : -1;
    right_ = version_ >= 25 ? ctx.attr_int("right_window_size", -1) : -1;
    if (left_ < -1 || right_ < -1) {
      return InvalidArgument("window sizes " + std::to_string(left_) + ", " +
                             std::to_string(right_) + " must be -1 or non-negative");
    }

    const DataType type = q.dtype();
    if (q_.three_d) {
      ctx.SetOutput(0, type, {q_.batch, q_.seq, q_.heads * v_.dim});
    } else {
      ctx.SetOutput(0, type, {q_.batch, q_.heads, q_.seq, v_.dim});
    }
    if (ctx.has_output(1))
      ctx.SetOutput(1, ctx.input(1).dtype(), {q_.batch, k_.heads, total_, k_.dim});
    if (ctx.has_output(2))
      ctx.SetOutput(2, ctx.input(2).dtype(), {q_.batch, k_.heads, total_, v_.dim});
    if (ctx.has_output(3)) ctx.SetOutput(3, type, {q_.batch, q_.heads, q_.seq, total_});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    // Keys and values over the whole sequence: past first, then the new ones.
    auto key = [&](int64_t b, int64_t h, int64_t j, int64_t d) {
      if (j < past_) return ctx.input(4).GetAsDouble(((b * k_.heads + h) * past_ + j) * k_.dim + d);
      return k_.at(b, h, j - past_, d);
    };
    auto value = [&](int64_t b, int64_t h, int64_t j, int64_t d) {
      if (j < past_) return ctx.input(5).GetAsDouble(((b * v_.heads + h) * past_ + j) * v_.dim + d);
      return v_.at(b, h, j - past_, d);
    };
    if (ctx.has_output(1) || ctx.has_output(2)) {
      for (int64_t b = 0; b < q_.batch; ++b) {
        for (int64_t h = 0; h < k_.heads; ++h) {
          for (int64_t j = 0; j < total_; ++j) {
            const int64_t row = (b * k_.heads + h) * total_ + j;
            if (ctx.has_output(1)) {
              for (int64_t d = 0; d < k_.dim; ++d) {
                ctx.output(1).SetFromDouble(row * k_.dim + d, key(b, h, j, d));
              }
            }
            if (ctx.has_output(2)) {
              for (int64_t d = 0; d < v_.dim; ++d) {
                ctx.output(2).SetFromDouble(row * v_.dim + d, value(b, h, j, d));
              }
            }
          }
        }
      }
    }
    const int64_t group = q_.heads / k_.heads;
    std::vector<double> scores(static_cast<size_t>(total_)), bias(static_cast<size_t>(total_));
    Tensor& y = ctx.output(0);
    for (int64_t b = 0; b < q_.batch; ++b) {
      const int64_t valid =
          has_nonpad_ ? ctx.input(6).Data<int64_t>()[b] : total_;  // Keys not padding.
      const int64_t offset = has_past_ ? past_ : (has_nonpad_ ? valid - q_.seq : 0);
      for (int64_t h = 0; h < q_.heads; ++h) {
        const int64_t hk = h / group;
        for (int64_t i = 0; i < q_.seq; ++i) {
          for (int64_t j = 0; j < total_; ++j) {
            double dot = 0;
            for (int64_t d = 0; d < q_.dim; ++d) dot += q_.at(b, h, i, d) * key(b, hk, j, d);
            scores[j] = dot * scale_;
          }
          const int64_t qk_row = ((b * q_.heads + h) * q_.seq + i) * total_;
          if (mode_ == 0) StoreRow(ctx, qk_row, scores);
          if (softcap_ > 0) {
            for (double& s : scores) s = softcap_ * std::tanh(s / softcap_);
          }
          if (mode_ == 1) StoreRow(ctx, qk_row, scores);
          for (int64_t j = 0; j < total_; ++j) {
            double add = has_mask_ ? MaskAt(ctx.input(3), b, h, i, j) : 0.0;
            const int64_t p = offset + i;
            if (causal_ && j > p) add = kNegInf;
            if (left_ >= 0 && p - j > left_) add = kNegInf;
            if (right_ >= 0 && j - p > right_) add = kNegInf;
            if (j >= valid) add = kNegInf;
            scores[j] += add;
          }
          if (mode_ == 2) StoreRow(ctx, qk_row, scores);
          double max = kNegInf;
          for (double s : scores) max = std::max(max, s);
          double sum = 0;
          for (double& s : scores) {
            s = max == kNegInf ? 0.0 : std::exp(s - max);
            sum += s;
          }
          for (double& s : scores) s = sum == 0 ? 0.0 : s / sum;
          if (mode_ == 3) StoreRow(ctx, qk_row, scores);
          for (int64_t d = 0; d < v_.dim; ++d) {
            double acc = 0;
            for (int64_t j = 0; j < total_; ++j) acc += scores[j] * value(b, hk, j, d);
            const int64_t index = q_.three_d ? ((b * q_.seq + i) * q_.heads + h) * v_.dim + d
                                             : ((b * q_.heads + h) * q_.seq + i) * v_.dim + d;
            y.SetFromDouble(index, acc);
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  void StoreRow(KernelContext& ctx, int64_t row, const std::vector<double>& values) const {
    if (!ctx.has_output(3)) return;
    for (size_t j = 0; j < values.size(); ++j) ctx.output(3).SetFromDouble(row + j, values[j]);
  }

  // The additive bias of the mask at [b, h, i, j]; beyond a short last dimension, -inf.
  double MaskAt(const Tensor& m, int64_t b, int64_t h, int64_t i, int64_t j) const {
    if (mask_shape_[3] != 1 && j >= mask_shape_[3]) return kNegInf;
    const int64_t coords[4] = {b, h, i, j};
    int64_t index = 0;
    for (int d = 0; d < 4; ++d)
      index = index * mask_shape_[d] + (mask_shape_[d] == 1 ? 0 : coords[d]);
    const double v = m.GetAsDouble(index);
    if (m.dtype() == DataType::kBool) return v != 0 ? 0.0 : kNegInf;
    return v;
  }

  const int version_;
  HeadView q_, k_, v_;
  bool has_past_ = false, has_nonpad_ = false, has_mask_ = false, causal_ = false;
  int64_t past_ = 0, total_ = 0, mode_ = 0, left_ = -1, right_ = -1;
  double softcap_ = 0, scale_ = 1;
  Shape mask_shape_;  // The mask's shape left-padded with 1s to rank 4.
};

}  // namespace

std::unique_ptr<Kernel> MakeAttention() { return std::make_unique<Attention>(23); }
std::unique_ptr<Kernel> MakeAttentionNonpad() { return std::make_unique<Attention>(24); }
std::unique_ptr<Kernel> MakeAttentionWindow() { return std::make_unique<Attention>(25); }

}  // namespace convcheck::interp
