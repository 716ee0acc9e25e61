#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "testing/kernel_tester.h"

namespace convcheck::interp {
namespace {

using ::convcheck::testing::KernelTester;

// Expected values come from numpy loops written straight from the spec's equations, e.g. for
// RNN: h = np.tanh(X[t] @ W.T + h @ R.T + Wb + Rb) for t in range(seq); GRU and LSTM likewise
// with sig = lambda v: 1 / (1 + np.exp(-v)) and the gate slices in spec order (z r h; i o f c).

// X: seq 3, batch 1, input 2.
const std::vector<double> kX = {1, 2, 3, 4, -1, 0.5};
const std::vector<double> kRnnW = {0.1, 0.2, 0.3, -0.1};
const std::vector<double> kRnnR = {0.2, -0.3, 0.4, 0.1};
const std::vector<double> kRnnB = {0.1, -0.2, 0.05, 0.05};
const std::vector<double> kRnnForward = {0.5716699660851172, -0.04995837495788,
                                         0.8807992454609098, 0.5180510157193432,
                                         0.1691043899762839, -0.09558251301534543};
const std::vector<double> kRnnReverse = {0.6190152772998978, 0.32794364349376287,
                                         0.8892672096158348, 0.34815461729849806,
                                         0.14888503362331798, -0.46211715726000974};

// np.linspace(from, to, n)
std::vector<double> Linspace(double from, double to, int n) {
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = from + (to - from) * i / (n - 1);
  return v;
}

TEST(RnnTest, ForwardWithBias) {
  KernelTester("RNN", /*opset=*/7)
      .Attr("hidden_size", int64_t{2})
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({1, 2, 2}, kRnnW)
      .Input<double>({1, 2, 2}, kRnnR)
      .Input<double>({1, 4}, kRnnB)
      .ExpectOutput<double>({3, 1, 1, 2}, kRnnForward)
      .ExpectOutput<double>({1, 1, 2}, {kRnnForward[4], kRnnForward[5]})
      .Run();
}

TEST(RnnTest, BidirectionalRunsTheSecondDirectionBackwards) {
  std::vector<double> w = kRnnW, r = kRnnR, b = kRnnB;
  w.insert(w.end(), kRnnW.begin(), kRnnW.end());
  r.insert(r.end(), kRnnR.begin(), kRnnR.end());
  b.insert(b.end(), kRnnB.begin(), kRnnB.end());
  std::vector<double> y;
  for (int t = 0; t < 3; ++t) {
    y.insert(y.end(), kRnnForward.begin() + 2 * t, kRnnForward.begin() + 2 * t + 2);
    y.insert(y.end(), kRnnReverse.begin() + 2 * t, kRnnReverse.begin() + 2 * t + 2);
  }
  KernelTester("RNN", /*opset=*/7)
      .Attr("hidden_size", int64_t{2})
      .Attr("direction", "bidirectional")
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({2, 2, 2}, w)
      .Input<double>({2, 2, 2}, r)
      .Input<double>({2, 4}, b)
      .ExpectOutput<double>({3, 2, 1, 2}, y)
      .ExpectOutput<double>({2, 1, 2},
                            {kRnnForward[4], kRnnForward[5], kRnnReverse[0], kRnnReverse[1]})
      .Run();
}

TEST(RnnTest, SequenceLensStopEarlyAndZeroTheRest) {
  // Batch entry 1 repeats entry 0's inputs but stops after 2 steps.
  const std::vector<double> x = {1, 2, 1, 2, 3, 4, 3, 4, -1, 0.5, -1, 0.5};
  const auto& f = kRnnForward;
  KernelTester("RNN", /*opset=*/7)
      .Input<double>({3, 2, 2}, x)
      .Input<double>({1, 2, 2}, kRnnW)
      .Input<double>({1, 2, 2}, kRnnR)
      .Input<double>({1, 4}, kRnnB)
      .Input<int32_t>({2}, {3, 2})
      .ExpectOutput<double>({3, 1, 2, 2},
                            {f[0], f[1], f[0], f[1], f[2], f[3], f[2], f[3], f[4], f[5], 0, 0})
      .ExpectOutput<double>({1, 2, 2}, {f[4], f[5], f[2], f[3]})
      .Run();
}

TEST(RnnTest, Opset14BatchMajorLayout) {
  KernelTester("RNN", /*opset=*/14)
      .Attr("layout", int64_t{1})
      .Input<double>({1, 3, 2}, kX)
      .Input<double>({1, 2, 2}, kRnnW)
      .Input<double>({1, 2, 2}, kRnnR)
      .Input<double>({1, 4}, kRnnB)
      .ExpectOutput<double>({1, 3, 1, 2}, kRnnForward)
      .ExpectOutput<double>({1, 1, 2}, {kRnnForward[4], kRnnForward[5]})
      .Run();
}

TEST(RnnTest, RejectsWrongWeightShape) {
  KernelTester("RNN", /*opset=*/7)
      .Attr("hidden_size", int64_t{2})
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({1, 2, 1}, {0, 0})
      .Input<double>({1, 2, 2}, kRnnR)
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "W must be float64[1,2,2], got float64[1,2,1]");
}

TEST(RnnTest, RejectsUnknownActivation) {
  KernelTester("RNN", /*opset=*/7)
      .Attr("activations", std::vector<std::string>{"Cube"})
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({1, 2, 2}, kRnnW)
      .Input<double>({1, 2, 2}, kRnnR)
      .IgnoreOutput()
      .ExpectError(StatusCode::kInvalidArgument, "activation 'Cube' is not supported");
}

TEST(GruTest, DefaultAndLinearBeforeReset) {
  const std::vector<double> w = Linspace(-0.5, 0.5, 12), r = Linspace(0.4, -0.4, 12);
  KernelTester("GRU", /*opset=*/7)
      .Attr("hidden_size", int64_t{2})
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({1, 6, 2}, w)
      .Input<double>({1, 6, 2}, r)
      .ExpectOutput<double>({3, 1, 1, 2},
                            {0.550737353346044, 0.6070119364543322, 0.923925274144783,
                             0.9306023555382128, 0.5962836971516411, 0.4386635477417014})
      .IgnoreOutput()
      .Run();
  KernelTester("GRU", /*opset=*/7)
      .Attr("linear_before_reset", int64_t{1})
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({1, 6, 2}, w)
      .Input<double>({1, 6, 2}, r)
      .ExpectOutput<double>({3, 1, 1, 2},
                            {0.550737353346044, 0.6070119364543322, 0.9276841611291562,
                             0.9301859078334291, 0.5938489329882182, 0.44611937343799385})
      .Run();
}

TEST(LstmTest, DefaultsAndPeepholes) {
  const std::vector<double> w = Linspace(-0.5, 0.5, 16), r = Linspace(0.4, -0.4, 16);
  KernelTester("LSTM", /*opset=*/7)
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({1, 8, 2}, w)
      .Input<double>({1, 8, 2}, r)
      .ExpectOutput<double>({3, 1, 1, 2},
                            {0.056548220620250146, 0.11050172045706355, 0.028242109158451066,
                             0.11216920516267213, -0.011697268313726899, 0.004737784761149721})
      .ExpectOutput<double>({1, 1, 2}, {-0.011697268313726899, 0.004737784761149721})
      .ExpectOutput<double>({1, 1, 2}, {-0.021566937893300192, 0.009074179206094962})
      .Run();
  KernelTester("LSTM", /*opset=*/7)
      .Input<double>({3, 1, 2}, kX)
      .Input<double>({1, 8, 2}, w)
      .Input<double>({1, 8, 2}, r)
      .AbsentInput()
      .AbsentInput()
      .AbsentInput()
      .AbsentInput()
      .Input<double>({1, 6}, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6})
      .AbsentOutput()
      .ExpectOutput<double>({1, 1, 2}, {-0.011006074922975884, 0.010834574099060528})
      .ExpectOutput<double>({1, 1, 2}, {-0.020330848730501505, 0.020667414240747223})
      .Run();
}

}  // namespace
}  // namespace convcheck::interp
