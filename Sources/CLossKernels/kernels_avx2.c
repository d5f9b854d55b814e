// The AVX2 + FMA path: the same source as the baseline, compiled for those instructions (eight float lanes
// per register). Selected only where cpuid and xgetbv say the CPU and the operating system support it.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define LL_ISA_SUFFIX avx2
#define LL_WF 8
#include "kernels_body.h"
#pragma clang attribute pop
#endif
