#include "core/float16.h"

#include <bit>
#include <cmath>

namespace convcheck {
namespace {

// Rounds `value >> shift` to nearest, ties to even. shift is in [1, 31].
uint32_t ShiftRightRoundEven(uint32_t value, int shift) {
  uint32_t result = value >> shift;
  uint32_t remainder = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (remainder > half || (remainder == half && (result & 1u))) ++result;
  return result;
}

// Narrows to float rounding to odd: if the value is not exact, keep the truncated float with its
// lowest bit forced to 1. That bit records "something was dropped", so a later rounding to 11
// or 8 bits (float has 24) sees no false ties and gives the same result as rounding once.
float DoubleToFloatRoundToOdd(double value) {
  float narrow = static_cast<float>(value);
  if (std::isnan(value) || std::isinf(narrow) || static_cast<double>(narrow) == value) {
    return narrow;
  }
  uint32_t bits = std::bit_cast<uint32_t>(narrow);
  // Nearest rounding went away from zero: step the magnitude back to get the truncation.
  if (std::fabs(static_cast<double>(narrow)) > std::fabs(value)) --bits;
  return std::bit_cast<float>(bits | 1u);
}

}  // namespace

uint16_t FloatToHalfBits(float value) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
  const uint32_t magnitude = f & 0x7fffffffu;

  if (magnitude >= 0x7f800000u) {  // Inf or NaN.
    if (magnitude == 0x7f800000u) return sign | 0x7c00u;
    // Keep the top payload bits but force the quiet bit, so a NaN whose payload lives only in
    // the low bits does not turn into inf.
    return sign | 0x7e00u | static_cast<uint16_t>((magnitude >> 13) & 0x3ffu);
  }
  // Below 2^-14 the half result is subnormal: count units of 2^-24. A float exponent field
  // under 102 means the value is below 2^-25, half a unit, so it rounds to zero.
  if (magnitude < 0x38800000u) {
    const int exponent = static_cast<int>(magnitude >> 23);
    if (exponent < 102) return sign;
    const uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    // Rounding may carry into 0x400, which is exactly the smallest normal half: still correct.
    return sign | static_cast<uint16_t>(ShiftRightRoundEven(mantissa, 126 - exponent));
  }
  // Normal: rebias the exponent (127 -> 15) and drop 13 mantissa bits. A carry out of the
  // mantissa bumps the exponent, and past 65504 it lands on 0x7c00 (inf), which is what IEEE
  // rounding requires; anything larger than that is clamped to inf.
  if (magnitude >= 0x47800000u) return sign | 0x7c00u;
  return sign | static_cast<uint16_t>(ShiftRightRoundEven(magnitude - 0x38000000u, 13));
}

float HalfBitsToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t f;
  if (exponent == 0x1f) {
    f = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    f = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    f = sign;
  } else {
    // Subnormal half: normalize, since every half subnormal is a normal float.
    int shift = 0;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      ++shift;
    }
    f = sign | static_cast<uint32_t>(113 - shift) << 23 | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(f);
}

uint16_t FloatToBFloat16Bits(float value) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  if ((f & 0x7fffffffu) > 0x7f800000u) {
    // Truncating could clear every payload bit and give inf; set the quiet bit instead.
    return static_cast<uint16_t>((f >> 16) | 0x40u);
  }
  // Adding 0x7fff plus the lowest kept bit rounds to nearest even; a carry into the exponent is
  // the correct rounding, up to and including overflow to inf.
  const uint32_t rounded = f + 0x7fffu + ((f >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

float BFloat16BitsToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

uint16_t DoubleToHalfBits(double value) { return FloatToHalfBits(DoubleToFloatRoundToOdd(value)); }

uint16_t DoubleToBFloat16Bits(double value) {
  return FloatToBFloat16Bits(DoubleToFloatRoundToOdd(value));
}

}  // namespace convcheck
