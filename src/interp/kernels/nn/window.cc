//===- interp/kernels/nn/window.cc - Sliding-window geometry ---------------===//
//
// See window.h for the rules. All checks here are model-dependent, so they return Status.
//
//===----------------------------------------------------------------------===//
#include "interp/kernels/nn/window.h"

#include <algorithm>

namespace convcheck::interp::nn {

StatusOr<int> SpatialRank(const Shape& shape, const char* what) {
  const int64_t rank = static_cast<int64_t>(shape.size()) - 2;
  if (rank < 1 || rank > kMaxSpatialRank) {
    return Unimplemented(std::string(what) + " has shape " + ShapeToString(shape) +
                         ": only 1 to 3 spatial dimensions ([N,C,D1..D3]) are supported");
  }
  return static_cast<int>(rank);
}

Status ReadWindowAttrs(const KernelContext& ctx, int rank,
                       const std::vector<int64_t>& kernel_from_weights, bool allow_ceil,
                       WindowAttrs* attrs) {
  const size_t r = static_cast<size_t>(rank);
  if (ctx.has_attr("kernel_shape")) {
    attrs->kernel = ctx.attr_ints("kernel_shape");
  } else if (!kernel_from_weights.empty()) {
    attrs->kernel = kernel_from_weights;
  } else {
    return InvalidArgument("attribute kernel_shape is required");
  }
  if (attrs->kernel.size() != r) {
    return InvalidArgument("kernel_shape " + IntsToString(attrs->kernel) + " has " +
                           std::to_string(attrs->kernel.size()) + " entries but input has " +
                           std::to_string(rank) + " spatial dimensions");
  }
  if (!kernel_from_weights.empty() && attrs->kernel != kernel_from_weights) {
    return InvalidArgument("kernel_shape " + IntsToString(attrs->kernel) +
                           " does not match the weight's spatial shape " +
                           IntsToString(kernel_from_weights));
  }
  attrs->strides = ctx.attr_ints("strides", std::vector<int64_t>(r, 1));
  attrs->dilations = ctx.attr_ints("dilations", std::vector<int64_t>(r, 1));
  attrs->pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * r, 0));
  auto check_len = [&](const char* name, const std::vector<int64_t>& v, size_t want) -> Status {
    if (v.size() != want) {
      return InvalidArgument(std::string(name) + " " + IntsToString(v) + " has " +
                             std::to_string(v.size()) + " entries, expected " +
                             std::to_string(want));
    }
    return Status::Ok();
  };
  CC_RETURN_IF_ERROR(check_len("strides", attrs->strides, r));
  CC_RETURN_IF_ERROR(check_len("dilations", attrs->dilations, r));
  CC_RETURN_IF_ERROR(check_len("pads", attrs->pads, 2 * r));
  for (size_t i = 0; i < r; ++i) {
    if (attrs->kernel[i] < 1 || attrs->strides[i] < 1 || attrs->dilations[i] < 1) {
      return InvalidArgument("kernel_shape " + IntsToString(attrs->kernel) + ", strides " +
                             IntsToString(attrs->strides) + " and dilations " +
                             IntsToString(attrs->dilations) + " must all be positive");
    }
  }
  for (int64_t p : attrs->pads) {
    if (p < 0) return InvalidArgument("pads " + IntsToString(attrs->pads) + " has a negative entry");
  }
  const std::string auto_pad = ctx.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    attrs->auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "SAME_UPPER") {
    attrs->auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    attrs->auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    attrs->auto_pad = AutoPad::kValid;
  } else {
    return InvalidArgument("auto_pad '" + auto_pad +
                           "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
  attrs->ceil_mode = allow_ceil && ctx.attr_int("ceil_mode", 0) != 0;
  return Status::Ok();
}

StatusOr<Geometry> ForwardGeometry(const std::vector<int64_t>& in_spatial,
                                   const WindowAttrs& attrs) {
  Geometry g;
  g.rank = static_cast<int>(in_spatial.size());
  const int off = 3 - g.rank;
  for (int i = 0; i < g.rank; ++i) {
    const int j = i + off;
    const int64_t in = in_spatial[i];
    const int64_t k = attrs.kernel[i], s = attrs.strides[i], d = attrs.dilations[i];
    const int64_t effective_k = (k - 1) * d + 1;
    int64_t pb = 0, pe = 0, out = 0;
    switch (attrs.auto_pad) {
      case AutoPad::kNotSet:
      case AutoPad::kValid: {
        if (attrs.auto_pad == AutoPad::kNotSet) {
          pb = attrs.pads[i];
          pe = attrs.pads[i + g.rank];
        }
        const int64_t span = in + pb + pe - effective_k;
        if (span < 0) {
          return InvalidArgument("spatial dimension " + std::to_string(i) + " of size " +
                                 std::to_string(in) + " with pads " + std::to_string(pb) + "+" +
                                 std::to_string(pe) + " is smaller than the dilated kernel " +
                                 std::to_string(effective_k));
        }
        out = attrs.ceil_mode ? (span + s - 1) / s + 1 : span / s + 1;
        // A last window that would start in the end padding sees no input at all.
        if (attrs.ceil_mode && (out - 1) * s >= in + pb) --out;
        break;
      }
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        out = (in + s - 1) / s;
        const int64_t total = std::max<int64_t>(0, (out - 1) * s + effective_k - in);
        const int64_t small = total / 2, large = total - total / 2;
        pb = attrs.auto_pad == AutoPad::kSameUpper ? small : large;
        pe = total - pb;
        break;
      }
    }
    g.in[j] = in;
    g.out[j] = out;
    g.kernel[j] = k;
    g.stride[j] = s;
    g.dilation[j] = d;
    g.pad_begin[j] = pb;
    g.pad_end[j] = pe;
  }
  return g;
}

}  // namespace convcheck::interp::nn
