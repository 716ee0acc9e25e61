#include "core/small_float.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace convcheck {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The layout of one float8/float4 format.
struct Format {
  int exponent_bits;
  int mantissa_bits;
  int bias;
  bool fnuz;     // NaN is the code 0x80 (the would-be -0); no -0, no inf.
  bool has_inf;  // IEEE-like: all-ones exponent with zero mantissa is inf, others NaN (E5M2).
  uint8_t nan;   // The code a NaN encodes to.
};

const Format* FormatOf(DataType dtype) {
  static constexpr Format kE4M3FN{4, 3, 7, false, false, 0x7F};
  static constexpr Format kE4M3FNUZ{4, 3, 8, true, false, 0x80};
  static constexpr Format kE5M2{5, 2, 15, false, true, 0x7E};
  static constexpr Format kE5M2FNUZ{5, 2, 16, true, false, 0x80};
  // ml_dtypes turns NaN into -0 for E2M1, which has no NaN; onnx's test data follows it.
  static constexpr Format kE2M1{2, 1, 1, false, false, 0x08};
  switch (dtype) {
    case DataType::kFloat8E4M3FN:
      return &kE4M3FN;
    case DataType::kFloat8E4M3FNUZ:
      return &kE4M3FNUZ;
    case DataType::kFloat8E5M2:
      return &kE5M2;
    case DataType::kFloat8E5M2FNUZ:
      return &kE5M2FNUZ;
    case DataType::kFloat4E2M1:
      return &kE2M1;
    default:
      return nullptr;
  }
}

int TotalBits(const Format& f) { return 1 + f.exponent_bits + f.mantissa_bits; }

double Decode(const Format& f, uint8_t code) {
  const int bits = TotalBits(f);
  const uint8_t sign_bit = static_cast<uint8_t>(1u << (bits - 1));
  code &= static_cast<uint8_t>((1u << bits) - 1);
  if (f.fnuz && code == sign_bit) return kNaN;
  const bool negative = (code & sign_bit) != 0;
  const int exponent = (code >> f.mantissa_bits) & ((1 << f.exponent_bits) - 1);
  const int mantissa = code & ((1 << f.mantissa_bits) - 1);
  const int max_exponent = (1 << f.exponent_bits) - 1;
  if (f.has_inf && exponent == max_exponent) {
    if (mantissa != 0) return kNaN;
    return negative ? -INFINITY : INFINITY;
  }
  // E4M3FN: only the all-ones code is NaN (the rest of the top binade is finite).
  if (!f.fnuz && !f.has_inf && f.exponent_bits == 4 && exponent == max_exponent &&
      mantissa == (1 << f.mantissa_bits) - 1) {
    return kNaN;
  }
  const double scale = std::ldexp(1.0, -f.mantissa_bits);
  const double magnitude = exponent == 0
                               ? mantissa * scale * std::ldexp(1.0, 1 - f.bias)
                               : (1.0 + mantissa * scale) * std::ldexp(1.0, exponent - f.bias);
  return negative ? -magnitude : magnitude;
}

// The finite non-negative codes of a format sorted by value (the codes increase with the value).
struct PositiveCodes {
  std::vector<double> values;
  std::vector<uint8_t> codes;
};

PositiveCodes BuildPositiveCodes(DataType dtype) {
  const Format& f = *FormatOf(dtype);
  PositiveCodes t;
  const int count = 1 << (TotalBits(f) - 1);
  for (int code = 0; code < count; ++code) {
    const double v = Decode(f, static_cast<uint8_t>(code));
    if (std::isfinite(v)) {
      t.values.push_back(v);
      t.codes.push_back(static_cast<uint8_t>(code));
    }
  }
  return t;
}

// Built once, thread-safely (a function-local static), for the five formats.
const PositiveCodes& PositiveCodesOf(DataType dtype) {
  static const std::array<PositiveCodes, 5> kTables = {
      BuildPositiveCodes(DataType::kFloat8E4M3FN), BuildPositiveCodes(DataType::kFloat8E4M3FNUZ),
      BuildPositiveCodes(DataType::kFloat8E5M2), BuildPositiveCodes(DataType::kFloat8E5M2FNUZ),
      BuildPositiveCodes(DataType::kFloat4E2M1)};
  switch (dtype) {
    case DataType::kFloat8E4M3FN:
      return kTables[0];
    case DataType::kFloat8E4M3FNUZ:
      return kTables[1];
    case DataType::kFloat8E5M2:
      return kTables[2];
    case DataType::kFloat8E5M2FNUZ:
      return kTables[3];
    default:
      return kTables[4];
  }
}

