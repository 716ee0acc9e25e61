#include "core/float16.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace convcheck {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(Float16Test, KnownBitPatterns) {
  // Bit patterns from numpy: np.float16(x).view(np.uint16).
  EXPECT_EQ(FloatToHalfBits(1.0f), 0x3C00);
  EXPECT_EQ(FloatToHalfBits(-2.0f), 0xC000);
  EXPECT_EQ(FloatToHalfBits(0.5f), 0x3800);
  EXPECT_EQ(FloatToHalfBits(65504.0f), 0x7BFF);
  EXPECT_EQ(FloatToHalfBits(0.0f), 0x0000);
  EXPECT_EQ(FloatToHalfBits(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalfBits(kInf), 0x7C00);
  EXPECT_EQ(FloatToHalfBits(-kInf), 0xFC00);
  EXPECT_EQ(FloatToHalfBits(0.1f), 0x2E66);
}

TEST(Float16Test, OverflowToInfinity) {
  EXPECT_EQ(FloatToHalfBits(65519.0f), 0x7BFF);  // Below the halfway point to 65536.
  EXPECT_EQ(FloatToHalfBits(65520.0f), 0x7C00);  // Halfway, and 0x7BFF is odd: rounds up to inf.
  EXPECT_EQ(FloatToHalfBits(1e10f), 0x7C00);
  EXPECT_EQ(FloatToHalfBits(-1e10f), 0xFC00);
}

TEST(Float16Test, NanStaysNan) {
  uint16_t bits = FloatToHalfBits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(bits & 0x7C00, 0x7C00);
  EXPECT_NE(bits & 0x03FF, 0);
  // A NaN whose payload sits only in bits that are dropped must not become inf.
  float low_payload_nan = std::bit_cast<float>(0x7F800001u);
  ASSERT_TRUE(std::isnan(low_payload_nan));
  EXPECT_NE(FloatToHalfBits(low_payload_nan) & 0x03FF, 0);
  EXPECT_TRUE(std::isnan(HalfBitsToFloat(0x7E00)));
  EXPECT_TRUE(std::isnan(HalfBitsToFloat(0xFC01)));
}

