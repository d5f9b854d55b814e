// The hot loops of LossLab's loss kernels, compiled once per instruction set and chosen at run time.
//
// Every loop is written once (kernels_body.h, kernels_typed.h) with clang's portable vector types and
// compiled three times on x86-64: for the baseline (SSE2), for AVX2 + FMA and for AVX-512 (F, BW, DQ, VL),
// through `#pragma clang attribute push(__attribute__((target(...))))` around the same source. No compiler
// flag is involved. On arm64 only the baseline (NEON) exists. The paths give bit-identical results: no
// floating-point contraction (`#pragma clang fp contract(off)`), the same operations in the same order, and
// sums whose lane structure does not depend on the vector width.
#ifndef LOSSLAB_LOSS_KERNELS_H
#define LOSSLAB_LOSS_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction-set paths: 0 baseline, 1 AVX2 + FMA, 2 AVX-512.
enum { LL_ISA_BASELINE = 0, LL_ISA_AVX2 = 1, LL_ISA_AVX512 = 2, LL_ISA_COUNT = 3 };

/// Whether this CPU and operating system run path `isa` (cpuid and, for the wide registers, xgetbv).
int ll_isa_supported(int isa);
/// The widest path this machine runs.
int ll_isa_best(void);
/// The path in use: `LOSSLAB_ISA` when it names a supported path, otherwise the best. Decided on the first
/// call (or by `ll_isa_select`).
int ll_isa_active(void);
/// Uses path `isa` from now on; returns 0, or -1 (nothing changed) when this machine cannot run it.
int ll_isa_select(int isa);
/// What was wrong with `LOSSLAB_ISA`: 0 unset or fine, 1 not a path name, 2 a path this machine lacks.
int ll_isa_environment_problem(void);

/// One path's loops over `float` (suffix f32) or `double` (f64). Counts are element counts; pointers need no
/// alignment. `poison` buffers hold `x − x` sums: NaN exactly where an input was not finite.
typedef struct {
  /// The seed's hinge (`bpr == 0`) or BPR pass in one loop: terms l, Σ l and Σ l² (in double, with a
  /// summation order that is the same on every path), the gradients `g = (1 + 2l)/B · ∂l/∂d` to `gp` and
  /// `−g` to `gn` when both are given. Returns the poison of the inputs (finite, or NaN/±inf).
  double (*fused_pairwise)(
    int bpr, const void *p, const void *n, const void *m, long count, long batch, void *gp, void *gn,
    double *sum, double *squares);
  /// d = p − n; poison = (p − p) + (n − n).
  void (*differences)(const void *p, const void *n, void *d, void *poison, long count);
  /// poison += x − x.
  void (*add_poison)(const void *x, void *poison, long count);
  /// The adaptive scan of one tile: rows 0 … rows−1 of `n` (`stride` apart), `count` columns; `best` gets each
  /// column's first maximal score and `best_row` its row (as a scalar). Returns the poison of every score.
  /// When `gn_prev` is given, the gradient rows of the previous tile are written as the scan passes (as
  /// `picked_rows(gn_prev, stride, rows, row_prev, g_prev, count_prev)` would), so that the memory reads of
  /// this tile and the writes of the last one are in flight together.
  double (*max_scan_tile)(
    const void *n, long stride, long rows, void *best, void *best_row, long count, void *gn_prev,
    const void *row_prev, const void *g_prev, long count_prev);
  /// Writes rows 0 … rows−1 of a tile of `gn` (`stride` apart, `count` columns) whole: `g[j]` in column j of
  /// row `best_row[j]`, 0 elsewhere, with streaming stores (no read of the rows, no scattered store).
  void (*picked_rows)(void *gn, long stride, long rows, const void *best_row, const void *g, long count);
  /// The WARP scan of one tile: `h = (m − p) + n` (m = 1 when `m` is null) row by row; the first row with
  /// `h > 0` goes to `found` (−1 when none) and its `h` to `hinge` (both written, not read). When `gn` is
  /// given, each row k of it (same stride) gets `w·(1 + 2·w·h)/B` in the columns whose first violation is
  /// row k and 0 elsewhere, where `w = weights[k + 1]`, with streaming stores as the scan passes. Returns the
  /// poison of the positives, every score and every margin.
  double (*warp_tile)(
    const void *n, const void *m, long stride, long rows, const void *p, void *found, void *hinge, long count,
    const void *weights, long batch, void *gn);
  /// Hinge terms max(m − d, 0) and derivatives −[m − d > 0] (m = 1 when null).
  void (*hinge_terms)(const void *d, const void *m, long count, void *values, void *derivatives);
  /// BPR terms `m − σ(d)` and derivatives `−(1 − σ)·σ` with the vector exp (m = 1 when null).
  void (*bpr_terms)(const void *d, const void *m, long count, void *values, void *derivatives);
  /// log-sigmoid BPR terms softplus((m − 1) − d) and derivatives −σ((m − 1) − d) (f32 only; null for f64).
  void (*log_sigmoid_terms)(const void *d, const void *m, long count, void *values, void *derivatives);
  /// g = (1 + 2l)/B · dl (seed != 0) or dl / B to `positive`, −g to `negative`.
  void (*pair_gradients)(
    int seed, const void *values, const void *derivatives, long count, long batch, void *positive, void *negative);
  /// Σ v and Σ v² in double (the same order on every path).
  void (*sums)(const void *values, long count, double *sum, double *squares);
  /// Row numbers kept as scalars, as int32.
  void (*row_indices)(const void *rows, int *indices, long count);
  /// y = eˣ with the vector exp, for the accuracy tests.
  void (*exp)(const void *x, void *y, long count);
  /// y = log(1 + t) for t in [0, 1] with the vector log1p (f32 only; null for f64), for the accuracy tests.
  void (*log1p_unit)(const void *t, void *y, long count);
} ll_loss_kernels;

/// Path `isa`'s loops (null when `isa` is not a path of this build). `double_precision` picks f64.
const ll_loss_kernels *ll_loss_kernels_for(int isa, int double_precision);

#ifdef __cplusplus
}
#endif

#endif
