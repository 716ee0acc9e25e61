// Conv's fast path (kernels/fast/convolution.h) against the reference Conv kernel, on seeded random
// geometries: the depthwise path must equal the reference bit for bit; the GEMM path (a
// different summation than the reference's OpenBLAS) must equal its own definition (FMA chains
// over (c, kh, kw) in blocks of 256, the padding read as zeros) bit for bit, and the reference
// within float rounding. Threads never change a bit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fast_test_util.h"
#include "interp/executor.h"
#include "interp/kernels/fast/isa.h"
#include "interp/kernels/fast/sgemm.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::ExpectClose;
using ::convcheck::testing::ExpectSameBits;
using ::convcheck::testing::IsaName;
using ::convcheck::testing::KernelTester;
using ::convcheck::testing::RandomFloats;
using ::convcheck::testing::RunNode;
using ::convcheck::testing::TestableIsas;

struct ConvCase {
  int64_t batch, channels, maps, group, h, w;
  std::vector<int64_t> kernel, strides, dilations, pads;
  bool bias, weights_constant;
  std::string Describe() const {
    auto ints = [](const std::vector<int64_t>& v) {
      std::string s;
      for (int64_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
      return "[" + s + "]";
    };
    return "x [" + std::to_string(batch) + "," + std::to_string(channels) + "," +
           std::to_string(h) + "," + std::to_string(w) + "] maps " + std::to_string(maps) +
           " group " + std::to_string(group) + " kernel " + ints(kernel) + " strides " +
           ints(strides) + " dilations " + ints(dilations) + " pads " + ints(pads) +
           (bias ? " bias" : "") + (weights_constant ? " constant weights" : "");
  }
};

struct Inputs {
  Tensor x, w, b;
};

Inputs MakeInputs(const ConvCase& c, std::mt19937& rng) {
  Shape x_shape{c.batch, c.channels, c.h, c.w}, w_shape{c.maps, c.channels / c.group};
  if (c.kernel.size() == 1) x_shape = {c.batch, c.channels, c.w};
  for (int64_t k : c.kernel) w_shape.push_back(k);
  return {RandomFloats(rng, x_shape), RandomFloats(rng, w_shape), RandomFloats(rng, {c.maps})};
}

std::function<KernelTester()> Maker(const ConvCase& c, const Inputs& in) {
  return [c, in] {
    KernelTester t("Conv", /*opset=*/11);
    t.Attr("group", c.group)
        .Attr("kernel_shape", c.kernel)
        .Attr("strides", c.strides)
        .Attr("dilations", c.dilations)
        .Attr("pads", c.pads)
        .Input(in.x)
        .Input(in.w);
    if (c.weights_constant) t.AsInitializer();
    if (c.bias) t.Input(in.b).AsInitializer();
    t.IgnoreOutput();
    return t;
  };
}

// A random 1-D or 2-D convolution, grouped as asked.
ConvCase RandomCase(std::mt19937& rng, bool depthwise) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  ConvCase c;
  c.batch = pick(1, 2);
  const bool one_d = pick(0, 4) == 0;
  const int rank = one_d ? 1 : 2;
  if (depthwise) {
    c.channels = c.group = pick(2, 12);
    c.maps = c.channels * pick(1, 2);
  } else {
    c.channels = pick(1, 24);
    c.maps = pick(1, 40);
    c.group = 1;
  }
  c.h = one_d ? 1 : pick(1, 20);
  c.w = pick(1, 70);
  for (int d = 0; d < rank; ++d) {
    const int64_t extent = d == rank - 1 ? c.w : c.h;
    c.dilations.push_back(pick(1, 2));
    c.kernel.push_back(pick(1, 5));
    c.strides.push_back(pick(1, 3));
    // Pads up to the kernel's reach, but an output of at least one element.
    const int64_t reach = (c.kernel.back() - 1) * c.dilations.back() + 1;
    if (reach > extent + 2 * (reach - 1)) c.kernel.back() = 1;
  }
  for (int d = 0; d < 2 * rank; ++d) c.pads.push_back(pick(0, c.kernel[d % rank] - 1));
  for (int d = 0; d < rank; ++d) {
    const int64_t extent = d == rank - 1 ? c.w : c.h;
    const int64_t reach = (c.kernel[d] - 1) * c.dilations[d] + 1;
    if (extent + c.pads[d] + c.pads[d + rank] < reach) c.pads[d] = reach - extent;
  }
  c.bias = pick(0, 1) == 1;
  c.weights_constant = pick(0, 3) != 0;
  return c;
}

