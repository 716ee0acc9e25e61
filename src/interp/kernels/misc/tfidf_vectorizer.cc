//===- interp/kernels/misc/tfidf_vectorizer.cc - TfIdfVectorizer (opset 9+) ===//
//
// Counts n-grams of a [C] or [N, C] input (string, int32 or int64) against a pool and weights
// the counts. The pool (pool_strings or pool_int64s) lists the 1-grams, then the 2-grams, ...;
// ngram_counts[i] is where the (i+1)-grams start, and the k-th n-gram of the whole pool is
// reported at output column ngram_indexes[k]. The output has max(ngram_indexes) + 1 columns.
//
// An n-gram with skip s takes items j, j+s+1, j+2(s+1), ...; s ranges over [0, max_skip_count]
// and n over [min_gram_length, max_gram_length]. A 1-gram is the same for every skip, so it is
// counted once per position (as the spec's example and ONNX Runtime do).
//
// Modes: TF = count, IDF = weight if count > 0, TFIDF = count * weight; weights default to 1.
// As the spec says, weights[k] belongs to the k-th n-gram of the pool (ONNX Runtime indexes it by
// output column instead; the two agree whenever ngram_indexes is the identity, as in practice).
// Counts are exact integers; the output is float32 (float64 in precise mode).
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernel.h"
#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

enum class Mode { kTf, kIdf, kTfIdf };

