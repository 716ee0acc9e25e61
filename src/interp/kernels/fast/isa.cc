#include "interp/kernels/fast/isa.h"

#include <atomic>

#include "interp/kernels/fast/simd.h"

namespace convcheck::interp::fast {
namespace {

Isa Detect() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
  return Isa::kNone;
}

Isa Detected() {
  static const Isa isa = Detect();
  return isa;
}

std::atomic<Isa>& Current() {
  static std::atomic<Isa> isa{Detected()};
  return isa;
}

}  // namespace

Isa CurrentIsa() { return Current().load(std::memory_order_relaxed); }

const SimdKernels& Simd() { return CurrentIsa() == Isa::kAvx512 ? kSimdAvx512 : kSimdAvx2; }

void ForceIsaForTesting(Isa isa) {
  Current().store(static_cast<int>(isa) <= static_cast<int>(Detected()) ? isa : Detected());
}

}  // namespace convcheck::interp::fast
