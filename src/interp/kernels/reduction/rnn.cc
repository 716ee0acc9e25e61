//===- interp/kernels/reduction/rnn.cc - RNN, GRU and LSTM ----------------===//
//
// The three ONNX recurrent layers (opsets 7+; opset 14 adds `layout`, where 1 means
// batch-major X [batch, seq, input], Y [batch, seq, dirs, hidden] and states
// [batch, dirs, hidden]). One executor serves all three:
//  - RNN (1 gate):   Ht = f(Xt Wi' + Ht-1 Ri' + Wbi + Rbi)                        f=Tanh
//  - GRU (3 gates, z r h): zt, rt = f(...), ht = g(Xt Wh' + (rt . Ht-1) Rh' + Rbh + Wbh), or
//    with linear_before_reset=1 ht = g(Xt Wh' + rt . (Ht-1 Rh' + Rbh) + Wbh);
//    Ht = (1 - zt) . ht + zt . Ht-1                                             f=Sigmoid g=Tanh
//  - LSTM (4 gates, i o f c; peepholes P = [Pi Po Pf]): it, ft = f(... + P . Ct-1),
//    ct = g(...), Ct = ft . Ct-1 + it . ct, ot = f(... + Po . Ct), Ht = ot . h(Ct);
//    input_forget=1 couples ft = 1 - it                                f=Sigmoid g=Tanh h=Tanh
// direction forward/reverse/bidirectional; `activations` lists the functions per direction
// (forward first), `activation_alpha`/`activation_beta` are consumed in order by the functions
// that take them; `clip` bounds every gate's pre-activation; sequence_lens stops each batch
// entry early: its Y rows past the length stay 0 and Y_h/Y_c hold its last computed state.
//
// Numerics: everything runs in double, with the matrix products through Gemm<double> (OpenBLAS
// dgemm), and is rounded once on store.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/common/gemm.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

enum class CellKind { kRnn, kGru, kLstm };

struct Activation {
  enum class Fn {
    kRelu, kTanh, kSigmoid, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid,
    kElu, kSoftsign, kSoftplus
  } fn = Fn::kTanh;
  double alpha = 0, beta = 0;

  double operator()(double x) const {
    switch (fn) {
      case Fn::kRelu:
        return x > 0 ? x : 0;
      case Fn::kTanh:
        return std::tanh(x);
      case Fn::kSigmoid:
        return 1.0 / (1.0 + std::exp(-x));
      case Fn::kAffine:
        return alpha * x + beta;
      case Fn::kLeakyRelu:
        return x >= 0 ? x : alpha * x;
      case Fn::kThresholdedRelu:
        return x > alpha ? x : 0;
      case Fn::kScaledTanh:
        return alpha * std::tanh(beta * x);
      case Fn::kHardSigmoid:
        return std::max(0.0, std::min(1.0, alpha * x + beta));
      case Fn::kElu:
        return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
      case Fn::kSoftsign:
        return x / (1.0 + std::abs(x));
      case Fn::kSoftplus:
        return std::log1p(std::exp(x));
    }
    return x;
  }
};

