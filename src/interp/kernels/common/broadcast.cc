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

BroadcastRuns::BroadcastRuns(const Shape& output, const std::vector<Shape>& inputs)
    : inner_strides_(inputs.size(), 0), strides_(inputs.size()), offsets_(inputs.size(), 0) {
  // Per input, the element stride along each output dimension (0 where it is broadcast).
  const size_t rank = output.size();
  std::vector<std::vector<int64_t>> full(inputs.size(), std::vector<int64_t>(rank, 0));
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Shape& in = inputs[k];
    int64_t stride = 1;
    for (size_t d = in.size(); d-- > 0;) {
      full[k][rank - in.size() + d] = in[d] == 1 ? 0 : stride;
      stride *= in[d];
    }
  }
  // Merge from the innermost dimension outwards: dimension d joins the block inside it when
  // every input's stride along d is its stride along the block times the block's extent.
  // Dimensions of extent 1 are skipped.
  Shape dims;                                                // Merged, innermost first.
  std::vector<std::vector<int64_t>> strides(inputs.size());  // Same order.
  for (size_t d = rank; d-- > 0;) {
    if (output[d] == 1) continue;
    bool merge = !dims.empty();
    for (size_t k = 0; k < inputs.size() && merge; ++k) {
      merge = full[k][d] == strides[k].back() * dims.back();
    }
    if (merge) {
      dims.back() *= output[d];
    } else {
      dims.push_back(output[d]);
      for (size_t k = 0; k < inputs.size(); ++k) strides[k].push_back(full[k][d]);
    }
  }
  if (dims.empty()) return;  // One element.
  run_length_ = dims[0];
  for (size_t k = 0; k < inputs.size(); ++k) inner_strides_[k] = strides[k][0];
  for (size_t i = dims.size(); i-- > 1;) {
    outer_.push_back(dims[i]);
    num_runs_ *= dims[i];
    for (size_t k = 0; k < inputs.size(); ++k) strides_[k].push_back(strides[k][i]);
  }
  counter_.assign(outer_.size(), 0);
  for (int64_t d : output) {
    if (d == 0) num_runs_ = 0;
  }
}

void BroadcastRuns::Next() {
  for (size_t d = outer_.size(); d-- > 0;) {
    if (++counter_[d] < outer_[d]) {
      for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] += strides_[k][d];
      return;
    }
    for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] -= strides_[k][d] * (outer_[d] - 1);
    counter_[d] = 0;
  }
}

}  // namespace convcheck::interp
