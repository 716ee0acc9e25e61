#include "interp/registry.h"

#include "interp/kernels/kernels.h"

namespace convcheck::interp {
namespace {

constexpr KernelDef kKernels[] = {
#define CC_KERNEL(op, first, last, factory) {"", #op, first, last, &factory},
#define CC_KERNEL_IN(domain, op, first, last, factory) {domain, #op, first, last, &factory},
#include "interp/kernels/kernels.def"
#undef CC_KERNEL
#undef CC_KERNEL_IN
    // Keeps the array non-empty while families are being filled in.
    {"", "", 0, -1, nullptr},
};

}  // namespace

const KernelDef* FindKernel(std::string_view domain, std::string_view op_type, int opset) {
  if (domain == "ai.onnx") domain = "";
  for (const KernelDef& def : kKernels) {
    if (def.factory && domain == def.domain && op_type == def.op_type &&
        opset >= def.first_opset && opset <= def.last_opset) {
      return &def;
    }
  }
  return nullptr;
}

std::span<const KernelDef> AllKernels() {
  return std::span<const KernelDef>(kKernels, std::size(kKernels) - 1);
}

}  // namespace convcheck::interp
