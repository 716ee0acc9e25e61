// The narrow types' codes: exact decoding, round-to-nearest-even encoding, saturation.

#include "core/small_float.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace convcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(SmallFloatTest, DecodesKnownCodes) {
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat8E4M3FN, 0x7E), 448);
  EXPECT_TRUE(std::isnan(SmallTypeToDouble(DataType::kFloat8E4M3FN, 0x7F)));
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat8E4M3FN, 0x01), std::ldexp(1.0, -9));  // Subnormal.
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat8E5M2, 0x7B), 57344);
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat8E5M2, 0x7C), kInf);
  EXPECT_TRUE(std::isnan(SmallTypeToDouble(DataType::kFloat8E4M3FNUZ, 0x80)));
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat8E4M3FNUZ, 0x7F), 240);
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat8E5M2FNUZ, 0x7F), 57344);
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat4E2M1, 0x7), 6);
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat4E2M1, 0xF), -6);
  EXPECT_EQ(SmallTypeToDouble(DataType::kFloat8E8M0, 127), 1);
  EXPECT_EQ(SmallTypeToDouble(DataType::kInt4, 0xF8), -8);  // Stored sign-extended.
}

TEST(SmallFloatTest, RoundsToNearestEven) {
  // E4M3FN near 1: spacing 1/8. 1.0625 is a tie between 1 (even code 0x38) and 1.125 (0x39).
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E4M3FN, 1.0625), 0x38);
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E4M3FN, 1.07), 0x39);
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E4M3FN, -1.0), 0xB8);
  // E2M1: 2.5 ties between 2 (0x4) and 3 (0x5).
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat4E2M1, 2.5), 0x4);
}

TEST(SmallFloatTest, SaturationFollowsTheSpecTables) {
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E4M3FN, kInf), 0x7E);
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E4M3FN, kInf, false), 0x7F);
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E5M2, 1e6, false), 0x7C);       // inf
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E5M2FNUZ, -1e6, false), 0x80);  // NaN
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E4M3FNUZ, -0.0), 0x00);         // No -0.
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat4E2M1, 100.0, false), 0x7);      // Always saturates.
}

TEST(SmallFloatTest, E8M0AndIntegers) {
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E8M0, 1.1), 128);  // Up: 2.
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E8M0, 1.1, true, E8M0Round::kDown), 127);
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E8M0, 1.5, true, E8M0Round::kNearest), 128);
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E8M0, 0.0, false), 0xFF);
  EXPECT_EQ(DoubleToSmallType(DataType::kFloat8E8M0, 0.0, true), 0x00);
  EXPECT_EQ(static_cast<int8_t>(DoubleToSmallType(DataType::kInt4, -7.9)), -7);
  EXPECT_EQ(DoubleToSmallType(DataType::kUint2, 4.0), 0);  // Out of range: 0.
  EXPECT_EQ(SmallTypeBits(DataType::kInt2), 2);
  EXPECT_FALSE(IsSmallType(DataType::kFloat16));
}

}  // namespace
}  // namespace convcheck