// Parses a name like "Sigmoid" (case-insensitively, as runtimes accept) and takes its alpha and
// beta from the lists, advancing the cursors only for functions that use them.
StatusOr<Activation> MakeActivation(const std::string& name, const std::vector<float>& alphas,
                                    size_t& next_alpha, const std::vector<float>& betas,
                                    size_t& next_beta) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Entry {
    const char* name;
    Activation::Fn fn;
    bool has_alpha, has_beta;
    double alpha, beta;  // Defaults, as in the corresponding ONNX operators.
  };
  static const Entry kTable[] = {
      {"relu", Activation::Fn::kRelu, false, false, 0, 0},
      {"tanh", Activation::Fn::kTanh, false, false, 0, 0},
      {"sigmoid", Activation::Fn::kSigmoid, false, false, 0, 0},
      {"affine", Activation::Fn::kAffine, true, true, 1.0, 0.0},
      {"leakyrelu", Activation::Fn::kLeakyRelu, true, false, 0.01, 0},
      {"thresholdedrelu", Activation::Fn::kThresholdedRelu, true, false, 1.0, 0},
      {"scaledtanh", Activation::Fn::kScaledTanh, true, true, 1.0, 1.0},
      {"hardsigmoid", Activation::Fn::kHardSigmoid, true, true, 0.2, 0.5},
      {"elu", Activation::Fn::kElu, true, false, 1.0, 0},
      {"softsign", Activation::Fn::kSoftsign, false, false, 0, 0},
      {"softplus", Activation::Fn::kSoftplus, false, false, 0, 0},
  };
  for (const Entry& e : kTable) {
    if (lower != e.name) continue;
    Activation a{e.fn, e.alpha, e.beta};
    if (e.has_alpha && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (e.has_beta && next_beta < betas.size()) a.beta = betas[next_beta++];
    return a;
  }
  return InvalidArgument("activation '" + name + "' is not supported");
}

class Recurrent final : public Kernel {
 public:
  explicit Recurrent(CellKind kind) : kind_(kind) {
    gates_ = kind == CellKind::kRnn ? 1 : kind == CellKind::kGru ? 3 : 4;
  }

  Status Prepare(KernelContext& ctx) override {
    const bool lstm = kind_ == CellKind::kLstm;
    CC_RETURN_IF_ERROR(ctx.ExpectArity(3, lstm ? 8 : 6, 0, lstm ? 3 : 2));
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (i < 3 || ctx.has_input(i)) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    }
    const Tensor& x = ctx.input(0);
    CC_RETURN_IF_ERROR(Dispatch<CC_FLOAT_TYPES>(x.dtype(), []<typename T>() {
      return Status::Ok();
    }));
    layout_ = ctx.opset() >= 14 ? ctx.attr_int("layout", 0) : 0;
    if (layout_ != 0 && layout_ != 1) {
      return InvalidArgument("layout must be 0 or 1, got " + std::to_string(layout_));
    }
    const std::string direction = ctx.attr_string("direction", "forward");
    if (direction == "forward" || direction == "reverse") {
      dirs_ = 1;
    } else if (direction == "bidirectional") {
      dirs_ = 2;
    } else {
      return InvalidArgument("direction must be forward, reverse or bidirectional, got '" +
                             direction + "'");
    }
    reverse_only_ = direction == "reverse";
    if (x.rank() != 3) {
      return InvalidArgument("X must be 3-D, got shape " + ShapeToString(x.shape()));
    }
    seq_ = x.shape()[layout_ == 0 ? 0 : 1];
    batch_ = x.shape()[layout_ == 0 ? 1 : 0];
    input_ = x.shape()[2];
    const Tensor& r = ctx.input(2);
    hidden_ = ctx.attr_int("hidden_size", r.rank() == 3 ? r.shape()[2] : 0);
    const int64_t gh = gates_ * hidden_;

    auto check = [&](int i, const char* name, const Shape& expected) -> Status {
      if (!ctx.has_input(i)) return Status::Ok();
      const Tensor& t = ctx.input(i);
      if (t.dtype() != x.dtype() || t.shape() != expected) {
        return InvalidArgument(std::string(name) + " must be " +
                               std::string(DataTypeName(x.dtype())) + ShapeToString(expected) +
                               ", got " + std::string(DataTypeName(t.dtype())) +
                               ShapeToString(t.shape()));
      }
      return Status::Ok();
    };
    const Shape state_shape =
        layout_ == 0 ? Shape{dirs_, batch_, hidden_} : Shape{batch_, dirs_, hidden_};
    CC_RETURN_IF_ERROR(check(1, "W", {dirs_, gh, input_}));
    CC_RETURN_IF_ERROR(check(2, "R", {dirs_, gh, hidden_}));
    CC_RETURN_IF_ERROR(check(3, "B", {dirs_, 2 * gh}));
    CC_RETURN_IF_ERROR(check(5, "initial_h", state_shape));
    if (lstm) {
      CC_RETURN_IF_ERROR(check(6, "initial_c", state_shape));
      CC_RETURN_IF_ERROR(check(7, "P", {dirs_, 3 * hidden_}));
    }
    if (ctx.has_input(4)) {
      const Tensor& lens = ctx.input(4);
      if (lens.dtype() != DataType::kInt32 || lens.shape() != Shape{batch_}) {
        return InvalidArgument("sequence_lens must be int32[" + std::to_string(batch_) +
                               "], got " + std::string(DataTypeName(lens.dtype())) +
                               ShapeToString(lens.shape()));
      }
    }

