#include "interp/kernels/fast/elementwise.h"

#include <algorithm>
#include <vector>

#include "interp/kernels/fast/simd.h"

namespace convcheck::interp::fast {
namespace {

// Elements per task: large enough that handing out a task costs nothing next to it.
constexpr int64_t kBlock = 16384;

}  // namespace

void UnaryFunction(FloatFunction f, const float* x, float* y, int64_t n,
                   double (*reference)(double), const Parallel& parallel) {
  const auto sigmoid = Simd().sigmoid;
  (void)f;  // kSigmoid is the only one so far.
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  parallel.For(blocks, [&](int64_t b) {
    const int64_t begin = b * kBlock, count = std::min(kBlock, n - begin);
    sigmoid(x + begin, y + begin, count, reference);
  });
}

void SoftmaxRows(const float* x, float* y, int64_t rows, int64_t n,
                 const std::function<void(int64_t row)>& reference_row, const Parallel& parallel) {
  const auto row_fn = Simd().softmax_row;
  const int64_t per_task = std::max<int64_t>(1, kBlock / std::max<int64_t>(n, 1));
  const int64_t tasks = (rows + per_task - 1) / per_task;
  parallel.For(tasks, [&](int64_t t) {
    std::vector<double> scratch(static_cast<size_t>(n));
    for (int64_t r = t * per_task; r < std::min(rows, (t + 1) * per_task); ++r) {
      if (!row_fn(x + r * n, y + r * n, n, scratch.data())) reference_row(r);
    }
  });
}

}  // namespace convcheck::interp::fast
