//===- interp/kernels/misc/random.cc - Random generators ---------------------===//
//
// RandomNormal, RandomUniform (opset 1+: `shape` and `dtype` attributes), RandomNormalLike,
// RandomUniformLike (opset 1+: shape, and by default dtype, of the input), Multinomial (opset 7+)
// and Bernoulli (opset 15+).
//
// These cannot reproduce any other implementation's numbers: the spec fixes the distribution,
// not the generator. Each kernel owns a std::mt19937_64 seeded from the `seed` attribute when
// present (its float bits), and otherwise from a hash of the node's first output name, so runs
// are reproducible and two unseeded nodes still differ. The generator advances across
// executions of the same node (a Loop body), as a stateful RNG would. Only shapes, dtypes and
// value ranges are meaningful to compare.
//
// Distributions: normal = mean + scale * N(0, 1); uniform = low + (high - low) * U[0, 1);
// Multinomial samples class indices from softmax(input row) (the input holds unnormalized log
// probabilities); Bernoulli gives 1 where U[0, 1) < p. Values are computed in double and rounded
// once to the output type.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

uint64_t SeedFor(const KernelContext& ctx) {
  if (ctx.has_attr("seed")) {
    const float seed = ctx.attr_float("seed", 0.0f);
    uint32_t bits = 0;
    std::memcpy(&bits, &seed, sizeof(bits));
    return bits;
  }
  return std::hash<std::string>{}(ctx.num_outputs() > 0 ? ctx.node().output(0) : "");
}

// The dtype attribute (or `fallback` when absent) as a float type, mapped for float64 mode.
StatusOr<DataType> FloatDtype(const KernelContext& ctx, DataType fallback) {
  DataType dtype = fallback;
  if (ctx.has_attr("dtype")) {
    const int64_t code = ctx.attr_int("dtype", 1);
    auto parsed = DataTypeFromOnnxCode(static_cast<int32_t>(code));
    if (!parsed) return InvalidArgument("dtype " + std::to_string(code) + " is not a type");
    dtype = *parsed;
  }
  if (!IsFloatingPoint(dtype)) {
    return InvalidArgument("output type must be floating-point, got " +
                           std::string(DataTypeName(dtype)));
  }
  return ctx.ComputeType(dtype);
}

enum class Distribution { kNormal, kUniform };

class RandomTensor final : public Kernel {
 public:
  RandomTensor(Distribution distribution, bool like)
      : distribution_(distribution), like_(like) {}

