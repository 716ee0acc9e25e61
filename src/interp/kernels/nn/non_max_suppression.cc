//===- interp/kernels/nn/non_max_suppression.cc - NonMaxSuppression (10+) -===//
//
// Greedy per-(batch, class) suppression: candidates sorted by descending score (ties: lower box
// index first) are taken in turn unless their IoU with an already selected box exceeds
// iou_threshold, until max_output_boxes_per_class are selected. selected_indices
// [num_selected, 3] lists (batch, class, box) in batch, class, selection order; its length
// depends on the data, so the output is set in Compute.
//
// Boxes are [y1, x1, y2, x2] with any diagonal corner pair (center_point_box = 0) or
// [x_center, y_center, width, height] (center_point_box = 1). Optional scalar inputs default to
// max_output_boxes_per_class = 0 (no output), iou_threshold = 0 and no score threshold.
//
// Ties the spec leaves open follow onnxruntime and the ONNX reference: a box is kept when its
// score is strictly greater than score_threshold and suppressed when IoU > iou_threshold; a pair
// with no intersection or with a degenerate box has IoU 0. IoU is computed in double.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

struct Box {
  double y1, x1, y2, x2;
};

double Iou(const Box& a, const Box& b) {
  const double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return 0.0;
  const double inter = ih * iw;
  const double area_a = (a.y2 - a.y1) * (a.x2 - a.x1), area_b = (b.y2 - b.y1) * (b.x2 - b.x1);
  const double uni = area_a + area_b - inter;
  if (area_a <= 0 || area_b <= 0 || uni <= 0) return 0.0;
  return inter / uni;
}

class NonMaxSuppression final : public Kernel {
 public:
  Status Prepare(KernelContext& ctx) override {
    CC_RETURN_IF_ERROR(ctx.ExpectArity(2, 5, 1, 1));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(0));
    CC_RETURN_IF_ERROR(ctx.RequireTensor(1));
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    if (!IsFloatingPoint(boxes.dtype()) || !IsFloatingPoint(scores.dtype())) {
      return InvalidArgument("boxes and scores must be float, got " +
                             std::string(DataTypeName(boxes.dtype())) + " and " +
                             std::string(DataTypeName(scores.dtype())));
    }
    if (boxes.rank() != 3 || boxes.shape()[2] != 4) {
      return InvalidArgument("boxes has shape " + ShapeToString(boxes.shape()) +
                             ", expected [num_batches,spatial_dimension,4]");
    }
    if (scores.rank() != 3 || scores.shape()[0] != boxes.shape()[0] ||
        scores.shape()[2] != boxes.shape()[1]) {
      return InvalidArgument("scores has shape " + ShapeToString(scores.shape()) + ", expected [" +
                             std::to_string(boxes.shape()[0]) + ",num_classes," +
                             std::to_string(boxes.shape()[1]) + "]");
    }
    center_point_box_ = ctx.attr_int("center_point_box", 0);
    if (center_point_box_ != 0 && center_point_box_ != 1) {
      return InvalidArgument("center_point_box " + std::to_string(center_point_box_) +
                             " is not 0 or 1");
    }
    for (int i = 2; i < 5; ++i) {
      if (!ctx.has_input(i)) continue;
      CC_RETURN_IF_ERROR(ctx.RequireTensor(i));
      const Tensor& t = ctx.input(i);
      const bool want_int = i == 2;
      const bool type_ok = want_int ? t.dtype() == DataType::kInt64 : IsFloatingPoint(t.dtype());
      if (!type_ok || t.num_elements() != 1 || t.rank() > 1) {
        static const char* kNames[] = {"", "", "max_output_boxes_per_class", "iou_threshold",
                                       "score_threshold"};
        return InvalidArgument(std::string(kNames[i]) + " is " +
                               std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape()) +
                               ", expected a " + (want_int ? "int64" : "float") + " scalar");
      }
    }
    return Status::Ok();
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    const int64_t max_out = ctx.has_input(2) ? ctx.input(2).Data<int64_t>()[0] : 0;
    const double iou_threshold = ctx.has_input(3) ? ctx.input(3).GetAsDouble(0) : 0.0;
    const bool has_score_threshold = ctx.has_input(4);
    const double score_threshold = has_score_threshold ? ctx.input(4).GetAsDouble(0) : 0.0;
    const int64_t batches = boxes.shape()[0], spatial = boxes.shape()[1];
    const int64_t classes = scores.shape()[1];

    std::vector<int64_t> selected;  // Triples.
    for (int64_t b = 0; b < batches; ++b) {
      std::vector<Box> bx(static_cast<size_t>(spatial));
      for (int64_t i = 0; i < spatial; ++i) {
        const int64_t base = (b * spatial + i) * 4;
        const double v0 = boxes.GetAsDouble(base), v1 = boxes.GetAsDouble(base + 1);
        const double v2 = boxes.GetAsDouble(base + 2), v3 = boxes.GetAsDouble(base + 3);
        if (center_point_box_ == 0) {
          bx[i] = {std::min(v0, v2), std::min(v1, v3), std::max(v0, v2), std::max(v1, v3)};
        } else {
          bx[i] = {v1 - v3 / 2, v0 - v2 / 2, v1 + v3 / 2, v0 + v2 / 2};
        }
      }
      for (int64_t c = 0; c < classes; ++c) {
        if (max_out <= 0) continue;
        std::vector<std::pair<double, int64_t>> candidates;
        for (int64_t i = 0; i < spatial; ++i) {
          const double s = scores.GetAsDouble((b * classes + c) * spatial + i);
          if (!has_score_threshold || s > score_threshold) candidates.push_back({s, i});
        }
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const auto& l, const auto& r) { return l.first > r.first; });
        std::vector<int64_t> kept;
        for (const auto& [score, index] : candidates) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          bool suppressed = false;
          for (int64_t k : kept) {
            if (Iou(bx[index], bx[k]) > iou_threshold) {
              suppressed = true;
              break;
            }
          }
          if (suppressed) continue;
          kept.push_back(index);
          selected.insert(selected.end(), {b, c, index});
        }
      }
    }
    const int64_t n = static_cast<int64_t>(selected.size()) / 3;
    ctx.SetOutputTensor(0, Tensor::FromVector<int64_t>({n, 3}, selected));
    return Status::Ok();
  }

 private:
  int64_t center_point_box_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> MakeNonMaxSuppression() { return std::make_unique<NonMaxSuppression>(); }

}  // namespace convcheck::interp
