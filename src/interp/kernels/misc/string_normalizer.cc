//===- interp/kernels/misc/string_normalizer.cc - StringNormalizer (opset 10+) ===//
//
// Removes stopwords from a [C] or [1, C] string tensor, then changes case (case_change_action
// LOWER, UPPER or NONE). With is_case_sensitive=0 a string is a stopword when it equals one
// ignoring case. When every string is removed the output is a single empty string, shaped [1]
// or [1, 1], as the spec's reference (ONNX Runtime) does.
//
// Case mapping: the spec delegates to the `locale` attribute, i.e. to the platform's locale
// tables, which this machine lacks and which differ across platforms. We apply a fixed,
// locale-independent simple (one-to-one) mapping on UTF-8 code points instead: ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic. Other code points and invalid UTF-8 bytes pass through
// unchanged. The `locale` attribute is accepted and otherwise ignored.
//
//===----------------------------------------------------------------------===//
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

// --- Code point case mapping (simple, locale-independent).

char32_t ToLowerCodePoint(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    // Latin Extended-A pairs upper/lower as (even, odd), except two odd-based runs.
    const bool odd_based = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    if (odd_based) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
  if (c == 0x386) return 0x3AC;  // Greek capitals with tonos sit apart from the main block.
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

char32_t ToUpperCodePoint(char32_t c) {
  if (c >= U'a' && c <= U'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 0x20;
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    const bool odd_based = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    if (odd_based) return (c % 2 == 0) ? c - 1 : c;
    return (c % 2 == 1) ? c - 1 : c;
  }
  if (c == 0x3C2) return 0x3A3;  // Final sigma.
  if (c >= 0x3B1 && c <= 0x3CB) return c - 0x20;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 0x25;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 0x3F;
  if (c >= 0x430 && c <= 0x44F) return c - 0x20;
  if (c >= 0x450 && c <= 0x45F) return c - 0x50;
  return c;
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Maps every well-formed code point through `map`; malformed bytes are copied as they are.
template <typename Map>
std::string MapUtf8(const std::string& s, Map map) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      c = (c << 6) | (b & 0x3F);
    }
    if (!ok) {
      out += s[i];
      ++i;
      continue;
    }
    AppendUtf8(map(c), out);
    i += len;
  }
  return out;
}

std::string Lower(const std::string& s) { return MapUtf8(s, ToLowerCodePoint); }
std::string Upper(const std::string& s) { return MapUtf8(s, ToUpperCodePoint); }

// --- The kernel.

enum class CaseChange { kNone, kLower, kUpper };

class StringNormalizer final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DataType::kString) {
      return InvalidArgument("input must be a string tensor, got " +
                             std::string(DataTypeName(x.dtype())));
    }
    const bool is_1d = x.rank() == 1;
    const bool is_row = x.rank() == 2 && x.shape()[0] == 1;
    if (!is_1d && !is_row) {
      return InvalidArgument("input must have shape [C] or [1, C], got " +
                             ShapeToString(x.shape()));
    }
    const std::string action = ctx.attr_string("case_change_action", "NONE");
    if (action == "NONE") {
      case_change_ = CaseChange::kNone;
    } else if (action == "LOWER") {
      case_change_ = CaseChange::kLower;
    } else if (action == "UPPER") {
      case_change_ = CaseChange::kUpper;
    } else {
      return InvalidArgument("case_change_action is '" + action +
                             "', expected LOWER, UPPER or NONE");
    }
    case_sensitive_ = ctx.attr_int("is_case_sensitive", 0) != 0;
    stopwords_.clear();
    for (const std::string& w : ctx.attr_strings("stopwords")) {
      stopwords_.insert(case_sensitive_ ? w : Lower(w));
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<std::string> kept;
    for (const std::string& s : x.strings()) {
      if (stopwords_.count(case_sensitive_ ? s : Lower(s))) continue;
      switch (case_change_) {
        case CaseChange::kNone: kept.push_back(s); break;
        case CaseChange::kLower: kept.push_back(Lower(s)); break;
        case CaseChange::kUpper: kept.push_back(Upper(s)); break;
      }
    }
    // An all-removed input still yields one (empty) string, as ONNX Runtime does.
    if (kept.empty()) kept.push_back("");
    const int64_t c = static_cast<int64_t>(kept.size());
    Shape shape = x.rank() == 1 ? Shape{c} : Shape{1, c};
    ctx.SetOutputTensor(0, Tensor::FromVector<std::string>(shape, kept));
    return Status::Ok();
  }

 private:
  CaseChange case_change_ = CaseChange::kNone;
  bool case_sensitive_ = false;
  std::unordered_set<std::string> stopwords_;
};

}  // namespace

std::unique_ptr<Kernel> MakeStringNormalizer() { return std::make_unique<StringNormalizer>(); }

}  // namespace convcheck::interp
