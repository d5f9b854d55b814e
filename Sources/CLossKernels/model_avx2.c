// The recommender's loops for the AVX2 + FMA path: the same source as the baseline, compiled for those
// instructions (eight float lanes per register; no contraction, so FMA is not used for a·b + c). Selected
// only where cpuid and xgetbv say the CPU and the operating system support it.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define LL_MODEL_SUFFIX avx2
#define LL_MODEL_WF 8
// 32 keys per pass over the scores: 4 registers of keys and 8 of counts.
#define LL_MODEL_COUNT_GROUPS 4
#include "model_body.h"
#pragma clang attribute pop
#endif
