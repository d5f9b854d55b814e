// The per-path tables defined by kernels_baseline.c, kernels_avx2.c and kernels_avx512.c.
#ifndef LOSSLAB_KERNELS_TABLES_H
#define LOSSLAB_KERNELS_TABLES_H
#include "loss_kernels.h"
#include "model_kernels.h"

extern const ll_loss_kernels ll_f32_baseline, ll_f64_baseline;
extern const ll_model_kernels ll_model_kernels_baseline;
#if defined(__x86_64__)
extern const ll_loss_kernels ll_f32_avx2, ll_f64_avx2, ll_f32_avx512, ll_f64_avx512;
extern const ll_model_kernels ll_model_kernels_avx2, ll_model_kernels_avx512;
#endif
#endif