    // Activations: defaults per cell, or the attribute (one set per direction, or one set shared).
    const int per_dir = kind_ == CellKind::kRnn ? 1 : kind_ == CellKind::kGru ? 2 : 3;
    std::vector<std::string> names = ctx.attr_strings("activations");
    if (names.empty()) {
      if (kind_ == CellKind::kRnn) names = {"Tanh"};
      if (kind_ == CellKind::kGru) names = {"Sigmoid", "Tanh"};
      if (kind_ == CellKind::kLstm) names = {"Sigmoid", "Tanh", "Tanh"};
    }
    if (static_cast<int64_t>(names.size()) == per_dir && dirs_ == 2) {
      std::vector<std::string> twice = names;
      twice.insert(twice.end(), names.begin(), names.end());
      names = twice;
    }
    if (static_cast<int64_t>(names.size()) != per_dir * dirs_) {
      return InvalidArgument("activations has " + std::to_string(names.size()) +
                             " entries, expected " + std::to_string(per_dir * dirs_));
    }
    const std::vector<float> alphas = ctx.attr_floats("activation_alpha");
    const std::vector<float> betas = ctx.attr_floats("activation_beta");
    size_t next_alpha = 0, next_beta = 0;
    activations_.clear();
    for (const std::string& name : names) {
      CC_ASSIGN_OR_RETURN(Activation a, MakeActivation(name, alphas, next_alpha, betas, next_beta));
      activations_.push_back(a);
    }
    has_clip_ = ctx.has_attr("clip");
    clip_ = ctx.attr_float("clip", 0.0f);
    linear_before_reset_ = ctx.attr_int("linear_before_reset", 0) != 0;
    input_forget_ = ctx.attr_int("input_forget", 0) != 0;