class TfIdfVectorizer final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    const Tensor& x = ctx.input(0);
    const DataType t = x.dtype();
    if (t != DataType::kString && t != DataType::kInt32 && t != DataType::kInt64) {
      return InvalidArgument("input must be string, int32 or int64, got " +
                             std::string(DataTypeName(t)));
    }
    if (x.rank() != 1 && x.rank() != 2) {
      return InvalidArgument("input must have shape [C] or [N, C], got " +
                             ShapeToString(x.shape()));
    }
    const std::string mode = ctx.attr_string("mode", "");
    if (mode == "TF") {
      mode_ = Mode::kTf;
    } else if (mode == "IDF") {
      mode_ = Mode::kIdf;
    } else if (mode == "TFIDF") {
      mode_ = Mode::kTfIdf;
    } else {
      return InvalidArgument("mode is '" + mode + "', expected TF, IDF or TFIDF");
    }
    min_n_ = ctx.attr_int("min_gram_length", 0);
    max_n_ = ctx.attr_int("max_gram_length", 0);
    max_skip_ = ctx.attr_int("max_skip_count", 0);
    if (min_n_ < 1 || max_n_ < min_n_) {
      return InvalidArgument("gram lengths [" + std::to_string(min_n_) + ", " +
                             std::to_string(max_n_) + "] are invalid; need 1 <= min <= max");
    }
    if (max_skip_ < 0) {
      return InvalidArgument("max_skip_count is " + std::to_string(max_skip_) +
                             ", must be >= 0");
    }
    const bool has_strings = ctx.has_attr("pool_strings");
    const bool has_ints = ctx.has_attr("pool_int64s");
    if (has_strings == has_ints) {
      return InvalidArgument("exactly one of pool_strings and pool_int64s must be given");
    }
    if (has_strings != (t == DataType::kString)) {
      return InvalidArgument(std::string(has_strings ? "pool_strings" : "pool_int64s") +
                             " does not match the " + std::string(DataTypeName(t)) + " input");
    }
    // Pool items as strings for the string pool, or as decimal text of the integers: one key
    // type serves both pools.
    std::vector<std::string> pool;
    if (has_strings) {
      pool = ctx.attr_strings("pool_strings");
    } else {
      for (int64_t v : ctx.attr_ints("pool_int64s")) pool.push_back(std::to_string(v));
    }
    const std::vector<int64_t> counts = ctx.attr_ints("ngram_counts");
    const std::vector<int64_t> indexes = ctx.attr_ints("ngram_indexes");
    weights_ = ctx.attr_floats("weights");
    pool_.clear();
    int64_t ordinal = 0;
    const int64_t pool_size = static_cast<int64_t>(pool.size());
    for (size_t level = 0; level < counts.size(); ++level) {
      const int64_t n = static_cast<int64_t>(level) + 1;
      const int64_t start = counts[level];
      const int64_t end = level + 1 < counts.size() ? counts[level + 1] : pool_size;
      if (start < 0 || end < start || end > pool_size || (end - start) % n != 0) {
        return InvalidArgument("ngram_counts entry " + std::to_string(level) +
                               " gives pool range [" + std::to_string(start) + ", " +
                               std::to_string(end) + ") which does not hold whole " +
                               std::to_string(n) + "-grams of a pool of " +
                               std::to_string(pool_size));
      }
      for (int64_t p = start; p < end; p += n, ++ordinal) {
        if (ordinal >= static_cast<int64_t>(indexes.size())) {
          return InvalidArgument("ngram_indexes has " + std::to_string(indexes.size()) +
                                 " entries but the pool holds more n-grams");
        }
        std::vector<std::string> gram(pool.begin() + p, pool.begin() + p + n);
        pool_[gram] = ordinal;
      }
    }
    if (ordinal != static_cast<int64_t>(indexes.size())) {
      return InvalidArgument("ngram_indexes has " + std::to_string(indexes.size()) +
                             " entries but the pool holds " + std::to_string(ordinal) +
                             " n-grams");
    }
    num_columns_ = 0;
    for (int64_t idx : indexes) {
      if (idx < 0) return InvalidArgument("ngram_indexes has negative entry " + std::to_string(idx));
      num_columns_ = std::max(num_columns_, idx + 1);
    }
    if (!weights_.empty() && weights_.size() != indexes.size()) {
      return InvalidArgument("weights has " + std::to_string(weights_.size()) +
                             " entries but ngram_indexes has " + std::to_string(indexes.size()));
    }
    columns_ = indexes;
    rows_ = x.rank() == 1 ? 1 : x.shape()[0];
    row_len_ = x.rank() == 1 ? x.shape()[0] : x.shape()[1];
    Shape out_shape = x.rank() == 1 ? Shape{num_columns_} : Shape{rows_, num_columns_};
    ctx.SetOutput(0, ctx.ComputeType(DataType::kFloat32), out_shape);
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<std::string> items(static_cast<size_t>(x.num_elements()));
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      if (x.dtype() == DataType::kString) {
        items[i] = x.strings()[i];
      } else {
        items[i] = std::to_string(static_cast<int64_t>(
            x.dtype() == DataType::kInt32 ? x.Data<int32_t>()[i] : x.Data<int64_t>()[i]));
      }
    }
    Tensor& y = ctx.output(0);
    std::vector<std::string> gram;
    for (int64_t r = 0; r < rows_; ++r) {
      std::vector<int64_t> counts(columns_.size(), 0);  // Per pool n-gram.
      const std::string* row = items.data() + r * row_len_;
      for (int64_t start = 0; start < row_len_; ++start) {
        for (int64_t skip = 0; skip <= max_skip_; ++skip) {
          const int64_t stride = skip + 1;
          for (int64_t n = std::max<int64_t>(min_n_, skip > 0 ? 2 : 1); n <= max_n_; ++n) {
            const int64_t last = start + (n - 1) * stride;
            if (last >= row_len_) break;
            gram.clear();
            for (int64_t k = 0; k < n; ++k) gram.push_back(row[start + k * stride]);
            auto it = pool_.find(gram);
            if (it != pool_.end()) ++counts[it->second];
          }
        }
      }
      std::vector<double> out(static_cast<size_t>(num_columns_), 0.0);
      for (size_t c = 0; c < columns_.size(); ++c) {
        const double w = weights_.empty() ? 1.0 : weights_[c];
        double value = 0;
        switch (mode_) {
          case Mode::kTf: value = static_cast<double>(counts[c]); break;
          case Mode::kIdf: value = counts[c] > 0 ? w : 0.0; break;
          case Mode::kTfIdf: value = static_cast<double>(counts[c]) * w; break;
        }
        out[columns_[c]] += value;
      }
      for (int64_t c = 0; c < num_columns_; ++c) y.SetFromDouble(r * num_columns_ + c, out[c]);
    }
    return Status::Ok();
  }

 private:
  Mode mode_ = Mode::kTf;
  int64_t min_n_ = 1, max_n_ = 1, max_skip_ = 0;
  std::map<std::vector<std::string>, int64_t> pool_;  // n-gram -> its ordinal in the pool.
  std::vector<int64_t> columns_;                      // Ordinal -> output column.
  std::vector<float> weights_;
  int64_t num_columns_ = 0;
  int64_t rows_ = 1, row_len_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeTfIdfVectorizer() { return std::make_unique<TfIdfVectorizer>(); }

}  // namespace convcheck::interp