// The GEMM path's definition: per output, acc = fma(w, x, acc) over (c, kh, kw) in order, the
// padding read as 0, from acc = 0; then + bias.
Tensor DirectConvFma(const ConvCase& c, const Inputs& in, const Shape& out_shape) {
  Tensor y(DataType::kFloat32, out_shape);
  const bool one_d = c.kernel.size() == 1;
  const int64_t kh_n = one_d ? 1 : c.kernel[0], kw_n = c.kernel.back();
  const int64_t sh = one_d ? 1 : c.strides[0], sw = c.strides.back();
  const int64_t dh = one_d ? 1 : c.dilations[0], dw = c.dilations.back();
  const int64_t ph = one_d ? 0 : c.pads[0], pw = one_d ? c.pads[0] : c.pads[1];
  const int64_t out_h = one_d ? 1 : out_shape[2], out_w = out_shape.back();
  const float* x = in.x.Data<float>();
  const float* w = in.w.Data<float>();
  float* out = y.MutableData<float>();
  for (int64_t n = 0; n < c.batch; ++n) {
    for (int64_t m = 0; m < c.maps; ++m) {
      for (int64_t oh = 0; oh < out_h; ++oh) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          float acc = 0.0f, block = 0.0f;
          int64_t k = 0;  // Index into (ch, kh, kw), for the blocks of fast::kGemmKBlock.
          for (int64_t ch = 0; ch < c.channels; ++ch) {
            for (int64_t kh = 0; kh < kh_n; ++kh) {
              for (int64_t kw = 0; kw < kw_n; ++kw, ++k) {
                const int64_t ih = oh * sh - ph + kh * dh, iw = ow * sw - pw + kw * dw;
                const bool inside = ih >= 0 && ih < c.h && iw >= 0 && iw < c.w;
                const float xv = inside ? x[((n * c.channels + ch) * c.h + ih) * c.w + iw] : 0.0f;
                block = std::fma(w[((m * c.channels + ch) * kh_n + kh) * kw_n + kw], xv, block);
                if ((k + 1) % fast::kGemmKBlock == 0) {
                  acc = k + 1 == fast::kGemmKBlock ? block : acc + block;
                  block = 0.0f;
                }
              }
            }
          }
          const int64_t k_total = c.channels * kh_n * kw_n;
          if (k_total % fast::kGemmKBlock != 0) {
            acc = k_total < fast::kGemmKBlock ? block : acc + block;
          }
          if (c.bias) acc = acc + in.b.Data<float>()[m];
          out[((n * c.maps + m) * out_h + oh) * out_w + ow] = acc;
        }
      }
    }
  }
  return y;
}

TEST(FastConvTest, GemmPathEqualsItsDefinitionAndAgreesWithTheReference) {
  const auto isas = TestableIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  for (fast::Isa isa : isas) {
    fast::ForceIsaForTesting(isa);
    for (uint32_t seed = 1; seed <= 60; ++seed) {
      std::mt19937 rng(seed);
      const ConvCase c = RandomCase(rng, /*depthwise=*/false);
      const Inputs in = MakeInputs(c, rng);
      const std::string what =
          std::string(IsaName(isa)) + " seed " + std::to_string(seed) + ": " + c.Describe();
      const auto make = Maker(c, in);
      const Tensor reference = RunNode(make, /*fast=*/false, 1);
      const Tensor fast1 = RunNode(make, /*fast=*/true, 1);
      ASSERT_EQ(reference.shape(), fast1.shape()) << what;
      ExpectSameBits(DirectConvFma(c, in, reference.shape()), fast1, what);
      ExpectSameBits(fast1, RunNode(make, /*fast=*/true, 2), what + ", 2 threads");
      ExpectClose(reference, fast1, 1e-5, 1e-4, what);
    }
  }
  fast::ForceIsaForTesting(fast::Isa::kAvx512);
}

