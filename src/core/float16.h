//===- core/float16.h - IEEE half and bfloat16 bit conversions ------------===//
//
// Half-precision values are stored as their 16 bits (Float16, BFloat16) and converted through
// float, so tensors of these types can be read, compared and written without a compiler or
// hardware half type.
//
// Numeric choices: float -> 16 bits rounds to nearest, ties to even, as IEEE 754 and NumPy's
// astype do. Half: values at or above 65520 become inf, values below 2^-25 become (signed) zero,
// subnormals are produced and decoded exactly. NaN stays NaN in both formats (quiet, sign kept),
// even when the payload would be lost by truncation.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CORE_FLOAT16_H_
#define CONVCHECK_CORE_FLOAT16_H_

#include <cstdint>

namespace convcheck {

/// IEEE 754 binary16, as raw bits.
struct Float16 {
  uint16_t bits;
};

/// bfloat16 (the top half of a float32), as raw bits.
struct BFloat16 {
  uint16_t bits;
};

uint16_t FloatToHalfBits(float value);
float HalfBitsToFloat(uint16_t bits);

uint16_t FloatToBFloat16Bits(float value);
float BFloat16BitsToFloat(uint16_t bits);

/// Rounds a double directly (once) to half / bfloat16. Going through float would round twice
/// and can land on the wrong neighbour when the float rounding creates a tie.
uint16_t DoubleToHalfBits(double value);
uint16_t DoubleToBFloat16Bits(double value);

}  // namespace convcheck

#endif  // CONVCHECK_CORE_FLOAT16_H_
