//===- testing/kernel_tester.h - One-node model tests for kernels ---------===//
//
// Builds a model with a single node, runs it through the real executor and registry (so each
// test also covers registration), and checks outputs or the expected error:
//
//   KernelTester("Softmax", /*opset=*/13)
//       .Attr("axis", int64_t{1})
//       .Input<float>({1, 3}, {1, 2, 3})
//       .ExpectOutput<float>({1, 3}, {0.09003057f, 0.24472847f, 0.66524096f})
//       .Run();
//
// Float outputs pass when |actual - expected| <= atol + rtol * |expected| (default 1e-6, 1e-5);
// other dtypes must match exactly. NaN matches NaN.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_TESTING_KERNEL_TESTER_H_
#define CONVCHECK_TESTING_KERNEL_TESTER_H_

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "interp/value.h"

namespace convcheck::testing {

class KernelTester {
 public:
  KernelTester(std::string op_type, int opset, std::string domain = "");

  KernelTester& Attr(const std::string& name, int64_t value);
  KernelTester& Attr(const std::string& name, float value);
  KernelTester& Attr(const std::string& name, const std::string& value);
  KernelTester& Attr(const std::string& name, const char* value) {
    return Attr(name, std::string(value));
  }
  KernelTester& Attr(const std::string& name, const std::vector<int64_t>& values);
  KernelTester& Attr(const std::string& name, const std::vector<float>& values);
  KernelTester& Attr(const std::string& name, const std::vector<std::string>& values);
  KernelTester& Attr(const std::string& name, const Tensor& value);
  KernelTester& Attr(const std::string& name, const onnx::GraphProto& graph);

  template <typename T>
  KernelTester& Input(Shape shape, const std::vector<T>& values) {
    return Input(Tensor::FromVector<T>(std::move(shape), values));
  }
  KernelTester& Input(Tensor tensor);
  KernelTester& Input(interp::Value value);
  /// An omitted optional input (empty name in the node).
  KernelTester& AbsentInput();
  /// Makes the last added input an initializer instead of a graph input.
  KernelTester& AsInitializer();

  template <typename T>
  KernelTester& ExpectOutput(Shape shape, const std::vector<T>& values) {
    return ExpectOutput(Tensor::FromVector<T>(std::move(shape), values));
  }
  KernelTester& ExpectOutput(Tensor tensor);
  KernelTester& ExpectOutput(interp::Value value);
  /// An output the node has but the test does not check.
  KernelTester& IgnoreOutput();
  /// An omitted optional output (empty name in the node).
  KernelTester& AbsentOutput();

  KernelTester& Tolerance(double atol, double rtol);
  KernelTester& Precise(bool precise = true);
  /// InterpreterOptions::fast_kernels (default true, as in the interpreter) and threads.
  KernelTester& FastKernels(bool fast);
  KernelTester& Threads(int threads);

  /// Runs and checks the outputs with gtest assertions.
  void Run();
  /// Runs and expects a failure whose code is `code` and whose message contains `fragment`.
  void ExpectError(StatusCode code, const std::string& fragment);
  /// Runs and returns the outputs (for tests that check properties rather than values).
  StatusOr<std::vector<interp::Value>> Outputs();

 private:
  onnx::ModelProto BuildModel() const;

  std::string op_type_, domain_;
  int opset_;
  onnx::NodeProto node_;
  std::vector<std::optional<interp::Value>> inputs_;  // nullopt: absent.
  std::vector<bool> initializer_;
  struct Expected {
    enum class Kind { kCheck, kIgnore, kAbsent } kind;
    interp::Value value;
  };
  std::vector<Expected> outputs_;
  double atol_ = 1e-6, rtol_ = 1e-5;
  bool precise_ = false;
  bool fast_kernels_ = true;
  int threads_ = 1;
};

/// A graph with the given inputs and outputs (all float tensors of unknown shape unless given),
/// for control-flow tests. `nodes` are added in order.
onnx::GraphProto MakeGraph(const std::string& name, const std::vector<onnx::NodeProto>& nodes,
                           const std::vector<std::pair<std::string, DataType>>& inputs,
                           const std::vector<std::pair<std::string, DataType>>& outputs);
onnx::NodeProto MakeNode(const std::string& op_type, const std::vector<std::string>& inputs,
                         const std::vector<std::string>& outputs);

}  // namespace convcheck::testing

#endif  // CONVCHECK_TESTING_KERNEL_TESTER_H_
