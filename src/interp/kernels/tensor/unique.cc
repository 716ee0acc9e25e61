//===- interp/kernels/tensor/unique.cc - Unique ---------------------------===//
//
// Unique 11+: the distinct elements of the flattened input, or with `axis` the distinct slices
// along that axis (compared element by element in row-major order, as numpy.unique with axis
// does). Outputs: Y (uniques, ascending when `sorted`=1 (default), else in order of first
// occurrence), indices (first occurrence of each unique in the input), inverse_indices (for
// each input item, its unique's position in Y) and counts; all int64 and 1-D.
//
// Ordering: numbers by value (float16/bfloat16 decoded), false < true, strings byte-wise,
// complex lexicographically by (real, imag) as numpy sorts them. NaN compares as neither less
// nor greater, so it is not ordered meaningfully (numpy >= 1.21 groups NaNs; we do not).
// Output shapes depend on the data, so Compute sets whole outputs.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <complex>
#include <memory>
#include <numeric>

#include "interp/kernels/common/numeric.h"
#include "interp/kernels/kernels.h"
#include "interp/kernels/tensor/tensor_util.h"

namespace convcheck::interp {
namespace {

using namespace tensor_ops;  // NOLINT: the family's own helpers.

// -1, 0 or 1 for a < b, a == b, a > b.
template <typename T>
int CompareElems(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, std::complex<float>> ||
                std::is_same_v<T, std::complex<double>>) {
    if (a.real() != b.real()) return a.real() < b.real() ? -1 : 1;
    if (a.imag() != b.imag()) return a.imag() < b.imag() ? -1 : 1;
    return 0;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
    return a < b ? -1 : (b < a ? 1 : 0);
  } else {
    const auto x = Load(a), y = Load(b);
    return x < y ? -1 : (y < x ? 1 : 0);
  }
}

class Unique final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(1, 1, 1, 4));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    has_axis_ = ctx.has_attr("axis");
    if (has_axis_) {
      if (ctx.input(0).rank() == 0) return InvalidArgument("input must have rank >= 1");
      CC_ASSIGN_OR_RETURN(axis_, NormalizeAxis(ctx.attr_int("axis", 0), ctx.input(0).rank()));
    }
    sorted_ = ctx.attr_int("sorted", 1) != 0;
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape in = has_axis_ ? x.shape() : Shape{x.num_elements()};
    const int64_t axis = has_axis_ ? axis_ : 0;
    const int64_t items = in[axis];
    const int64_t outer = Product(in, 0, axis);
    const int64_t inner = Product(in, axis + 1, static_cast<int64_t>(in.size()));
    return Dispatch<CC_ALL_TYPES, std::string, std::complex<float>, std::complex<double>>(
        x.dtype(), [&]<typename T>() {
          const T* p = Elems<T>(x);
          // Item i is the slice p[(o * items + i) * inner + j] over (o, j) in row-major order.
          auto compare = [&](int64_t a, int64_t b) {
            for (int64_t o = 0; o < outer; ++o) {
              for (int64_t j = 0; j < inner; ++j) {
                const int c = CompareElems(p[(o * items + a) * inner + j],
                                           p[(o * items + b) * inner + j]);
                if (c != 0) return c;
              }
            }
            return 0;
          };
          // Stable sort keeps the first occurrence first within each group of equal items.
          std::vector<int64_t> order(items);
          std::iota(order.begin(), order.end(), 0);
          std::stable_sort(order.begin(), order.end(),
                           [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
          std::vector<int64_t> first;   // Per unique: first occurrence.
          std::vector<int64_t> counts;  // Per unique.
          std::vector<int64_t> group(items);  // Per item: its unique, in sorted numbering.
          for (int64_t r = 0; r < items; ++r) {
            if (r == 0 || compare(order[r - 1], order[r]) != 0) {
              first.push_back(order[r]);
              counts.push_back(0);
            }
            group[order[r]] = static_cast<int64_t>(first.size()) - 1;
            ++counts.back();
          }
          const int64_t u = static_cast<int64_t>(first.size());
          // rank_of[g]: output position of sorted group g.
          std::vector<int64_t> by_position(u);
          std::iota(by_position.begin(), by_position.end(), 0);
          if (!sorted_) {
            std::sort(by_position.begin(), by_position.end(),
                      [&](int64_t a, int64_t b) { return first[a] < first[b]; });
          }
          std::vector<int64_t> rank_of(u);
          for (int64_t k = 0; k < u; ++k) rank_of[by_position[k]] = k;

          Shape y_shape = in;
          y_shape[axis] = u;
          Tensor y(x.dtype(), y_shape);
          T* out = MutableElems<T>(y);
          for (int64_t o = 0; o < outer; ++o) {
            for (int64_t k = 0; k < u; ++k) {
              const int64_t item = first[by_position[k]];
              for (int64_t j = 0; j < inner; ++j) {
                out[(o * u + k) * inner + j] = p[(o * items + item) * inner + j];
              }
            }
          }
          std::vector<int64_t> indices(u), inverse(items), count_out(u);
          for (int64_t k = 0; k < u; ++k) {
            indices[k] = first[by_position[k]];
            count_out[k] = counts[by_position[k]];
          }
          for (int64_t i = 0; i < items; ++i) inverse[i] = rank_of[group[i]];
          ctx.SetOutputTensor(0, std::move(y));
          if (ctx.has_output(1)) ctx.SetOutputTensor(1, Tensor::FromVector<int64_t>({u}, indices));
          if (ctx.has_output(2)) {
            ctx.SetOutputTensor(2, Tensor::FromVector<int64_t>({items}, inverse));
          }
          if (ctx.has_output(3)) ctx.SetOutputTensor(3, Tensor::FromVector<int64_t>({u}, count_out));
          return Status::Ok();
        });
  }

 private:
  bool has_axis_ = false;
  int64_t axis_ = 0;
  bool sorted_ = true;
};

}  // namespace

std::unique_ptr<Kernel> MakeUnique() { return std::make_unique<Unique>(); }

}  // namespace convcheck::interp
