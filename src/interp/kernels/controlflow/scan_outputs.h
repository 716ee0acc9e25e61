//===- interp/kernels/controlflow/scan_outputs.h - Stacking per-iteration outputs ===//
//
// Loop and Scan collect one tensor per iteration for each scan output and stack them along a
// new axis. Every iteration must produce the same dtype and shape (the spec requires it; a
// mismatch is reported naming the iteration). With zero iterations there is nothing to read the
// element shape from, so the body's declared output type supplies it when fully known.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_CONTROLFLOW_SCAN_OUTPUTS_H_
#define CONVCHECK_INTERP_KERNELS_CONTROLFLOW_SCAN_OUTPUTS_H_

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "interp/kernel.h"

namespace convcheck::interp::scan_outputs {

/// InvalidArgument unless `next` matches `first` in dtype and shape; `what` names the output.
Status CheckSameAsFirst(const Tensor& first, const Tensor& next, int64_t iteration,
                        const std::string& what);

/// Stacks `items` (all equal-shaped) along a new axis `axis` (in [0, rank]). With no items the
/// result has a 0 at `axis` and the element dtype and shape declared by `declared` (dims that
/// are unknown become 0; an unknown dtype becomes float32), mapped through ctx.ComputeType.
Tensor Stack(const KernelContext& ctx, const std::vector<Tensor>& items, int64_t axis,
             const onnx::ValueInfoProto& declared);

}  // namespace convcheck::interp::scan_outputs

#endif  // CONVCHECK_INTERP_KERNELS_CONTROLFLOW_SCAN_OUTPUTS_H_
