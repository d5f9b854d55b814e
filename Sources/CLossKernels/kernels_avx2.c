// The AVX2 + FMA path: the same sources as the baseline, compiled for those instructions (eight float lanes
// per register). Selected only where cpuid and xgetbv say the CPU and the operating system support it.
// Both bodies: the loss kernels (kernels_body.h) and the recommender's loops (model_body.h).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define LL_ISA_SUFFIX avx2
#define LL_WF 8
#include "kernels_body.h"
#define LL_MODEL_SUFFIX avx2
#define LL_MODEL_WF 8
#include "model_body.h"
#pragma clang attribute pop
#endif
