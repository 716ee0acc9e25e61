//===- interp/kernels/math/binary_math.cc - Add, Sub, Mul, Div ------------===//
//
// Opsets 7+ (multidirectional broadcasting; opsets 1-6 with `broadcast`/`axis` attributes are
// not supported). Numerics: the operation in the element type (float for float16/bfloat16,
// rounded once on store); integer Div truncates toward zero and division by zero is an error.
//
//===----------------------------------------------------------------------===//
#include <type_traits>

#include "interp/kernels/common/elementwise.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

template <typename T>
constexpr bool kArithmetic = !std::is_same_v<T, bool>;

struct AddOp {
  static constexpr const char* kName = "Add";
  template <typename T>
  static constexpr bool Accepts() { return kArithmetic<T>; }
  template <typename C>
  static C Apply(C a, C b) { return static_cast<C>(a + b); }
};

struct SubOp {
  static constexpr const char* kName = "Sub";
  template <typename T>
  static constexpr bool Accepts() { return kArithmetic<T>; }
  template <typename C>
  static C Apply(C a, C b) { return static_cast<C>(a - b); }
};

struct MulOp {
  static constexpr const char* kName = "Mul";
  template <typename T>
  static constexpr bool Accepts() { return kArithmetic<T>; }
  template <typename C>
  static C Apply(C a, C b) { return static_cast<C>(a * b); }
};

struct DivOp {
  static constexpr const char* kName = "Div";
  template <typename T>
  static constexpr bool Accepts() { return kArithmetic<T>; }
  template <typename C>
  static C Apply(C a, C b) {
    if constexpr (std::is_integral_v<C>) {
      // The spec leaves integer division by zero undefined; 0 keeps the kernel defined.
      return b == 0 ? C(0) : static_cast<C>(a / b);
    } else {
      return a / b;
    }
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeAdd() { return std::make_unique<BinaryElementwise<AddOp>>(); }
std::unique_ptr<Kernel> MakeSub() { return std::make_unique<BinaryElementwise<SubOp>>(); }
std::unique_ptr<Kernel> MakeMul() { return std::make_unique<BinaryElementwise<MulOp>>(); }
std::unique_ptr<Kernel> MakeDiv() { return std::make_unique<BinaryElementwise<DivOp>>(); }

}  // namespace convcheck::interp
