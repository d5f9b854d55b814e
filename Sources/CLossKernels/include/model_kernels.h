// The hot loops of the recommender (Recommender's FactorModel, OptimizerState and training worker),
// compiled once per instruction set and chosen at run time, like the loss kernels (loss_kernels.h).
//
// Every loop is written once (model_body.h) with clang's portable vector types and compiled for the
// baseline, AVX2 + FMA and AVX-512 by `#pragma clang attribute push(__attribute__((target(...))))` in
// model_baseline.c, model_avx2.c and model_avx512.c. No compiler flag is involved. The paths give
// bit-identical results — and the same results as the Swift loops they replace: no floating-point
// contraction (`#pragma clang fp contract(off)`), the same operations in the same order for every element,
// and dot products whose eight accumulator lanes do not depend on the vector width.
#ifndef LOSSLAB_MODEL_KERNELS_H
#define LOSSLAB_MODEL_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The update rules of `ll_optimizer`: plain SGD, Adagrad (accumulated squares from 1), Adam.
enum { LL_OPTIMIZER_SGD = 0, LL_OPTIMIZER_ADAGRAD = 1, LL_OPTIMIZER_ADAM = 2 };

/// One parameter buffer's optimizer state (owned by the Swift `OptimizerState`): rows of `width` floats.
typedef struct {
  /// LL_OPTIMIZER_SGD, LL_OPTIMIZER_ADAGRAD or LL_OPTIMIZER_ADAM.
  int kind;
  /// η.
  float learning_rate;
  /// Floats per row.
  long width;
  /// Adagrad's accumulated squares or Adam's first moments (`rows × width`; unused by SGD).
  float *first;
  /// Adam's second moments (`rows × width`; Adam only).
  float *second;
  /// Adam's per-row step counts (`rows`; Adam only).
  int32_t *steps;
} ll_optimizer;

/// One path's loops over `float`. Counts are element counts; pointers need no alignment. User lists are
/// `long` (Swift's `Int`).
typedef struct {
  /// Σ a[f]·b[f] over n factors: products accumulated in eight lanes (factor f in lane f mod 8) from +0,
  /// the lanes added in order 0…7 from −0 (as Swift's `SIMD8.sum()`), then the factors past the last
  /// multiple of eight one by one.
  float (*dot)(const float *a, const float *b, long n);
  /// scores[i] = dot(p, q + i·factors, factors) + bias[i] for every item i < items.
  void (*score_all)(const float *p, const float *q, const float *bias, long items, long factors, float *scores);
  /// scores[r] = dot(p + users[r]·factors, q + items[r]·factors, factors) + bias[items[r]] for r < count: the
  /// scores of a training batch's (user, item) pairs, four at a time so that their sums interleave.
  void (*score_pairs)(
    const float *p, const float *q, const float *bias, const long *users, const long *items, long count, long factors,
    float *scores);
  /// Row r (`items` floats from r·items) of `scores` gets user `users[r]`'s scores, each equal to
  /// `score_all`'s; the users four at a time share each item row's loads.
  void (*score_block)(
    const float *p, const long *users, long count, const float *q, const float *bias, long items, long factors,
    float *scores);
  /// `score_block` from item panels: `panels` holds ⌈items/16⌉ panels of `factors` rows of sixteen items,
  /// `bias` the biases padded to whole panels; each score equals `score_all`'s bit for bit (each item's
  /// lane does exactly `dot`'s operations).
  void (*score_panels)(
    const float *p, const long *users, long count, const float *panels, const float *bias, long items,
    long factors, float *scores);
  /// out[f] = a·x[f] + c·y[f].
  void (*combine)(float *out, float a, const float *x, float c, const float *y, long n);
  /// out[f] += a·x[f].
  void (*accumulate)(float *out, float a, const float *x, long n);
  /// Applies gradient `g` (`width` floats) to row `row` of `parameters` with optimizer `o`.
  void (*step)(const ll_optimizer *o, float *parameters, long row, const float *g);
  /// `step` with the gradient a·x[f] + c·θ[f], where θ is the row being updated (each element's gradient is
  /// taken from θ[f] before it changes).
  void (*step_combined)(const ll_optimizer *o, float *parameters, long row, float a, const float *x, float c);
  /// For each of the `key_count` keys (ascending distinct ranking keys, none −∞ or NaN), the number of the
  /// `count` scores above it to `greater` and equal to it to `equal` (integers: the same on every path).
  /// Several keys are compared with each score at once in the lanes of vectors (up to 32 per pass over the
  /// scores); `count` must fit in 32 bits.
  void (*count_above_equal)(const float *scores, long count, const float *keys, long key_count, long *greater, long *equal);
} ll_model_kernels;

/// Path `isa`'s loops (LL_ISA_BASELINE, LL_ISA_AVX2 or LL_ISA_AVX512 of loss_kernels.h), or null when `isa`
/// is not a path of this build.
const ll_model_kernels *ll_model_kernels_for(int isa);

#ifdef __cplusplus
}
#endif

#endif
