// The AVX-512 path (F, BW, DQ, VL): the same sources, compiled for 512-bit registers (sixteen float lanes).
// Selected only where cpuid and xgetbv say the CPU and the operating system support it.
// Both bodies: the loss kernels (kernels_body.h) and the recommender's loops (model_body.h).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define LL_ISA_SUFFIX avx512
#define LL_WF 16
#include "kernels_body.h"
#define LL_MODEL_SUFFIX avx512
#define LL_MODEL_WF 16
#include "model_body.h"
#pragma clang attribute pop
#endif
