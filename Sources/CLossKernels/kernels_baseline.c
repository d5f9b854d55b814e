// The baseline path: SSE2 on x86-64, NEON on arm64 (the target's default instruction set).
#define LL_ISA_SUFFIX baseline
#define LL_WF 8
#include "kernels_body.h"
