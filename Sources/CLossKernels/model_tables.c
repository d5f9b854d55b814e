// The recommender's per-path tables (defined by model_baseline.c, model_avx2.c and model_avx512.c), chosen
// by path number.
#include "loss_kernels.h"
#include "model_kernels.h"

#include <stddef.h>

extern const ll_model_kernels ll_model_kernels_baseline;
#if defined(__x86_64__)
extern const ll_model_kernels ll_model_kernels_avx2, ll_model_kernels_avx512;
#endif

const ll_model_kernels *ll_model_kernels_for(int isa) {
  switch (isa) {
  case LL_ISA_BASELINE: return &ll_model_kernels_baseline;
#if defined(__x86_64__)
  case LL_ISA_AVX2: return &ll_model_kernels_avx2;
  case LL_ISA_AVX512: return &ll_model_kernels_avx512;
#endif
  default: return NULL;
  }
}
