//===- interp/kernels/misc/string_ops.cc - StringConcat, StringSplit, RegexFullMatch ===//
//
// The string ops of opset 20:
//   StringConcat: Y = X + Y elementwise with multidirectional broadcasting.
//   StringSplit: each string split by `delimiter` as Python's str.split does: with a delimiter,
//     empty pieces are kept ("a,,b" gives 3); without (or empty), runs of whitespace separate
//     and leading/trailing whitespace gives no piece ("" gives 0). `maxsplit` bounds the number
//     of splits (the rest stays in the last piece). Y has X's shape plus the largest piece count,
//     padded with ""; Z (int64, X's shape) holds each count.
//   RegexFullMatch: whether the whole string matches `pattern`. The spec names RE2 syntax; we use
//     std::regex (ECMAScript), which agrees with RE2 on the common subset (classes, anchors,
//     repetition, alternation, groups); RE2-only constructs are an error from Prepare.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "interp/kernels/common/broadcast.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

Status RequireStrings(const KernelContext& ctx, int i, const char* op) {
  CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
  if (ctx.input(i).dtype() != DataType::kString) {
    return InvalidArgument(std::string(op) + " input " + std::to_string(i) +
                           " must be a string tensor, got " +
                           std::string(DataTypeName(ctx.input(i).dtype())));
  }
  return Status::Ok();
}

class StringConcat final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 2, 1, 1));
    CC_RETURN_IF_ERROR(RequireStrings(ctx, 0, "StringConcat"));
    CC_RETURN_IF_ERROR(RequireStrings(ctx, 1, "StringConcat"));
    CC_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes({ctx.input(0).shape(), ctx.input(1).shape()}));
    ctx.SetOutput(0, DataType::kString, shape);
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    BroadcastIndex index(y.shape(), {a.shape(), b.shape()});
    for (int64_t i = 0; i < y.num_elements(); ++i) {
      y.mutable_strings()[i] = a.strings()[index[0]] + b.strings()[index[1]];
      index.Next();
    }
    return Status::Ok();
  }
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string> Split(const std::string& s, const std::string& delimiter,
                               int64_t maxsplit) {
  std::vector<std::string> pieces;
  int64_t splits = 0;
  if (delimiter.empty()) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && IsSpace(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && splits == maxsplit) {
        size_t end = s.size();
        while (end > i && IsSpace(s[end - 1])) --end;
        pieces.push_back(s.substr(i, end - i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !IsSpace(s[j])) ++j;
      pieces.push_back(s.substr(i, j - i));
      ++splits;
      i = j;
    }
    return pieces;
  }
  size_t start = 0;
  while (maxsplit < 0 || splits < maxsplit) {
    const size_t at = s.find(delimiter, start);
    if (at == std::string::npos) break;
    pieces.push_back(s.substr(start, at - start));
    start = at + delimiter.size();
    ++splits;
  }
  pieces.push_back(s.substr(start));
  return pieces;
}

class StringSplit final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 2));
    CC_RETURN_IF_ERROR(RequireStrings(ctx, 0, "StringSplit"));
    const Tensor& x = ctx.input(0);
    const std::string delimiter = ctx.attr_string("delimiter", "");
    const int64_t maxsplit = ctx.has_attr("maxsplit") ? ctx.attr_int("maxsplit", -1) : -1;
    pieces_.clear();
    size_t widest = 0;
    for (const std::string& s : x.strings()) {
      pieces_.push_back(Split(s, delimiter, maxsplit));
      widest = std::max(widest, pieces_.back().size());
    }
    Shape y = x.shape();
    y.push_back(static_cast<int64_t>(widest));
    ctx.SetOutput(0, DataType::kString, y);
    if (ctx.has_output(1)) ctx.SetOutput(1, DataType::kInt64, x.shape());
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int64_t width = y.shape().back();
    for (size_t i = 0; i < pieces_.size(); ++i) {
      for (size_t k = 0; k < pieces_[i].size(); ++k) {
        y.mutable_strings()[i * width + k] = pieces_[i][k];
      }
      if (ctx.has_output(1)) {
        ctx.output(1).MutableData<int64_t>()[i] = static_cast<int64_t>(pieces_[i].size());
      }
    }
    return Status::Ok();
  }

 private:
  std::vector<std::vector<std::string>> pieces_;
};

class RegexFullMatch final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(RequireStrings(ctx, 0, "RegexFullMatch"));
    const std::string pattern = ctx.attr_string("pattern", "");
    // No exception escapes our code: the constructor's is turned into a Status here.
    try {
      regex_ = std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      return InvalidArgument("pattern '" + pattern +
                             "' is not a regular expression std::regex accepts");
    }
    ctx.SetOutput(0, DataType::kBool, ctx.input(0).shape());
    return Status::Ok();
  }
  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    bool* out = ctx.output(0).MutableData<bool>();
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      out[i] = std::regex_match(x.strings()[i], regex_);
    }
    return Status::Ok();
  }

 private:
  std::regex regex_;
};

}  // namespace

std::unique_ptr<Kernel> MakeStringConcat() { return std::make_unique<StringConcat>(); }
std::unique_ptr<Kernel> MakeStringSplit() { return std::make_unique<StringSplit>(); }
std::unique_ptr<Kernel> MakeRegexFullMatch() { return std::make_unique<RegexFullMatch>(); }

}  // namespace convcheck::interp
