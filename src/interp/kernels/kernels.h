//===- interp/kernels/kernels.h - Declarations of every kernel factory ----===//
#ifndef CONVCHECK_INTERP_KERNELS_KERNELS_H_
#define CONVCHECK_INTERP_KERNELS_KERNELS_H_

#include <memory>

#include "interp/kernel.h"

namespace convcheck::interp {

#define CC_KERNEL(op, first, last, factory) std::unique_ptr<Kernel> factory();
#define CC_KERNEL_IN(domain, op, first, last, factory) std::unique_ptr<Kernel> factory();
#include "interp/kernels/kernels.def"
#undef CC_KERNEL
#undef CC_KERNEL_IN

}  // namespace convcheck::interp

#endif  // CONVCHECK_INTERP_KERNELS_KERNELS_H_
