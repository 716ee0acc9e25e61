//===- interp/kernels/misc/optimizers.cc - Adagrad, Adam, Momentum ----------===//
//
// The training-domain optimizers of "ai.onnx.preview.training", opset 1. Each takes a learning
// rate R (float/double scalar), an update count T (int64 scalar), then n tensors of each role:
//   Adagrad  (X..., G..., H...)      -> (X_new..., H_new...)
//   Adam     (X..., G..., V..., H...) -> (X_new..., V_new..., H_new...)
//   Momentum (X..., G..., V...)      -> (X_new..., V_new...)
// with the update rules of the spec (g = norm_coefficient * x + grad throughout):
//   Adagrad:  r = R / (1 + T * decay_factor); h' = h + g^2; x' = x - r * g / (sqrt(h') + eps)
//   Adam:     v' = alpha v + (1 - alpha) g; h' = beta h + (1 - beta) g^2;
//             r = T > 0 ? R sqrt(1 - beta^T) / (1 - alpha^T) : R;
//             x' = (1 - norm_coefficient_post) (x - r v' / (sqrt(h') + eps))
//   Momentum: b = T > 0 ? beta : 1; v' = alpha v + b g;
//             standard: x' = x - R v';  nesterov: x' = x - R (g + alpha v')
// Tensors of one group must share a shape; every group member may have its own shape.
// Numerics: each element is computed in double and rounded once to its tensor's type.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

enum class Algorithm { kAdagrad, kAdam, kMomentum };

// Per-element update: `in` holds x, g and the state values (h; v, h; or v) in input order; `out`
// receives x' and the new states in output order.
struct Params {
  double r = 0;
  int64_t t = 0;
  double norm = 0, norm_post = 0, alpha = 0, beta = 0, epsilon = 0, decay = 0;
  bool nesterov = false;
};

void UpdateElement(Algorithm algorithm, const Params& p, const double* in, double* out) {
  const double x = in[0];
  const double g = p.norm * x + in[1];
  switch (algorithm) {
    case Algorithm::kAdagrad: {
      const double r = p.r / (1.0 + static_cast<double>(p.t) * p.decay);
      const double h = in[2] + g * g;
      out[0] = x - r * g / (std::sqrt(h) + p.epsilon);
      out[1] = h;
      return;
    }
    case Algorithm::kAdam: {
      const double v = p.alpha * in[2] + (1.0 - p.alpha) * g;
      const double h = p.beta * in[3] + (1.0 - p.beta) * g * g;
      const double t = static_cast<double>(p.t);
      const double r = p.t > 0 ? p.r * std::sqrt(1.0 - std::pow(p.beta, t)) /
                                     (1.0 - std::pow(p.alpha, t))
                               : p.r;
      out[0] = (1.0 - p.norm_post) * (x - r * v / (std::sqrt(h) + p.epsilon));
      out[1] = v;
      out[2] = h;
      return;
    }
    case Algorithm::kMomentum: {
      const double b = p.t > 0 ? p.beta : 1.0;
      const double v = p.alpha * in[2] + b * g;
      out[0] = p.nesterov ? x - p.r * (g + p.alpha * v) : x - p.r * v;
      out[1] = v;
      return;
    }
  }
}

class Optimizer final : public Kernel {
 public:
  explicit Optimizer(Algorithm algorithm) : algorithm_(algorithm) {}

