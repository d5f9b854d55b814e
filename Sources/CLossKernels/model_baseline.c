// The recommender's loops for the baseline path: SSE2 on x86-64, NEON on arm64 (the target's default
// instruction set).
#define LL_MODEL_SUFFIX baseline
#define LL_MODEL_WF 8
#include "model_body.h"