  Status Prepare(KernelContext& ctx) override {
    if (!seeded_) {
      generator_.seed(SeedFor(ctx));
      seeded_ = true;
    }
    Shape shape;
    DataType dtype = DataType::kFloat32;
    if (like_) {
      CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
      CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
      shape = ctx.input(0).shape();
      CC_ASSIGN_OR_RETURN(dtype, FloatDtype(ctx, ctx.input(0).dtype()));
    } else {
      CC_RETURN_IF_ERROR(ctx.ExpectArity(0, 0, 1, 1));
      if (!ctx.has_attr("shape")) return InvalidArgument("attribute 'shape' is required");
      shape = ctx.attr_ints("shape");
      for (int64_t d : shape) {
        if (d < 0) return InvalidArgument("shape " + ShapeToString(shape) + " has a negative dimension");
      }
      CC_ASSIGN_OR_RETURN(dtype, FloatDtype(ctx, DataType::kFloat32));
    }
    if (distribution_ == Distribution::kNormal) {
      a_ = ctx.attr_float("mean", 0.0f);
      b_ = ctx.attr_float("scale", 1.0f);
    } else {
      a_ = ctx.attr_float("low", 0.0f);
      b_ = ctx.attr_float("high", 1.0f);
    }
    ctx.SetOutput(0, dtype, shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    for (int64_t i = 0; i < y.num_elements(); ++i) {
      double v;
      if (distribution_ == Distribution::kNormal) {
        v = a_ + b_ * normal_(generator_);
      } else {
        v = a_ + (b_ - a_) * uniform_(generator_);
      }
      y.SetFromDouble(i, v);
    }
    return Status::Ok();
  }

 private:
  const Distribution distribution_;
  const bool like_;
  double a_ = 0, b_ = 1;
  bool seeded_ = false;
  // The generator state is not part of the node's geometry: it advances on every draw.
  mutable std::mt19937_64 generator_;
  mutable std::normal_distribution<double> normal_{0.0, 1.0};
  mutable std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

class Multinomial final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    if (!seeded_) {
      generator_.seed(SeedFor(ctx));
      seeded_ = true;
    }
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (!IsFloatingPoint(x.dtype()) || x.rank() != 2) {
      return InvalidArgument("input must be a 2-D floating-point tensor [batch, classes], got " +
                             std::string(DataTypeName(x.dtype())) + ShapeToString(x.shape()));
    }
    if (x.shape()[1] < 1 && x.shape()[0] > 0) return InvalidArgument("input has no classes");
    samples_ = ctx.attr_int("sample_size", 1);
    if (samples_ < 1) {
      return InvalidArgument("sample_size is " + std::to_string(samples_) + ", must be >= 1");
    }
    const int64_t code = ctx.attr_int("dtype", static_cast<int64_t>(DataType::kInt32));
    if (code != static_cast<int64_t>(DataType::kInt32) &&
        code != static_cast<int64_t>(DataType::kInt64)) {
      return InvalidArgument("dtype must be int32 or int64, got code " + std::to_string(code));
    }
    ctx.SetOutput(0, static_cast<DataType>(code), {x.shape()[0], samples_});
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t batch = x.shape()[0], classes = x.shape()[1];
    std::vector<double> cumulative(static_cast<size_t>(classes));
    for (int64_t b = 0; b < batch; ++b) {
      double max_logit = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) max_logit = std::max(max_logit, x.GetAsDouble(b * classes + c));
      double total = 0;
      for (int64_t c = 0; c < classes; ++c) {
        total += std::exp(x.GetAsDouble(b * classes + c) - max_logit);
        cumulative[c] = total;
      }
      for (int64_t s = 0; s < samples_; ++s) {
        const double u = uniform_(generator_) * total;
        int64_t chosen = classes - 1;
        for (int64_t c = 0; c < classes; ++c) {
          if (u < cumulative[c]) {
            chosen = c;
            break;
          }
        }
        y.SetFromDouble(b * samples_ + s, static_cast<double>(chosen));
      }
    }
    return Status::Ok();
  }

 private:
  int64_t samples_ = 1;
  bool seeded_ = false;
  mutable std::mt19937_64 generator_;
  mutable std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

class Bernoulli final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    if (!seeded_) {
      generator_.seed(SeedFor(ctx));
      seeded_ = true;
    }
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (!IsFloatingPoint(x.dtype())) {
      return InvalidArgument("input must be floating-point probabilities, got " +
                             std::string(DataTypeName(x.dtype())));
    }
    DataType dtype = x.dtype();
    if (ctx.has_attr("dtype")) {
      const int64_t code = ctx.attr_int("dtype", 1);
      auto parsed = DataTypeFromOnnxCode(static_cast<int32_t>(code));
      if (!parsed || !(IsFloatingPoint(*parsed) || IsInteger(*parsed) || *parsed == DataType::kBool)) {
        return InvalidArgument("dtype " + std::to_string(code) + " is not a numeric or bool type");
      }
      dtype = ctx.ComputeType(*parsed);
    }
    ctx.SetOutput(0, dtype, x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      y.SetFromDouble(i, uniform_(generator_) < x.GetAsDouble(i) ? 1.0 : 0.0);
    }
    return Status::Ok();
  }

 private:
  bool seeded_ = false;
  mutable std::mt19937_64 generator_;
  mutable std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

}  // namespace

std::unique_ptr<Kernel> MakeRandomNormal() {
  return std::make_unique<RandomTensor>(Distribution::kNormal, /*like=*/false);
}
std::unique_ptr<Kernel> MakeRandomUniform() {
  return std::make_unique<RandomTensor>(Distribution::kUniform, /*like=*/false);
}
std::unique_ptr<Kernel> MakeRandomNormalLike() {
  return std::make_unique<RandomTensor>(Distribution::kNormal, /*like=*/true);
}
std::unique_ptr<Kernel> MakeRandomUniformLike() {
  return std::make_unique<RandomTensor>(Distribution::kUniform, /*like=*/true);
}
std::unique_ptr<Kernel> MakeMultinomial() { return std::make_unique<Multinomial>(); }
std::unique_ptr<Kernel> MakeBernoulli() { return std::make_unique<Bernoulli>(); }

}  // namespace convcheck::interp