TEST(FastConvTest, DepthwiseEqualsTheReferenceBitForBit) {
  const auto isas = TestableIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  for (fast::Isa isa : isas) {
    fast::ForceIsaForTesting(isa);
    for (uint32_t seed = 1; seed <= 80; ++seed) {
      std::mt19937 rng(1000 + seed);
      ConvCase c = RandomCase(rng, /*depthwise=*/true);
      Inputs in = MakeInputs(c, rng);
      if (seed % 10 == 0) {
        // Inf and NaN where the reference would skip them at a border, and a -0 input.
        float* w = in.w.MutableData<float>();
        float* x = in.x.MutableData<float>();
        w[0] = std::numeric_limits<float>::infinity();
        x[in.x.num_elements() / 2] = std::numeric_limits<float>::quiet_NaN();
        x[0] = -0.0f;
      }
      const std::string what =
          std::string(IsaName(isa)) + " seed " + std::to_string(seed) + ": " + c.Describe();
      const auto make = Maker(c, in);
      const Tensor reference = RunNode(make, /*fast=*/false, 1);
      ExpectSameBits(reference, RunNode(make, /*fast=*/true, 1), what);
      ExpectSameBits(reference, RunNode(make, /*fast=*/true, 3), what + ", 3 threads");
    }
  }
  fast::ForceIsaForTesting(fast::Isa::kAvx512);
}

// Constant weights are packed on the first run and reused; weights fed as an input must be
// packed again on every run, even when the new tensor lands at the old one's address.
TEST(FastConvTest, PackedWeightsAreReusedOnlyWhenConstant) {
  if (!fast::Available()) GTEST_SKIP() << "no AVX2/FMA: the fast path is off on this CPU";
  for (bool weights_constant : {true, false}) {
    onnx::ModelProto model;
    model.set_ir_version(8);
    model.add_opset_import()->set_version(13);
    onnx::GraphProto* graph = model.mutable_graph();
    auto add_input = [&](const std::string& name) {
      onnx::ValueInfoProto* in = graph->add_input();
      in->set_name(name);
      in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    };
    add_input("x");
    std::mt19937 rng(5);
    const Tensor w0 = RandomFloats(rng, {4, 3, 3, 3});
    if (weights_constant) {
      onnx::TensorProto* init = graph->add_initializer();
      init->set_name("w");
      init->set_data_type(onnx::TensorProto::FLOAT);
      for (int64_t d : w0.shape()) init->add_dims(d);
      init->set_raw_data(w0.raw_data(), static_cast<size_t>(w0.byte_size()));
    } else {
      add_input("w");
    }
    onnx::NodeProto* node = graph->add_node();
    node->set_op_type("Conv");
    node->add_input("x");
    node->add_input("w");
    node->add_output("y");
    graph->add_output()->set_name("y");
    auto run = [&](bool fast, const Tensor& x, const Tensor& w) {
      interp::InterpreterOptions options;
      options.fast_kernels = fast;
      auto interp = interp::Interpreter::Create(model, options);
      EXPECT_TRUE(interp.ok());
      std::vector<Tensor> results;
      for (int i = 0; i < 2; ++i) {
        std::vector<Value> inputs = {Value::FromTensor(x)};
        if (!weights_constant) inputs.push_back(Value::FromTensor(i == 0 ? w0 : w));
        auto out = (*interp)->Run(inputs);
        EXPECT_TRUE(out.ok()) << out.status().ToString();
        results.push_back((*out)[0].tensor());
      }
      return results;
    };
    const Tensor x = RandomFloats(rng, {1, 3, 8, 9});
    const Tensor w1 = RandomFloats(rng, {4, 3, 3, 3});
    const std::vector<Tensor> reference = run(false, x, w1), fast = run(true, x, w1);
    const std::string what = weights_constant ? "constant weights" : "fed weights";
    ExpectClose(reference[0], fast[0], 1e-5, 1e-4, what + ", first run");
    ExpectClose(reference[1], fast[1], 1e-5, 1e-4, what + ", second run");
  }
}

}  // namespace
}  // namespace convcheck::interp
