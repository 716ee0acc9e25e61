//===- interp/kernels/math/cast.cc - Cast and CastLike ---------------------===//
//
// Cast converts to the type in attribute `to` (opsets 6+; strings from 9, bfloat16 from 13).
// CastLike (15+) converts to the type of its second input. In float64 mode `to` is mapped
// through ComputeType, so float targets become float64. The later versions only add types and
// the attributes that govern them; a type is refused at an opset that does not have it yet:
//   19: float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ) and `saturate` (default 1)
//   21: int4, uint4        23: float4 E2M1        25: int2, uint2
//   24: float8 E8M0 and `round_mode` ("up" default, "down", "nearest")
//
// Numerics:
//  - float to float rounds once, to nearest even (double to float16/bfloat16 directly).
//  - float to integer truncates toward zero; a value inside the int64 range then wraps to the
//    target width (what numpy and C++ on x86 give for narrow types; the spec leaves it
//    undefined); NaN gives 0 and values beyond int64 saturate.
//  - integer to integer wraps (two's complement); anything to bool is `!= 0` (NaN is true).
//  - number to string: integers in decimal, bool as "True"/"False", floats as numpy's str()
//    (which the conformance data stores): the shortest digits that round-trip in the source
//    type, positional for 1e-4 <= |x| < 1e16 with at least one fraction digit ("1.0"), else
//    scientific ("1e-05", "1.5e+20"); NaN, Inf and -Inf are "NaN", "INF" and "-INF" as in the
//    spec's string-to-float table.
//  - to and from the narrow types (core/small_float.h): through double, with `saturate` and
//    `round_mode` applied when encoding.
//  - string to number: "+INF"/"INF"/"-INF"/"NaN" in any case, plain and scientific notation;
//    integers parse exactly, or through double when the string is not an integer ("100.5" to
//    100, as the spec allows). Strings that are not numbers are an error.
//
//===----------------------------------------------------------------------===//
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "core/small_float.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/math/math_util.h"

