#include "interp/kernels/common/broadcast.h"

#include <algorithm>

namespace convcheck::interp {

StatusOr<Shape> BroadcastShapes(const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const auto& s : shapes) {
    const size_t offset = rank - s.size();
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t& o = out[offset + d];
      if (s[d] == o || s[d] == 1) continue;
      if (o == 1) {
        o = s[d];
        continue;
      }
      std::string all;
      for (const auto& x : shapes) all += (all.empty() ? "" : " and ") + ShapeToString(x);
      return InvalidArgument("shapes " + all + " cannot be broadcast");
    }
  }
  return out;
}

BroadcastIndex::BroadcastIndex(const Shape& output, const std::vector<Shape>& inputs)
    : output_(output), counter_(output.size(), 0), offsets_(inputs.size(), 0) {
  const size_t rank = output.size();
  for (const auto& in : inputs) {
    std::vector<int64_t> strides(rank, 0);
    int64_t stride = 1;
    for (size_t d = in.size(); d-- > 0;) {
      const size_t od = rank - in.size() + d;
      strides[od] = in[d] == 1 ? 0 : stride;
      stride *= in[d];
    }
    strides_.push_back(std::move(strides));
  }
}

void BroadcastIndex::Next() {
  for (size_t d = output_.size(); d-- > 0;) {
    if (++counter_[d] < output_[d]) {
      for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] += strides_[k][d];
      return;
    }
    for (size_t k = 0; k < offsets_.size(); ++k) {
      offsets_[k] -= strides_[k][d] * (output_[d] - 1);
    }
    counter_[d] = 0;
  }
}

}  // namespace convcheck::interp
