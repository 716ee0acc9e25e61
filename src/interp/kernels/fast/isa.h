//===- interp/kernels/fast/isa.h - Which vector instructions the fast path uses ===//
//
// The binary is built for baseline x86-64; the fast kernels are compiled per instruction set
// with target attributes and picked here at run time from the CPU's features (with the OS's
// support for the wider registers, which __builtin_cpu_supports checks).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_INTERP_KERNELS_FAST_ISA_H_
#define CONVCHECK_INTERP_KERNELS_FAST_ISA_H_

namespace convcheck::interp::fast {

enum class Isa { kNone, kAvx2, kAvx512 };

/// The best of AVX-512F, AVX2 + FMA or nothing this CPU has (or what a test forced).
Isa CurrentIsa();

/// For tests: run the AVX2 kernels on an AVX-512 machine, or none. Never above what the CPU
/// has. Data packed before the switch must not be used after it (the tiles differ).
void ForceIsaForTesting(Isa isa);

}  // namespace convcheck::interp::fast

#endif  // CONVCHECK_INTERP_KERNELS_FAST_ISA_H_