TEST(Float16Test, Subnormals) {
  const float smallest = std::ldexp(1.0f, -24);  // 0x0001
  EXPECT_EQ(FloatToHalfBits(smallest), 0x0001);
  EXPECT_EQ(HalfBitsToFloat(0x0001), smallest);
  EXPECT_EQ(HalfBitsToFloat(0x03FF), std::ldexp(1023.0f, -24));  // Largest subnormal.
  EXPECT_EQ(FloatToHalfBits(std::ldexp(1023.0f, -24)), 0x03FF);
  EXPECT_EQ(HalfBitsToFloat(0x0400), std::ldexp(1.0f, -14));  // Smallest normal.
  EXPECT_EQ(FloatToHalfBits(std::ldexp(3.0f, -26)), 0x0001);  // 0.75 units rounds up.
  EXPECT_EQ(FloatToHalfBits(std::ldexp(1.0f, -25)), 0x0000);  // Exactly half a unit: to even 0.
  EXPECT_EQ(FloatToHalfBits(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units: to even 2.
  EXPECT_EQ(FloatToHalfBits(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(FloatToHalfBits(-std::ldexp(1.0f, -30)), 0x8000);
  // Rounding up from the largest subnormal carries into the smallest normal.
  EXPECT_EQ(FloatToHalfBits(std::ldexp(1023.75f, -24)), 0x0400);
}

TEST(Float16Test, RoundsToNearestEven) {
  // Halves have 10 mantissa bits: between 1 and 2 the spacing is 2^-10.
  const float ulp = std::ldexp(1.0f, -10);
  EXPECT_EQ(FloatToHalfBits(1.0f + ulp / 2), 0x3C00);             // Tie, 0x3C00 is even.
  EXPECT_EQ(FloatToHalfBits(1.0f + 3 * ulp / 2), 0x3C02);         // Tie, 0x3C01 is odd: up.
  EXPECT_EQ(FloatToHalfBits(1.0f + ulp / 2 + ulp / 64), 0x3C01);  // Just above the tie.
  EXPECT_EQ(FloatToHalfBits(2049.0f), 0x6800);                    // 2048 (even) not 2050.
  EXPECT_EQ(FloatToHalfBits(2051.0f), 0x6802);                    // 2052 (even) not 2050.
}

TEST(Float16Test, DecodeEveryFiniteHalfRoundTrips) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const uint16_t half = static_cast<uint16_t>(bits);
    const float value = HalfBitsToFloat(half);
    if (std::isnan(value)) {
      EXPECT_EQ(half & 0x7C00, 0x7C00);
      continue;
    }
    ASSERT_EQ(FloatToHalfBits(value), half) << "bits 0x" << std::hex << bits;
  }
}

TEST(Float16Test, DoubleRoundsOnce) {
  // 1 + 2^-11 + 2^-40: just above the tie between 1 and 1 + 2^-10. Rounding to float first
  // drops the 2^-40 and creates an exact tie, which would then go to even (1.0).
  const double above_tie = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(FloatToHalfBits(static_cast<float>(above_tie)), 0x3C00);
  EXPECT_EQ(DoubleToHalfBits(above_tie), 0x3C01);
  const double below_tie = 1.0 + std::ldexp(1.0, -11) - std::ldexp(1.0, -40);
  EXPECT_EQ(DoubleToHalfBits(below_tie), 0x3C00);
  EXPECT_EQ(DoubleToHalfBits(-above_tie), 0xBC01);
  EXPECT_EQ(DoubleToHalfBits(1.0 + std::ldexp(1.0, -11)), 0x3C00);  // A real tie: to even.
  EXPECT_EQ(DoubleToHalfBits(1e300), 0x7C00);
  EXPECT_EQ(DoubleToHalfBits(1e-300), 0x0000);
  EXPECT_EQ(DoubleToHalfBits(-1e-300), 0x8000);
  EXPECT_EQ(DoubleToHalfBits(std::ldexp(1.0, -24)), 0x0001);
  EXPECT_TRUE(std::isnan(HalfBitsToFloat(DoubleToHalfBits(std::nan("")))));

  const double bf_above_tie = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40);
  EXPECT_EQ(FloatToBFloat16Bits(static_cast<float>(bf_above_tie)), 0x3F80);
  EXPECT_EQ(DoubleToBFloat16Bits(bf_above_tie), 0x3F81);
  EXPECT_EQ(DoubleToBFloat16Bits(1e300), 0x7F80);
  // Just above FLT_MAX, yet nearer FLT_MAX than inf as a float; as bfloat16 it is inf.
  EXPECT_EQ(DoubleToBFloat16Bits(3.4028235e38), 0x7F80);
}

TEST(BFloat16Test, KnownBitPatterns) {
  // np.array(x, np.float32).view(np.uint32) >> 16, with round-to-nearest-even where needed.
  EXPECT_EQ(FloatToBFloat16Bits(1.0f), 0x3F80);
  EXPECT_EQ(FloatToBFloat16Bits(-2.0f), 0xC000);
  EXPECT_EQ(FloatToBFloat16Bits(kInf), 0x7F80);
  EXPECT_EQ(FloatToBFloat16Bits(3.140625f), 0x4049);
  EXPECT_EQ(BFloat16BitsToFloat(0x3F80), 1.0f);
  EXPECT_EQ(BFloat16BitsToFloat(0x4049), 3.140625f);
  EXPECT_EQ(BFloat16BitsToFloat(0xFF80), -kInf);
}

TEST(BFloat16Test, RoundsToNearestEven) {
  EXPECT_EQ(FloatToBFloat16Bits(std::bit_cast<float>(0x3F808000u)), 0x3F80);  // Tie, even.
  EXPECT_EQ(FloatToBFloat16Bits(std::bit_cast<float>(0x3F818000u)), 0x3F82);  // Tie, odd: up.
  EXPECT_EQ(FloatToBFloat16Bits(std::bit_cast<float>(0x3F808001u)), 0x3F81);  // Above the tie.
  EXPECT_EQ(FloatToBFloat16Bits(std::bit_cast<float>(0x3F807FFFu)), 0x3F80);  // Below the tie.
  // The largest float rounds past the largest bfloat16 to inf.
  EXPECT_EQ(FloatToBFloat16Bits(std::numeric_limits<float>::max()), 0x7F80);
}

TEST(BFloat16Test, NanStaysNan) {
  // Payload only in the low 16 bits: plain truncation would give 0x7F80, which is inf.
  const float low_payload_nan = std::bit_cast<float>(0x7F800001u);
  const uint16_t bits = FloatToBFloat16Bits(low_payload_nan);
  EXPECT_TRUE(std::isnan(BFloat16BitsToFloat(bits)));
  EXPECT_TRUE(std::isnan(BFloat16BitsToFloat(FloatToBFloat16Bits(-std::nanf("")))));
  EXPECT_TRUE(std::signbit(BFloat16BitsToFloat(FloatToBFloat16Bits(-std::nanf("")))));
}

}  // namespace
}  // namespace convcheck