    if (ctx.has_output(0)) {
      ctx.SetOutput(0, x.dtype(),
                    layout_ == 0 ? Shape{seq_, dirs_, batch_, hidden_}
                                 : Shape{batch_, seq_, dirs_, hidden_});
    }
    if (ctx.has_output(1)) ctx.SetOutput(1, x.dtype(), state_shape);
    if (lstm && ctx.has_output(2)) ctx.SetOutput(2, x.dtype(), state_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const int64_t H = hidden_, GH = gates_ * hidden_;
    auto read = [](const Tensor& t, int64_t offset, int64_t count) {
      std::vector<double> v(count);
      for (int64_t i = 0; i < count; ++i) v[i] = t.GetAsDouble(offset + i);
      return v;
    };
    // X as [seq, batch, input] in double.
    const Tensor& xt = ctx.input(0);
    std::vector<double> x(seq_ * batch_ * input_);
    for (int64_t t = 0; t < seq_; ++t) {
      for (int64_t b = 0; b < batch_; ++b) {
        const int64_t src = layout_ == 0 ? (t * batch_ + b) : (b * seq_ + t);
        for (int64_t i = 0; i < input_; ++i) {
          x[(t * batch_ + b) * input_ + i] = xt.GetAsDouble(src * input_ + i);
        }
      }
    }
    std::vector<int64_t> lens(batch_, seq_);
    if (ctx.has_input(4)) {
      for (int64_t b = 0; b < batch_; ++b) {
        lens[b] = static_cast<int64_t>(ctx.input(4).GetAsDouble(b));
        if (lens[b] < 0 || lens[b] > seq_) {
          return InvalidArgument("sequence_lens[" + std::to_string(b) + "] is " +
                                 std::to_string(lens[b]) + ", outside [0, " +
                                 std::to_string(seq_) + "]");
        }
      }
    }
    // Index of state element (dir, b, h) in the state tensors for the layout.
    auto state_index = [&](int64_t d, int64_t b, int64_t h) {
      return layout_ == 0 ? (d * batch_ + b) * H + h : (b * dirs_ + d) * H + h;
    };
    auto y_index = [&](int64_t t, int64_t d, int64_t b, int64_t h) {
      return layout_ == 0 ? ((t * dirs_ + d) * batch_ + b) * H + h
                          : ((b * seq_ + t) * dirs_ + d) * H + h;
    };
    auto clip = [&](double v) { return has_clip_ ? std::clamp(v, -clip_, clip_) : v; };
    const int per_dir = kind_ == CellKind::kRnn ? 1 : kind_ == CellKind::kGru ? 2 : 3;

    for (int64_t d = 0; d < dirs_; ++d) {
      const bool reverse = reverse_only_ || d == 1;
      const std::vector<double> w = read(ctx.input(1), d * GH * input_, GH * input_);
      const std::vector<double> r = read(ctx.input(2), d * GH * H, GH * H);
      std::vector<double> wb(GH, 0.0), rb(GH, 0.0), p(3 * H, 0.0);
      if (ctx.has_input(3)) {
        wb = read(ctx.input(3), d * 2 * GH, GH);
        rb = read(ctx.input(3), d * 2 * GH + GH, GH);
      }
      if (kind_ == CellKind::kLstm && ctx.has_input(7)) p = read(ctx.input(7), d * 3 * H, 3 * H);
      std::vector<double> h_state(batch_ * H, 0.0), c_state(batch_ * H, 0.0);
      for (int64_t b = 0; b < batch_; ++b) {
        for (int64_t h = 0; h < H; ++h) {
          if (ctx.has_input(5)) h_state[b * H + h] = ctx.input(5).GetAsDouble(state_index(d, b, h));
          if (kind_ == CellKind::kLstm && ctx.has_input(6)) {
            c_state[b * H + h] = ctx.input(6).GetAsDouble(state_index(d, b, h));
          }
        }
      }
      const Activation& f = activations_[d * per_dir];
      const Activation& g = activations_[d * per_dir + (per_dir > 1 ? 1 : 0)];
      const Activation& hf = activations_[d * per_dir + (per_dir > 2 ? 2 : 0)];

      // Input projections for every step at once: XW[t*batch + b, :] = X W'.
      std::vector<double> xw(seq_ * batch_ * GH, 0.0);
      if (seq_ * batch_ > 0 && input_ > 0 && GH > 0) {
        Gemm<double>(false, true, seq_ * batch_, GH, input_, 1.0, x.data(), input_, w.data(),
                     input_, 0.0, xw.data(), GH);
      }
      std::vector<double> hr(batch_ * GH), rh(batch_ * H), rhr(batch_ * H);
      for (int64_t step = 0; step < seq_; ++step) {
        const int64_t t = reverse ? seq_ - 1 - step : step;
        std::fill(hr.begin(), hr.end(), 0.0);
        if (batch_ > 0 && H > 0) {
          Gemm<double>(false, true, batch_, GH, H, 1.0, h_state.data(), H, r.data(), H, 0.0,
                       hr.data(), GH);
        }
        if (kind_ == CellKind::kGru && !linear_before_reset_) {
          // (rt . Ht-1) Rh' needs rt first.
          for (int64_t b = 0; b < batch_; ++b) {
            for (int64_t h = 0; h < H; ++h) {
              const double* xwb = &xw[(t * batch_ + b) * GH];
              const double rt = f(clip(xwb[H + h] + hr[b * GH + H + h] + wb[H + h] + rb[H + h]));
              rh[b * H + h] = rt * h_state[b * H + h];
            }
          }
          std::fill(rhr.begin(), rhr.end(), 0.0);
          if (batch_ > 0 && H > 0) {
            Gemm<double>(false, true, batch_, H, H, 1.0, rh.data(), H, r.data() + 2 * H * H, H,
                         0.0, rhr.data(), H);
          }
        }
        for (int64_t b = 0; b < batch_; ++b) {
          // Steps at or past this entry's length are not computed (a reverse pass therefore
          // starts at its last valid step).
          if (t >= lens[b]) continue;
          const double* xwb = &xw[(t * batch_ + b) * GH];
          const double* hrb = &hr[b * GH];
          auto pre = [&](int64_t gate, int64_t h) {
            const int64_t k = gate * H + h;
            return xwb[k] + hrb[k] + wb[k] + rb[k];
          };
          std::vector<double> new_h(H), new_c(H);
          for (int64_t h = 0; h < H; ++h) {
            const double h_prev = h_state[b * H + h];
            switch (kind_) {
              case CellKind::kRnn:
                new_h[h] = f(clip(pre(0, h)));
                break;
              case CellKind::kGru: {
                const double z = f(clip(pre(0, h)));
                double cand;
                if (linear_before_reset_) {
                  const double rt = f(clip(pre(1, h)));
                  const int64_t k = 2 * H + h;
                  cand = g(clip(xwb[k] + wb[k] + rt * (hrb[k] + rb[k])));
                } else {
                  const int64_t k = 2 * H + h;
                  cand = g(clip(xwb[k] + wb[k] + rhr[b * H + h] + rb[k]));
                }
                new_h[h] = (1.0 - z) * cand + z * h_prev;
                break;
              }
              case CellKind::kLstm: {
                const double c_prev = c_state[b * H + h];
                const double i = f(clip(pre(0, h) + p[h] * c_prev));
                const double fg =
                    input_forget_ ? 1.0 - i : f(clip(pre(2, h) + p[2 * H + h] * c_prev));
                const double cand = g(clip(pre(3, h)));
                const double c = fg * c_prev + i * cand;
                const double o = f(clip(pre(1, h) + p[H + h] * c));
                new_c[h] = c;
                new_h[h] = o * hf(c);
                break;
              }
            }
          }
          for (int64_t h = 0; h < H; ++h) {
            h_state[b * H + h] = new_h[h];
            if (kind_ == CellKind::kLstm) c_state[b * H + h] = new_c[h];
            if (ctx.has_output(0)) ctx.output(0).SetFromDouble(y_index(t, d, b, h), new_h[h]);
          }
        }
      }
      for (int64_t b = 0; b < batch_; ++b) {
        for (int64_t h = 0; h < H; ++h) {
          if (ctx.has_output(1)) {
            ctx.output(1).SetFromDouble(state_index(d, b, h), h_state[b * H + h]);
          }
          if (kind_ == CellKind::kLstm && ctx.has_output(2)) {
            ctx.output(2).SetFromDouble(state_index(d, b, h), c_state[b * H + h]);
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  const CellKind kind_;
  int64_t gates_ = 1;
  // Set by Prepare.
  int64_t layout_ = 0, dirs_ = 1, seq_ = 0, batch_ = 0, input_ = 0, hidden_ = 0;
  bool reverse_only_ = false, has_clip_ = false, linear_before_reset_ = false,
       input_forget_ = false;
  double clip_ = 0;
  std::vector<Activation> activations_;
};

}  // namespace

std::unique_ptr<Kernel> MakeRNN() { return std::make_unique<Recurrent>(CellKind::kRnn); }
std::unique_ptr<Kernel> MakeGRU() { return std::make_unique<Recurrent>(CellKind::kGru); }
std::unique_ptr<Kernel> MakeLSTM() { return std::make_unique<Recurrent>(CellKind::kLstm); }

}  // namespace convcheck::interp
