//===- interp/registry.h - The versioned kernel table ---------------------===//
//
// One list of (domain, op, opset range, factory), written in kernels/*.def and expanded twice:
// into declarations (kernels.h) and into a constant table (registry.cc). No static constructors
// and no self-registration, so a kernel cannot be silently dropped by the linker.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_REGISTRY_H_
#define CONVCHECK_INTERP_REGISTRY_H_

#include <memory>
#include <span>
#include <string_view>

#include "interp/kernel.h"

namespace convcheck::interp {

/// The opsets of the default ONNX domain the kernel table covers, declared once: every operator
/// version up to the highest opset that both onnx 1.23.2 defines (28) and ONNX Runtime 1.30 runs
/// (26). Table lines end at kMaxOpset at the latest, so no kernel claims an opset whose semantics
/// nobody has checked; a model importing a higher opset is refused at load (Interpreter::Create)
/// rather than run by an older kernel. Raising it means auditing every operator version between
/// the old and the new value (onnx docs/Changelog.md) and giving each a line or a comment.
inline constexpr int kMinOpset = 1;
inline constexpr int kMaxOpset = 26;

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
