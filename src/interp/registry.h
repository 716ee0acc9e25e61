//===- interp/registry.h - The versioned kernel table ---------------------===//
//
// One list of (domain, op, opset range, factory), written in kernels/*.def and expanded twice:
// into declarations (kernels.h) and into a constant table (registry.cc). No static constructors
// and no self-registration, so a kernel cannot be silently dropped by the linker.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_REGISTRY_H_
#define CONVCHECK_INTERP_REGISTRY_H_

#include <climits>
#include <memory>
#include <span>
#include <string_view>

#include "interp/kernel.h"

namespace convcheck::interp {

/// "No upper bound" in an opset range.
inline constexpr int kLatestOpset = INT_MAX;

struct KernelDef {
  const char* domain;  // "" for the default ONNX domain.
  const char* op_type;
  int first_opset;
  int last_opset;
  std::unique_ptr<Kernel> (*factory)();
};

/// The kernel for `op_type` in `domain` ("" or "ai.onnx" for the default domain) at `opset`,
/// or nullptr.
const KernelDef* FindKernel(std::string_view domain, std::string_view op_type, int opset);
std::span<const KernelDef> AllKernels();

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_REGISTRY_H_
