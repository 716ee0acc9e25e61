//===- interp/kernels/reduction/einsum.cc - Einsum -------------------------===//
//
// Einsum (opset 12+): numpy.einsum with an explicit ("ij,jk->ik") or implicit ("ij,jk") output.
// Implicit outputs list the ellipsis dimensions first, then the labels used exactly once,
// in ASCII order (numpy's rule). Ellipses broadcast numpy-style (right-aligned, size 1
// stretches), a label repeated inside one operand takes its diagonal, and labels absent from
// the output are summed over.
//
// This is the generic reference: one odometer over every label (output labels, then summed
// labels), multiplying the operands' elements at each point. It is O(product of all label
// sizes) and makes no attempt at contraction order. Numerics: floats multiply and accumulate in
// double, integers in int64 (uint64 for unsigned), rounded once on store.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

// Labels are ints: letters by their ASCII code, ellipsis dimension d (counted from the right,
// 0-based) as kEllipsisBase + d.
constexpr int kEllipsisBase = 1000;
// "..." in the output term, before it is expanded.
constexpr int kEllipsisMarker = kEllipsisBase - 1;

struct Term {
  std::vector<int> labels;
};

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

class Einsum final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, INT32_MAX, 1, 1));
    for (int i = 0; i < ctx.num_inputs(); ++i) CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
    const DataType dtype = ctx.input(0).dtype();
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      if (ctx.input(i).dtype() != dtype) {
        return InvalidArgument("inputs have different types (" +
                               std::string(DataTypeName(dtype)) + " and " +
                               std::string(DataTypeName(ctx.input(i).dtype())) + ")");
      }
    }
    CC_RETURN_IF_ERROR(Dispatch<CC_NUMERIC_TYPES>(dtype, []<typename T>() {
      return Status::Ok();
    }));
    if (!ctx.has_attr("equation")) return InvalidArgument("attribute equation is missing");
    std::string equation;
    for (char c : ctx.attr_string("equation", "")) {
      if (c != ' ') equation += c;
    }

    // Split "lhs->rhs" and the lhs into terms.
    const size_t arrow = equation.find("->");
    const bool explicit_output = arrow != std::string::npos;
    const std::string lhs = explicit_output ? equation.substr(0, arrow) : equation;
    std::vector<std::string> term_texts;
    size_t start = 0;
    for (size_t pos = 0; pos <= lhs.size(); ++pos) {
      if (pos == lhs.size() || lhs[pos] == ',') {
        term_texts.push_back(lhs.substr(start, pos - start));
        start = pos + 1;
      }
    }
    if (static_cast<int>(term_texts.size()) != ctx.num_inputs()) {
      return InvalidArgument("equation '" + equation + "' has " +
                             std::to_string(term_texts.size()) + " operands but the node has " +
                             std::to_string(ctx.num_inputs()) + " inputs");
    }

    std::map<int, int64_t> sizes;
    int ellipsis_rank = 0;
    inputs_.clear();
    for (size_t t = 0; t < term_texts.size(); ++t) {
      const Shape& shape = ctx.input(static_cast<int>(t)).shape();
      CC_ASSIGN_OR_RETURN(Term term, ParseTerm(term_texts[t], static_cast<int64_t>(shape.size()),
                                               equation));
      for (size_t d = 0; d < term.labels.size(); ++d) {
        const int label = term.labels[d];
        const int64_t dim = shape[d];
        if (label >= kEllipsisBase) {
          ellipsis_rank = std::max(ellipsis_rank, label - kEllipsisBase + 1);
        }
        auto it = sizes.find(label);
        if (it == sizes.end()) {
          sizes[label] = dim;
        } else if (it->second != dim) {
          // Only ellipsis dimensions broadcast, and only from size 1.
          if (label < kEllipsisBase || (dim != 1 && it->second != 1)) {
            return SizeClash(label, it->second, dim);
          }
          if (it->second == 1) it->second = dim;
        }
      }
      inputs_.push_back(std::move(term));
    }

    // The output labels.
    std::vector<int> out_labels;
    if (explicit_output) {
      CC_ASSIGN_OR_RETURN(Term out, ParseTerm(equation.substr(arrow + 2), -1, equation));
      for (int label : out.labels) {
        if (label == kEllipsisMarker) continue;
        if (std::count(out.labels.begin(), out.labels.end(), label) > 1) {
          return InvalidArgument("output label '" + std::string(1, static_cast<char>(label)) +
                                 "' appears more than once in '" + equation + "'");
        }
        if (!sizes.count(label)) {
          return InvalidArgument("output label '" + std::string(1, static_cast<char>(label)) +
                                 "' does not appear in any input of '" + equation + "'");
        }
      }
      // A "..." in the output stands for all ellipsis dimensions.
      for (int label : out.labels) {
        if (label == kEllipsisMarker) {
          for (int d = ellipsis_rank - 1; d >= 0; --d) out_labels.push_back(kEllipsisBase + d);
        } else {
          out_labels.push_back(label);
        }
      }
    } else {
      for (int d = ellipsis_rank - 1; d >= 0; --d) out_labels.push_back(kEllipsisBase + d);
      std::map<int, int> counts;
      for (const Term& term : inputs_) {
        for (int label : term.labels) ++counts[label];
      }
      for (const auto& [label, count] : counts) {
        if (label < kEllipsisBase && count == 1) out_labels.push_back(label);
      }
    }

    // The loop order: output labels, then the summed ones.
    labels_ = out_labels;
    for (const auto& [label, size] : sizes) {
      if (std::find(labels_.begin(), labels_.end(), label) == labels_.end()) {
        labels_.push_back(label);
      }
    }
    dims_.clear();
    for (int label : labels_) dims_.push_back(sizes[label]);
    num_out_labels_ = static_cast<int>(out_labels.size());

    // Per operand, the stride each loop label moves it by (diagonals add up, broadcast
    // dimensions of size 1 do not move).
    strides_.assign(inputs_.size(), std::vector<int64_t>(labels_.size(), 0));
    for (size_t t = 0; t < inputs_.size(); ++t) {
      const Shape& shape = ctx.input(static_cast<int>(t)).shape();
      int64_t stride = 1;
      for (size_t d = shape.size(); d-- > 0;) {
        const size_t l = std::find(labels_.begin(), labels_.end(), inputs_[t].labels[d]) -
                         labels_.begin();
        if (shape[d] != 1) strides_[t][l] += stride;
        stride *= shape[d];
      }
    }
    Shape out_shape(dims_.begin(), dims_.begin() + num_out_labels_);
    ctx.SetOutput(0, dtype, out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    return Dispatch<CC_NUMERIC_TYPES>(ctx.input(0).dtype(), [&]<typename T>() {
      using A = std::conditional_t<kIsFloat<T>, double,
                                   std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
      Tensor& y = ctx.output(0);
      std::vector<const T*> data;
      for (int i = 0; i < ctx.num_inputs(); ++i) data.push_back(ctx.input(i).Data<T>());
      int64_t total = 1;
      for (int64_t d : dims_) total *= d;
      std::vector<A> acc(y.num_elements(), A(0));
      const size_t n_labels = labels_.size();
      // Output strides (row-major over the output labels).
      std::vector<int64_t> out_strides(n_labels, 0);
      int64_t stride = 1;
      for (int l = num_out_labels_ - 1; l >= 0; --l) {
        out_strides[l] = stride;
        stride *= dims_[l];
      }
      std::vector<int64_t> counter(n_labels, 0), offsets(data.size(), 0);
      int64_t out = 0;
      for (int64_t step = 0; step < total; ++step) {
        A product = A(1);
        for (size_t t = 0; t < data.size(); ++t) product *= static_cast<A>(Load(data[t][offsets[t]]));
        acc[out] += product;
        for (size_t l = n_labels; l-- > 0;) {
          out += out_strides[l];
          for (size_t t = 0; t < data.size(); ++t) offsets[t] += strides_[t][l];
          if (++counter[l] < dims_[l]) break;
          out -= out_strides[l] * dims_[l];
          for (size_t t = 0; t < data.size(); ++t) offsets[t] -= strides_[t][l] * dims_[l];
          counter[l] = 0;
        }
      }
      T* out_data = y.MutableData<T>();
      for (int64_t i = 0; i < y.num_elements(); ++i) {
        if constexpr (kIsFloat<T>) {
          out_data[i] = Store<T>(static_cast<ComputeT<T>>(acc[i]));
        } else {
          out_data[i] = static_cast<T>(acc[i]);
        }
      }
      return Status::Ok();
    });
  }

 private:
  static Status SizeClash(int label, int64_t a, int64_t b) {
    const std::string name =
        label >= kEllipsisBase ? "ellipsis dimension" : "label '" + std::string(1, char(label)) + "'";
    return InvalidArgument(name + " has sizes " + std::to_string(a) + " and " + std::to_string(b));
  }

  // Parses one term. With rank >= 0, expands "..." into the ellipsis labels of a rank-`rank`
  // operand; with rank < 0 (the output), "..." becomes the marker kEllipsisBase - 1.
  static StatusOr<Term> ParseTerm(const std::string& text, int64_t rank,
                                  const std::string& equation) {
    Term term;
    int letters = 0;
    bool seen_ellipsis = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (IsLetter(text[i])) {
        ++letters;
      } else if (text.compare(i, 3, "...") == 0 && !seen_ellipsis) {
        seen_ellipsis = true;
        i += 2;
      } else {
        return InvalidArgument("equation '" + equation + "' has an invalid term '" + text + "'");
      }
    }
    const int64_t ellipsis_dims = rank - letters;
    if (rank >= 0 && (ellipsis_dims < 0 || (!seen_ellipsis && ellipsis_dims != 0))) {
      return InvalidArgument("term '" + text + "' of '" + equation + "' does not match rank " +
                             std::to_string(rank));
    }
    for (size_t i = 0; i < text.size(); ++i) {
      if (IsLetter(text[i])) {
        term.labels.push_back(text[i]);
      } else {
        if (rank < 0) {
          term.labels.push_back(kEllipsisMarker);
        } else {
          for (int64_t d = ellipsis_dims - 1; d >= 0; --d) {
            term.labels.push_back(kEllipsisBase + static_cast<int>(d));
          }
        }
        i += 2;
      }
    }
    return term;
  }

  // Set by Prepare.
  std::vector<Term> inputs_;
  std::vector<int> labels_;
  std::vector<int64_t> dims_;
  int num_out_labels_ = 0;
  std::vector<std::vector<int64_t>> strides_;
};

}  // namespace

std::unique_ptr<Kernel> MakeEinsum() { return std::make_unique<Einsum>(); }

}  // namespace convcheck::interp