  Status Prepare(KernelContext& ctx) override {
    // Roles per parameter tensor: inputs (x, g, states...), outputs (x', states'...).
    roles_ = algorithm_ == Algorithm::kAdam ? 4 : 3;
    const int data_inputs = ctx.num_inputs() - 2;
    if (data_inputs < roles_ || data_inputs % roles_ != 0) {
      return InvalidArgument("has " + std::to_string(ctx.num_inputs()) +
                             " inputs; expected R, T and " + std::to_string(roles_) +
                             " tensors per optimized tensor");
    }
    n_ = data_inputs / roles_;
    if (ctx.num_outputs() != (roles_ - 1) * n_) {
      return InvalidArgument("has " + std::to_string(ctx.num_outputs()) + " outputs, expected " +
                             std::to_string((roles_ - 1) * n_));
    }
    for (int i = 0; i < ctx.num_inputs(); ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const Tensor& r = ctx.input(0);
    const Tensor& t = ctx.input(1);
    if (!IsFloatingPoint(r.dtype()) || r.num_elements() != 1) {
      return InvalidArgument("R must be a floating-point scalar, got " +
                             std::string(DataTypeName(r.dtype())) + ShapeToString(r.shape()));
    }
    if (t.dtype() != DataType::kInt64 || t.num_elements() != 1) {
      return InvalidArgument("T must be an int64 scalar, got " +
                             std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()));
    }
    params_ = Params{};
    params_.r = r.GetAsDouble(0);
    params_.t = t.Data<int64_t>()[0];
    params_.norm = ctx.attr_float("norm_coefficient", 0.0f);
    switch (algorithm_) {
      case Algorithm::kAdagrad:
        params_.epsilon = ctx.attr_float("epsilon", 1e-6f);
        params_.decay = ctx.attr_float("decay_factor", 0.0f);
        break;
      case Algorithm::kAdam:
        params_.alpha = ctx.attr_float("alpha", 0.9f);
        params_.beta = ctx.attr_float("beta", 0.999f);
        params_.epsilon = ctx.attr_float("epsilon", 1e-6f);
        params_.norm_post = ctx.attr_float("norm_coefficient_post", 0.0f);
        break;
      case Algorithm::kMomentum: {
        for (const char* name : {"alpha", "beta", "mode", "norm_coefficient"}) {
          if (!ctx.has_attr(name)) {
            return InvalidArgument("attribute '" + std::string(name) + "' is required");
          }
        }
        params_.alpha = ctx.attr_float("alpha", 0.0f);
        params_.beta = ctx.attr_float("beta", 0.0f);
        const std::string mode = ctx.attr_string("mode", "");
        if (mode != "standard" && mode != "nesterov") {
          return InvalidArgument("mode is '" + mode + "', expected 'standard' or 'nesterov'");
        }
        params_.nesterov = mode == "nesterov";
        break;
      }
    }
    for (int k = 0; k < n_; ++k) {
      const Tensor& x = ctx.input(2 + k);
      if (!IsFloatingPoint(x.dtype())) {
        return InvalidArgument("X input " + std::to_string(k) + " must be floating-point, got " +
                               std::string(DataTypeName(x.dtype())));
      }
      for (int role = 1; role < roles_; ++role) {
        const Tensor& other = ctx.input(2 + role * n_ + k);
        if (other.shape() != x.shape() || !IsFloatingPoint(other.dtype())) {
          return InvalidArgument("input " + std::to_string(2 + role * n_ + k) + " is " +
                                 std::string(DataTypeName(other.dtype())) +
                                 ShapeToString(other.shape()) + " but X input " +
                                 std::to_string(k) + " is " +
                                 std::string(DataTypeName(x.dtype())) + ShapeToString(x.shape()));
        }
      }
      for (int role = 0; role + 1 < roles_; ++role) {
        // Output roles: x', then the states, which are inputs 2.. roles_-1.
        const Tensor& like = ctx.input(2 + (role == 0 ? 0 : role + 1) * n_ + k);
        ctx.SetOutput(role * n_ + k, like.dtype(), like.shape());
      }
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    std::vector<double> in(roles_), out(roles_ - 1);
    for (int k = 0; k < n_; ++k) {
      const int64_t count = ctx.input(2 + k).num_elements();
      for (int64_t e = 0; e < count; ++e) {
        for (int role = 0; role < roles_; ++role) {
          in[role] = ctx.input(2 + role * n_ + k).GetAsDouble(e);
        }
        UpdateElement(algorithm_, params_, in.data(), out.data());
        for (int role = 0; role + 1 < roles_; ++role) {
          ctx.output(role * n_ + k).SetFromDouble(e, out[role]);
        }
      }
    }
    return Status::Ok();
  }

 private:
  const Algorithm algorithm_;
  int roles_ = 3;
  int n_ = 0;
  Params params_;
};

}  // namespace

std::unique_ptr<Kernel> MakeAdagrad() { return std::make_unique<Optimizer>(Algorithm::kAdagrad); }
std::unique_ptr<Kernel> MakeAdam() { return std::make_unique<Optimizer>(Algorithm::kAdam); }
std::unique_ptr<Kernel> MakeMomentum() { return std::make_unique<Optimizer>(Algorithm::kMomentum); }

}  // namespace convcheck::interp
