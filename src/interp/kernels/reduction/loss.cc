//===- interp/kernels/reduction/loss.cc - NLL and softmax cross-entropy ----===//
//
// NegativeLogLikelihoodLoss (opset 12+): input [N, C, d1..dk] holds log-probabilities, target
// [N, d1..dk] class indices; loss[n, d] = -input[n, target[n, d], d] * weight[target[n, d]]
// (weight defaults to 1), 0 where target == ignore_index. SoftmaxCrossEntropyLoss (opset 12+)
// applies log-softmax over axis 1 first, and can also output those log-probabilities.
// reduction: "none" (shape of target), "sum", or "mean" (default): the sum divided by the sum
// of the applied weights when weight or ignore_index is given, else by the element count.
//
// Numerics: log-softmax subtracts the row maximum and runs in double; sums accumulate in
// double and round once on store. A mean over zero total weight is 0/0 = NaN, as in numpy. A
// target outside [0, C) that is not ignore_index is an error.
//
//===----------------------------------------------------------------------===//
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/reduction/reduction_util.h"

namespace convcheck::interp {
namespace {

enum class Reduction { kNone, kSum, kMean };

class Loss final : public Kernel {
 public:
  explicit Loss(bool softmax) : softmax_(softmax) {}

  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 3, 1, softmax_ ? 2 : 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& x = ctx.input(0);
    const Tensor& target = ctx.input(1);
    CC_RETURN_IF_ERROR(Dispatch<CC_FLOAT_TYPES>(x.dtype(), []<typename T>() {
      return Status::Ok();
    }));
    if (target.dtype() != DataType::kInt32 && target.dtype() != DataType::kInt64) {
      return InvalidArgument("target must be int32 or int64, got " +
                             std::string(DataTypeName(target.dtype())));
    }
    const Shape& xs = x.shape();
    if (xs.size() < 2) {
      return InvalidArgument("input must be [N, C, d1..dk], got shape " + ShapeToString(xs));
    }
    Shape expected_target = xs;
    expected_target.erase(expected_target.begin() + 1);
    if (target.shape() != expected_target) {
      return InvalidArgument("target shape " + ShapeToString(target.shape()) +
                             " does not match input shape " + ShapeToString(xs) + " (expected " +
                             ShapeToString(expected_target) + ")");
    }
    n_ = xs[0];
    c_ = xs[1];
    d_ = reduction::DimProduct(xs, 2, static_cast<int64_t>(xs.size()));
    has_weight_ = ctx.has_input(2);
    if (has_weight_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(2));
      const Tensor& w = ctx.input(2);
      if (w.dtype() != x.dtype() || w.shape() != Shape{c_}) {
        return InvalidArgument("weight must be " + std::string(DataTypeName(x.dtype())) + "[" +
                               std::to_string(c_) + "], got " +
                               std::string(DataTypeName(w.dtype())) + ShapeToString(w.shape()));
      }
    }
    has_ignore_ = ctx.has_attr("ignore_index");
    ignore_index_ = ctx.attr_int("ignore_index", 0);
    const std::string reduction = ctx.attr_string("reduction", "mean");
    if (reduction == "none") {
      reduction_ = Reduction::kNone;
    } else if (reduction == "sum") {
      reduction_ = Reduction::kSum;
    } else if (reduction == "mean") {
      reduction_ = Reduction::kMean;
    } else {
      return InvalidArgument("reduction must be none, sum or mean, got '" + reduction + "'");
    }
    ctx.SetOutput(0, x.dtype(), reduction_ == Reduction::kNone ? target.shape() : Shape{});
    if (softmax_ && ctx.has_output(1)) ctx.SetOutput(1, x.dtype(), xs);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& target = ctx.input(1);
    const Tensor* weight = has_weight_ ? &ctx.input(2) : nullptr;

    // Log-probabilities [N, C, D], in double.
    std::vector<double> logp(x.num_elements());
    for (int64_t i = 0; i < x.num_elements(); ++i) logp[i] = x.GetAsDouble(i);
    if (softmax_) {
      for (int64_t n = 0; n < n_; ++n) {
        for (int64_t d = 0; d < d_; ++d) {
          auto at = [&](int64_t c) { return (n * c_ + c) * d_ + d; };
          double row_max = -std::numeric_limits<double>::infinity();
          for (int64_t c = 0; c < c_; ++c) row_max = std::max(row_max, logp[at(c)]);
          double sum = 0;
          for (int64_t c = 0; c < c_; ++c) sum += std::exp(logp[at(c)] - row_max);
          const double log_sum = std::log(sum);
          for (int64_t c = 0; c < c_; ++c) logp[at(c)] = logp[at(c)] - row_max - log_sum;
        }
      }
      if (ctx.has_output(1)) {
        Tensor& log_prob = ctx.output(1);
        for (int64_t i = 0; i < x.num_elements(); ++i) log_prob.SetFromDouble(i, logp[i]);
      }
    }

    Tensor& loss = ctx.output(0);
    double total = 0, total_weight = 0;
    for (int64_t n = 0; n < n_; ++n) {
      for (int64_t d = 0; d < d_; ++d) {
        const int64_t ti = n * d_ + d;
        const int64_t t = static_cast<int64_t>(target.GetAsDouble(ti));
        double value = 0, w = 0;
        if (!(has_ignore_ && t == ignore_index_)) {
          if (t < 0 || t >= c_) {
            return InvalidArgument("target value " + std::to_string(t) + " at index " +
                                   std::to_string(ti) + " is outside [0, " + std::to_string(c_) +
                                   ")");
          }
          w = weight != nullptr ? weight->GetAsDouble(t) : 1.0;
          value = -logp[(n * c_ + t) * d_ + d] * w;
        }
        if (reduction_ == Reduction::kNone) loss.SetFromDouble(ti, value);
        total += value;
        total_weight += w;
      }
    }
    if (reduction_ == Reduction::kSum) loss.SetFromDouble(0, total);
    if (reduction_ == Reduction::kMean) {
      const bool weighted = has_weight_ || has_ignore_;
      loss.SetFromDouble(0, total / (weighted ? total_weight : static_cast<double>(n_ * d_)));
    }
    return Status::Ok();
  }

 private:
  const bool softmax_;
  // Set by Prepare.
  int64_t n_ = 0, c_ = 0, d_ = 1;
  bool has_weight_ = false, has_ignore_ = false;
  int64_t ignore_index_ = 0;
  Reduction reduction_ = Reduction::kMean;
};

}  // namespace

std::unique_ptr<Kernel> MakeNegativeLogLikelihoodLoss() {
  return std::make_unique<Loss>(/*softmax=*/false);
}
std::unique_ptr<Kernel> MakeSoftmaxCrossEntropyLoss() {
  return std::make_unique<Loss>(/*softmax=*/true);
}

}  // namespace convcheck::interp
