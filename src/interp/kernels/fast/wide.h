//===- interp/kernels/fast/wide.h - A reference loop built for AVX2 or AVX-512 ===//
//
// The simplest fast path: the reference kernel's own loop, unchanged, compiled a second time for
// the CPU's wider vectors. RunWide(f) calls f() from a function built with AVX-512 (or AVX2)
// enabled; f is always-inlined into it, so its loop is vectorised with 8 or 16 lanes instead of
// baseline x86-64's 4. The source is the reference's, and every operation is IEEE arithmetic
// with no contraction (cc_interp is built with -ffp-contract=off) and no reassociation (no
// -ffast-math), so the results are the reference's bit for bit; only the instructions differ.
// Loops that call a library function (exp, erf) gain nothing here.
//
// Usage, with the loop written once:
//   auto loop = [&]() CC_WIDE_INLINE { for (...) ... };
//   if (ctx.fast_kernels()) fast::RunWide(loop); else loop();
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_WIDE_H_
#define CONVCHECK_INTERP_KERNELS_FAST_WIDE_H_

#include "interp/kernels/fast/isa.h"

/// Marks a lambda to be inlined into RunWide's instruction-set-specific callers.
#define CC_WIDE_INLINE __attribute__((always_inline))

namespace convcheck::interp::fast {

template <typename F>
__attribute__((target("avx512f"))) void RunAvx512(const F& f) {
  f();
}

template <typename F>
__attribute__((target("avx2,fma"))) void RunAvx2(const F& f) {
  f();
}

/// f() built for the widest instruction set there is (or as is without AVX2).
template <typename F>
void RunWide(const F& f) {
  switch (CurrentIsa()) {
    case Isa::kAvx512:
      RunAvx512(f);
      return;
    case Isa::kAvx2:
      RunAvx2(f);
      return;
    case Isa::kNone:
      f();
      return;
  }
}

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_WIDE_H_