namespace convcheck::interp {
namespace {

using math::kIsInt;

// ---------------------------------------------------------------------------------------------
// Number to number.

template <typename To>
To FloatToInt(double v) {
  if (std::isnan(v)) return To(0);
  const double t = std::trunc(v);
  if constexpr (std::is_same_v<To, uint64_t>) {
    if (t >= 0 && t < 18446744073709551616.0) return static_cast<uint64_t>(t);
  }
  if (t < -9223372036854775808.0) return std::numeric_limits<To>::min();
  if (t >= 9223372036854775808.0) return std::numeric_limits<To>::max();
  return static_cast<To>(static_cast<int64_t>(t));  // Wraps for narrow targets.
}

template <typename From, typename To>
To ConvertNumber(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    if constexpr (kIsFloat<From>) {
      return Load(v) != 0;  // NaN != 0 is true.
    } else {
      return v != 0;
    }
  } else if constexpr (kIsFloat<To>) {
    if constexpr (std::is_same_v<From, int64_t> || std::is_same_v<From, uint64_t>) {
      // Direct to float avoids rounding twice (through double) for large values.
      if constexpr (std::is_same_v<To, float> || std::is_same_v<To, double>) {
        return static_cast<To>(v);
      } else {
        return math::StoreWide<To>(static_cast<double>(v));
      }
    } else if constexpr (kIsFloat<From>) {
      return math::StoreWide<To>(static_cast<double>(Load(v)));  // Exact widening, one rounding.
    } else {
      return math::StoreWide<To>(static_cast<double>(v));  // bool and narrow ints are exact.
    }
  } else {  // Integer target.
    if constexpr (kIsFloat<From>) {
      return FloatToInt<To>(static_cast<double>(Load(v)));
    } else {
      return static_cast<To>(v);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Number to string.

// Shortest scientific digits ("d.ddde+XX") that round-trip in type T.
template <typename T>
std::string ShortestScientific(T value) {
  char buf[64];
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    auto result = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
    return std::string(buf, result.ptr);
  } else {
    // Half types: the first precision whose correctly rounded decimal reads back to the same
    // bits is the shortest, and at that length it is the closest, as Dragon4's is.
    const double v = static_cast<double>(Load(value));
    for (int precision = 0; precision < 17; ++precision) {
      std::snprintf(buf, sizeof(buf), "%.*e", precision, v);
      if (math::StoreWide<T>(std::strtod(buf, nullptr)).bits == value.bits) break;
    }
    return buf;
  }
}

template <typename T>
std::string FloatToString(T value) {
  const double v = static_cast<double>(Load(value));
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "INF" : "-INF";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  const std::string sci = ShortestScientific(value);
  // Split "-d.ddde-XX" into sign, digits and decimal exponent.
  const size_t e_pos = sci.find('e');
  std::string mantissa = sci.substr(0, e_pos);
  const int exponent = std::atoi(sci.c_str() + e_pos + 1);
  std::string sign;
  if (mantissa[0] == '-') {
    sign = "-";
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const int ndigits = static_cast<int>(digits.size());
    std::string out;
    if (exponent < 0) {
      out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    } else if (exponent + 1 >= ndigits) {
      out = digits + std::string(static_cast<size_t>(exponent + 1 - ndigits), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<size_t>(exponent + 1)) + "." +
            digits.substr(static_cast<size_t>(exponent + 1));
    }
    return sign + out;
  }
  std::string out = digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  const int abs_exp = exponent < 0 ? -exponent : exponent;
  out += exponent < 0 ? "e-" : "e+";
  if (abs_exp < 10) out += "0";
  return sign + out + std::to_string(abs_exp);
}

template <typename T>
std::string NumberToString(T v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "True" : "False";
  } else if constexpr (kIsFloat<T>) {
    return FloatToString(v);
  } else {
    return std::to_string(v);
  }
}

// ---------------------------------------------------------------------------------------------
// String to number.

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Parses a decimal floating literal or INF/NaN; false if `s` is not entirely a number.
template <typename F>
bool ParseFloating(std::string_view s, F& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);  // from_chars takes no leading '+'.
  if (s.empty() || s.front() == '+') return false;
  auto result = std::from_chars(s.data(), s.data() + s.size(), out);
  if (result.ptr != s.data() + s.size()) return false;
  if (result.ec == std::errc::result_out_of_range) {
    // from_chars reports overflow and underflow without a value; strtod/strtof saturate to
    // +-inf or round to 0 / a subnormal, which is the IEEE answer.
    const std::string copy(s);
    if constexpr (std::is_same_v<F, float>) {
      out = std::strtof(copy.c_str(), nullptr);
    } else {
      out = std::strtod(copy.c_str(), nullptr);
    }
  } else if (result.ec != std::errc()) {
    return false;
  }
  return true;
}

template <typename To>
Status StringToNumber(const std::string& text, To& out) {
  const std::string_view s = Trim(text);
  auto fail = [&]() {
    return InvalidArgument("cannot cast string \"" + text + "\" to " +
                           std::string(DataTypeName(DataTypeOf<To>())));
  };
  if constexpr (std::is_same_v<To, float>) {
    float f;
    if (!ParseFloating(s, f)) return fail();
    out = f;
  } else if constexpr (kIsFloat<To>) {
    double d;
    if (!ParseFloating(s, d)) return fail();
    out = math::StoreWide<To>(d);
  } else if constexpr (std::is_same_v<To, bool>) {
    if (EqualsIgnoreCase(s, "true")) {
      out = true;
    } else if (EqualsIgnoreCase(s, "false")) {
      out = false;
    } else {
      double d;
      if (!ParseFloating(s, d)) return fail();
      out = d != 0;
    }
  } else {
    std::string_view digits = s;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    To v{};
    auto result = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (result.ec == std::errc() && result.ptr == digits.data() + digits.size()) {
      out = v;
    } else {
      double d;
      if (!ParseFloating(s, d)) return fail();
      out = FloatToInt<To>(d);
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// The kernels.

struct NarrowOptions {
  bool saturate = true;
  E8M0Round round = E8M0Round::kUp;
};

Status CastTensor(const Tensor& in, Tensor& out, const NarrowOptions& narrow) {
  const int64_t n = in.num_elements();
  if (IsSmallType(in.dtype()) || IsSmallType(out.dtype())) {
    // Every value of a narrow type is a double, and every target is reached from double in one
    // rounding (Tensor::SetFromDouble), so double is the common ground.
    auto* po = static_cast<uint8_t*>(out.mutable_raw_data());
    for (int64_t i = 0; i < n; ++i) {
      const double v = in.GetAsDouble(i);
      if (IsSmallType(out.dtype())) {
        po[i] = DoubleToSmallType(out.dtype(), v, narrow.saturate, narrow.round);
      } else {
        out.SetFromDouble(i, v);
      }
    }
    return Status::Ok();
  }
  if (in.dtype() == DataType::kString) {
    if (out.dtype() == DataType::kString) {
      out.mutable_strings() = in.strings();
      return Status::Ok();
    }
    return Dispatch<CC_ALL_TYPES>(out.dtype(), [&]<typename To>() {
      To* po = out.MutableData<To>();
      for (int64_t i = 0; i < n; ++i) CC_RETURN_IF_ERROR(StringToNumber(in.strings()[i], po[i]));
      return Status::Ok();
    });
  }
  return Dispatch<CC_ALL_TYPES>(in.dtype(), [&]<typename From>() {
    const From* pi = in.Data<From>();
    if (out.dtype() == DataType::kString) {
      auto& so = out.mutable_strings();
      for (int64_t i = 0; i < n; ++i) so[i] = NumberToString(pi[i]);
      return Status::Ok();
    }
    return Dispatch<CC_ALL_TYPES>(out.dtype(), [&]<typename To>() {
      To* po = out.MutableData<To>();
      for (int64_t i = 0; i < n; ++i) po[i] = ConvertNumber<From, To>(pi[i]);
      return Status::Ok();
    });
  });
}

// The first Cast/CastLike opset that has `dtype`; 0 for a type Cast never takes.
int FirstCastOpset(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat8E4M3FN:
    case DataType::kFloat8E4M3FNUZ:
    case DataType::kFloat8E5M2:
    case DataType::kFloat8E5M2FNUZ:
      return 19;
    case DataType::kInt4:
    case DataType::kUint4:
      return 21;
    case DataType::kFloat4E2M1:
      return 23;
    case DataType::kFloat8E8M0:
      return 24;
    case DataType::kInt2:
    case DataType::kUint2:
      return 25;
    case DataType::kBFloat16:
      return 13;
    case DataType::kString:
      return 9;
    default:
      return IsFloatingPoint(dtype) || IsInteger(dtype) || dtype == DataType::kBool ? 6 : 0;
  }
}

// Whether `dtype` is a Cast type at `opset`. CastLike (15+) has every type Cast has.
bool Castable(DataType dtype, int opset) {
  const int first = FirstCastOpset(dtype);
  return first != 0 && first <= opset;
}

class Cast final : public Kernel {
 public:
  // `saturate` (19+) and `round_mode` (24+) are read whenever present; they only matter for
  // narrow targets, which exist only from opset 19 on.
  explicit Cast(bool like) : like_(like) {}

  Status Prepare(KernelContext& ctx) override {
    const char* name = like_ ? "CastLike" : "Cast";
    const int opset = ctx.opset();
    narrow_.saturate = ctx.attr_int("saturate", 1) != 0;
    const std::string round = ctx.attr_string("round_mode", "up");
    if (round == "up") {
      narrow_.round = E8M0Round::kUp;
    } else if (round == "down") {
      narrow_.round = E8M0Round::kDown;
    } else if (round == "nearest") {
      narrow_.round = E8M0Round::kNearest;
    } else {
      return InvalidArgument(std::string(name) + " round_mode is '" + round +
                             "', expected up, down or nearest");
    }
    CC_RETURN_IF_ERROR(ctx.ExpectArity(like_ ? 2 : 1, like_ ? 2 : 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    DataType to;
    if (like_) {
      CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
      to = ctx.input(1).dtype();  // Already float64 in float64 mode.
    } else {
      if (!ctx.has_attr("to")) return InvalidArgument("Cast needs the attribute 'to'");
      const int64_t code = ctx.attr_int("to", 0);
      const std::optional<DataType> declared = DataTypeFromOnnxCode(static_cast<int32_t>(code));
      if (!declared || !Castable(*declared, opset)) {
        return InvalidArgument("Cast 'to' is " + std::to_string(code) +
                               ", which is not a supported target type");
      }
      to = ctx.ComputeType(*declared);
    }
    if (!Castable(x.dtype(), opset)) return math::RejectType(name, x.dtype());
    if (!Castable(to, opset)) return math::RejectType(name, to, "target type");
    ctx.SetOutput(0, to, x.shape());
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    return CastTensor(ctx.input(0), ctx.output(0), narrow_);
  }

 private:
  const bool like_;
  NarrowOptions narrow_;
};

}  // namespace

std::unique_ptr<Kernel> MakeCast() { return std::make_unique<Cast>(/*like=*/false); }
std::unique_ptr<Kernel> MakeCastLike() { return std::make_unique<Cast>(/*like=*/true); }

}  // namespace convcheck::interp
