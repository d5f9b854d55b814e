// The baseline path: SSE2 on x86-64, NEON on arm64 (the target's default instruction set).
// Both bodies: the loss kernels (kernels_body.h) and the recommender's loops (model_body.h).
#define LL_ISA_SUFFIX baseline
#define LL_WF 8
#include "kernels_body.h"
#define LL_MODEL_SUFFIX baseline
#define LL_MODEL_WF 8
#include "model_body.h"
