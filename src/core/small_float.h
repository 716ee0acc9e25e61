//===- core/small_float.h - float8, float4 and sub-byte integer codes -----===//
//
// The ONNX types narrower than 16 bits: float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ, E8M0),
// float4 (E2M1) and the 4- and 2-bit integers. A Tensor keeps one element per byte: the float
// types as their code (low bits), the integers as their value (int8/uint8 range). Packing two
// or four elements per byte is only a matter of the file format (onnx/tensor_proto.cc).
//
// Numeric choices (ONNX Cast spec, opset 19-25):
//  - Decoding is exact (every code is a double).
//  - Encoding rounds to nearest, ties to even code, once from double. saturate = true (the
//    default) maps +-inf and values beyond the largest finite value to +-max; saturate = false
//    maps them to inf (E5M2) or NaN (the other float8 types). FNUZ types have no -0: -0 and
//    values rounding to -0 give +0. NaN stays NaN. E2M1 has neither inf nor NaN: it always
//    saturates and NaN gives +0.
//  - E8M0 holds only powers of two 2^-127..2^127 (no sign, no zero): `round` picks up (away
//    from zero, the default), down or nearest (ties up) between the two neighbouring powers;
//    with saturate values beyond the range clamp, without they give NaN (0xFF); 0 gives the
//    smallest code with saturate and NaN without.
//  - The integers: values are truncated toward zero; out of range (undefined in the spec) they
//    give 0, as onnx's reference (ml_dtypes) does.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CORE_SMALL_FLOAT_H_
#define CONVCHECK_CORE_SMALL_FLOAT_H_

#include <cstdint>

#include "core/dtype.h"

namespace convcheck {

enum class E8M0Round { kUp, kDown, kNearest };

/// float8/float4 types and the 4-/2-bit integers.
bool IsSmallType(DataType dtype);
/// Bits per element in files (8, 4 or 2); 0 for other types.
int SmallTypeBits(DataType dtype);

/// The value of `code` (a float8/float4 code, or a 4-/2-bit integer's byte).
double SmallTypeToDouble(DataType dtype, uint8_t code);
/// `value` encoded as `dtype`, by the rules above.
uint8_t DoubleToSmallType(DataType dtype, double value, bool saturate = true,
                          E8M0Round round = E8M0Round::kUp);

}  // namespace convcheck

#endif  // CONVCHECK_CORE_SMALL_FLOAT_H_
