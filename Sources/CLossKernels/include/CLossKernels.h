// The module's umbrella header: the loss kernels (loss_kernels.h) and the recommender's loops
// (model_kernels.h), each compiled for every instruction-set path and chosen at run time.
#ifndef LOSSLAB_CLOSSKERNELS_H
#define LOSSLAB_CLOSSKERNELS_H
#include "loss_kernels.h"
#include "model_kernels.h"
#endif
