//===- interp/kernels/common/numeric.h - Dtype dispatch and half types ----===//
//
// Kernels are templates over the element type T. Dispatch<Ts...>(dtype, f) calls
// f.template operator()<T>() for the T matching `dtype`, or returns InvalidArgument naming the
// dtype. float16 and bfloat16 have no arithmetic of their own: Load/Store convert them to and
// from float (ComputeT<T>), so one template serves every floating type.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_COMMON_NUMERIC_H_
#define CONVCHECK_INTERP_KERNELS_COMMON_NUMERIC_H_

#include <cstdint>
#include <string>
#include <type_traits>

#include "core/float16.h"
#include "core/status.h"
#include "core/tensor.h"

namespace convcheck::interp {

template <typename T>
struct ComputeTypeOf {
  using type = T;
};
template <>
struct ComputeTypeOf<Float16> {
  using type = float;
};
template <>
struct ComputeTypeOf<BFloat16> {
  using type = float;
};
/// The type arithmetic on T is done in: T itself, float for the half types.
template <typename T>
using ComputeT = typename ComputeTypeOf<T>::type;

template <typename T>
inline ComputeT<T> Load(T v) {
  if constexpr (std::is_same_v<T, Float16>) {
    return HalfBitsToFloat(v.bits);
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    return BFloat16BitsToFloat(v.bits);
  } else {
    return v;
  }
}

template <typename T>
inline T Store(ComputeT<T> v) {
  if constexpr (std::is_same_v<T, Float16>) {
    return Float16{FloatToHalfBits(v)};
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    return BFloat16{FloatToBFloat16Bits(v)};
  } else {
    return static_cast<T>(v);
  }
}

template <typename T>
inline constexpr bool kIsFloat = std::is_floating_point_v<T> || std::is_same_v<T, Float16> ||
                                 std::is_same_v<T, BFloat16>;

namespace internal {
template <typename F>
Status DispatchImpl(DataType dtype, F&& f) {
  return InvalidArgument("type " + std::string(DataTypeName(dtype)) + " is not supported");
}
template <typename T, typename... Rest, typename F>
Status DispatchImpl(DataType dtype, F&& f) {
  if (dtype == DataTypeOf<T>()) return f.template operator()<T>();
  return DispatchImpl<Rest...>(dtype, std::forward<F>(f));
}
}  // namespace internal

/// Calls `f.template operator()<T>()` (returning Status) for the T of `dtype` among Ts.
template <typename... Ts, typename F>
Status Dispatch(DataType dtype, F&& f) {
  return internal::DispatchImpl<Ts...>(dtype, std::forward<F>(f));
}

// Common type lists, for Dispatch<CC_FLOAT_TYPES>(...).
#define CC_FLOAT_TYPES float, double, ::convcheck::Float16, ::convcheck::BFloat16
#define CC_SIGNED_INT_TYPES int8_t, int16_t, int32_t, int64_t
#define CC_UNSIGNED_INT_TYPES uint8_t, uint16_t, uint32_t, uint64_t
#define CC_INT_TYPES CC_SIGNED_INT_TYPES, CC_UNSIGNED_INT_TYPES
#define CC_NUMERIC_TYPES CC_FLOAT_TYPES, CC_INT_TYPES
#define CC_ALL_TYPES CC_NUMERIC_TYPES, bool

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_KERNELS_COMMON_NUMERIC_H_