uint8_t EncodeFloat(DataType dtype, double value, bool saturate) {
  const Format& f = *FormatOf(dtype);
  const uint8_t sign_bit = static_cast<uint8_t>(1u << (TotalBits(f) - 1));
  if (std::isnan(value)) return f.nan;
  const bool negative = std::signbit(value);
  const double magnitude = std::fabs(value);
  const PositiveCodes& t = PositiveCodesOf(dtype);
  const double max = t.values.back();
  const bool always_saturate = dtype == DataType::kFloat4E2M1;
  auto overflow = [&]() -> uint8_t {
    if (saturate || always_saturate) {
      return static_cast<uint8_t>(t.codes.back() | (negative ? sign_bit : 0));
    }
    if (f.has_inf) {
      const uint8_t inf = static_cast<uint8_t>(((1 << f.exponent_bits) - 1) << f.mantissa_bits);
      return static_cast<uint8_t>(inf | (negative ? sign_bit : 0));
    }
    return f.fnuz ? f.nan : static_cast<uint8_t>(f.nan | (negative ? sign_bit : 0));
  };
  if (std::isinf(magnitude)) return overflow();
  uint8_t code;
  if (magnitude >= max) {
    // The next value the format would have is max + ulp; a tie goes to the even code.
    const double ulp = max - t.values[t.values.size() - 2];
    const double half = max + ulp / 2;
    if (magnitude < half || (magnitude == half && (t.codes.back() & 1) == 0)) {
      code = t.codes.back();
    } else {
      return overflow();
    }
  } else {
    const size_t hi = std::upper_bound(t.values.begin(), t.values.end(), magnitude) -
                      t.values.begin();  // values[hi - 1] <= magnitude < values[hi].
    const size_t lo = hi - 1;
    const double below = magnitude - t.values[lo], above = t.values[hi] - magnitude;
    if (below < above || (below == above && (t.codes[lo] & 1) == 0)) {
      code = t.codes[lo];
    } else {
      code = t.codes[hi];
    }
  }
  if (negative && !(f.fnuz && code == 0)) code |= sign_bit;
  return code;
}

uint8_t EncodeE8M0(double value, bool saturate, E8M0Round round) {
  constexpr uint8_t kNaNCode = 0xFF, kMaxCode = 0xFE, kMinCode = 0x00;
  if (std::isnan(value) || value < 0) return kNaNCode;
  if (value == 0) return saturate ? kMinCode : kNaNCode;
  if (std::isinf(value)) return saturate ? kMaxCode : kNaNCode;
  int k = 0;
  const double fraction = std::frexp(value, &k);  // value = fraction * 2^k, fraction in [0.5, 1).
  int power = k - 1;                              // 2^power <= value < 2^(power + 1).
  if (fraction != 0.5) {
    switch (round) {
      case E8M0Round::kUp:
        ++power;
        break;
      case E8M0Round::kDown:
        break;
      case E8M0Round::kNearest:
        if (fraction >= 0.75) ++power;  // value >= 1.5 * 2^power: ties go up.
        break;
    }
  }
  if (power < -127) return saturate ? kMinCode : kNaNCode;
  if (power > 127) return saturate ? kMaxCode : kNaNCode;
  return static_cast<uint8_t>(power + 127);
}

struct IntRange {
  int lo, hi;
};

IntRange RangeOf(DataType dtype) {
  switch (dtype) {
    case DataType::kInt4:
      return {-8, 7};
    case DataType::kUint4:
      return {0, 15};
    case DataType::kInt2:
      return {-2, 1};
    default:  // kUint2
      return {0, 3};
  }
}

}  // namespace

bool IsSmallType(DataType dtype) { return SmallTypeBits(dtype) != 0; }

int SmallTypeBits(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat8E4M3FN:
    case DataType::kFloat8E4M3FNUZ:
    case DataType::kFloat8E5M2:
    case DataType::kFloat8E5M2FNUZ:
    case DataType::kFloat8E8M0:
      return 8;
    case DataType::kFloat4E2M1:
    case DataType::kInt4:
    case DataType::kUint4:
      return 4;
    case DataType::kInt2:
    case DataType::kUint2:
      return 2;
    default:
      return 0;
  }
}

double SmallTypeToDouble(DataType dtype, uint8_t code) {
  if (const Format* f = FormatOf(dtype)) return Decode(*f, code);
  switch (dtype) {
    case DataType::kFloat8E8M0:
      return code == 0xFF ? kNaN : std::ldexp(1.0, static_cast<int>(code) - 127);
    case DataType::kInt4:
    case DataType::kInt2:
      return static_cast<int8_t>(code);
    default:
      return code;
  }
}

uint8_t DoubleToSmallType(DataType dtype, double value, bool saturate, E8M0Round round) {
  if (FormatOf(dtype)) return EncodeFloat(dtype, value, saturate);
  if (dtype == DataType::kFloat8E8M0) return EncodeE8M0(value, saturate, round);
  const IntRange range = RangeOf(dtype);
  if (std::isnan(value)) return 0;
  const double truncated = std::trunc(value);
  if (truncated < range.lo || truncated > range.hi) return 0;
  return static_cast<uint8_t>(static_cast<int8_t>(truncated));
}

}  // namespace convcheck
