// One scalar type's loops (included twice by kernels_body.h: float, then double). LL_T is the scalar,
// LL_V a vector of LL_W of them, LL_VI the integer vector of the same shape (compare results), LL_V8 eight
// of them (the accumulators), LL_EXP the vector exp, LL_FN(name) the name with type and path suffixes.

// ---- loads, stores, selects ----

LL_INLINE LL_V LL_FN(load)(const LL_T *p) {
  LL_V v;
  memcpy(&v, p, sizeof v);
  return v;
}

LL_INLINE void LL_FN(store)(LL_T *p, LL_V v) { memcpy(p, &v, sizeof v); }

/// The first `c` (< LL_W) elements of `p`, the other lanes `fill`.
LL_INLINE LL_V LL_FN(load_part)(const LL_T *p, long c, LL_T fill) {
  LL_T b[LL_W];
  for (long i = 0; i < LL_W; i++) b[i] = i < c ? p[i] : fill;
  return LL_FN(load)(b);
}

/// The first `c` lanes of `v` to `p`.
LL_INLINE void LL_FN(store_part)(LL_T *p, LL_V v, long c) {
  LL_T b[LL_W];
  LL_FN(store)(b, v);
  for (long i = 0; i < c; i++) p[i] = b[i];
}

/// `m ? a : b` per lane (m all ones or all zeros).
LL_INLINE LL_V LL_FN(select)(LL_VI m, LL_V a, LL_V b) { return (LL_V)((m & (LL_VI)a) | (~m & (LL_VI)b)); }

/// A streaming store of `v` where `p` is aligned to the vector's size, a plain one elsewhere.
LL_INLINE void LL_FN(store_stream)(LL_T *p, LL_V v) { __builtin_nontemporal_store(v, (LL_V *)p); }

/// Orders the streaming stores before the caller reads the results or hands them to another thread.
LL_INLINE void LL_FN(stream_fence)(void) {
#if defined(__x86_64__)
  __builtin_ia32_sfence();
#endif
}

// ---- sums in a fixed order ----

/// Σ of eight double lanes as ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)).
LL_INLINE double LL_FN(tree8)(ll_vd v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

/// Σ l and Σ l² over the terms of the fused pass: groups of eight terms (element j in lane j mod 8) summed in
/// the scalar type over blocks of 32 groups, the blocks in double; the elements after the last whole
/// group one by one in double.
typedef struct {
  ll_vd sum, squares;
  LL_V8 block_sum, block_squares;
  int groups;
  double tail, tail_squares;
} LL_FN(block_sums);

LL_INLINE void LL_FN(block_flush)(LL_FN(block_sums) * a) {
  a->sum += __builtin_convertvector(a->block_sum, ll_vd);
  a->squares += __builtin_convertvector(a->block_squares, ll_vd);
  a->block_sum = (LL_V8)(0);
  a->block_squares = (LL_V8)(0);
  a->groups = 0;
}

LL_INLINE void LL_FN(block_group)(LL_FN(block_sums) * a, LL_V8 l) {
  a->block_sum += l;
  a->block_squares += l * l;
  if (++a->groups == 32) LL_FN(block_flush)(a);
}

#if LL_W == 16
#define LL_LOW8(v) __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
#define LL_HIGH8(v) __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15)
#endif

/// Adds a whole vector of terms.
LL_INLINE void LL_FN(block_add)(LL_FN(block_sums) * a, LL_V l) {
#if LL_W == 16
  LL_FN(block_group)(a, LL_LOW8(l));
  LL_FN(block_group)(a, LL_HIGH8(l));
#else
  LL_FN(block_group)(a, l);
#endif
}

/// Adds the first `c` (< LL_W) lanes of `l`: whole groups of eight as groups, the rest one by one.
LL_INLINE void LL_FN(block_add_part)(LL_FN(block_sums) * a, LL_V l, long c) {
  LL_T b[LL_W];
  LL_FN(store)(b, l);
  long i = 0;
  for (; i + 8 <= c; i += 8) {
    LL_V8 g;
    memcpy(&g, b + i, sizeof g);
    LL_FN(block_group)(a, g);
  }
  for (; i < c; i++) {
    a->tail += (double)b[i];
    a->tail_squares += (double)b[i] * (double)b[i];
  }
}

LL_INLINE void LL_FN(block_finish)(LL_FN(block_sums) * a, double *sum, double *squares) {
  LL_FN(block_flush)(a);
  *sum = LL_FN(tree8)(a->sum) + a->tail;
  *squares = LL_FN(tree8)(a->squares) + a->tail_squares;
}

/// Σ over the lanes of a poison vector (NaN when any lane is; the order does not matter).
LL_INLINE double LL_FN(poison_sum)(LL_V v) {
  double s = 0;
  for (int i = 0; i < LL_W; i++) s += (double)v[i];
  return s;
}

// ---- the fused pairwise pass ----

/// BPR's terms of one vector.
LL_INLINE void LL_FN(bpr_step)(LL_V x, LL_V m, LL_V *l, LL_V *dl) {
  LL_V y = (LL_T)1 / ((LL_T)1 + LL_EXP(-x));
  *l = m - y;
  *dl = -(((LL_T)1 - y) * y);
}

/// Hinge's terms of one vector: max(m − d, 0) and −[m − d > 0].
LL_INLINE void LL_FN(hinge_step)(LL_V d, LL_V m, LL_V *l, LL_V *dl) {
  LL_V x = m - d;
  LL_VI active = (LL_VI)(x > (LL_T)0);
  *l = LL_FN(select)(active, x, (LL_V)(0));
  *dl = LL_FN(select)(active, (LL_V)(-1), (LL_V)(0));
}


/// One vector of pairs: the term `l` and the gradient `g` of the positive.
LL_INLINE void LL_FN(pair_step)(
  const int bpr, const int has_m, LL_V p, LL_V n, LL_V m, LL_T inverse, LL_V *poison, LL_V *l, LL_V *g) {
  LL_V d = p - n;
  // d − d is NaN when p or n is not finite (or when p − n overflows: the caller's search for the bad value
  // then finds none and goes on).
  *poison += has_m ? (d - d) + (m - m) : d - d;
  LL_V dl;
  if (bpr) {
    LL_FN(bpr_step)(d, m, l, &dl);
    *g = (((LL_T)1 + (LL_T)2 * *l) * inverse) * dl;
  } else {
    // dl is −1 or 0: g is −(1 + 2l)/B where the term is active and +0 elsewhere (not (…)·dl, which gives −0).
    LL_FN(hinge_step)(d, m, l, &dl);
    *g = LL_FN(select)((LL_VI)(dl != (LL_T)0), -(((LL_T)1 + (LL_T)2 * *l) * inverse), (LL_V)(0));
  }
}

LL_INLINE double LL_FN(fused_pairwise_impl)(
  const int bpr, const int has_m, const int has_g, const int stream, const LL_T *p, const LL_T *n, const LL_T *m,
  long count, long batch, LL_T *gp, LL_T *gn, double *sum, double *squares) {
  LL_FN(block_sums) a = {0};
  LL_V poison = (LL_V)(0);
  const LL_T inverse = (LL_T)1 / (LL_T)batch;
  long j = 0;
  for (; j + LL_W <= count; j += LL_W) {
    LL_V l, g;
    LL_V mv = has_m ? LL_FN(load)(m + j) : (LL_V)(1);
    LL_FN(pair_step)(bpr, has_m, LL_FN(load)(p + j), LL_FN(load)(n + j), mv, inverse, &poison, &l, &g);
    LL_FN(block_add)(&a, l);
    if (has_g && stream) {
      LL_FN(store_stream)(gp + j, g);
      LL_FN(store_stream)(gn + j, -g);
    } else if (has_g) {
      LL_FN(store)(gp + j, g);
      LL_FN(store)(gn + j, -g);
    }
  }
  if (stream) LL_FN(stream_fence)();
  if (j < count) {
    long c = count - j;
    LL_V l, g;
    LL_V mv = has_m ? LL_FN(load_part)(m + j, c, 1) : (LL_V)(1);
    LL_FN(pair_step)(
      bpr, has_m, LL_FN(load_part)(p + j, c, 0), LL_FN(load_part)(n + j, c, 0), mv, inverse, &poison, &l, &g);
    LL_FN(block_add_part)(&a, l, c);
    if (has_g) {
      LL_FN(store_part)(gp + j, g, c);
      LL_FN(store_part)(gn + j, -g, c);
    }
  }
  LL_FN(block_finish)(&a, sum, squares);
  return LL_FN(poison_sum)(poison);
}

/// Gradients of at least this many pairs per call, in buffers aligned to the vector size, are written with
/// streaming stores: they go to memory without first reading the lines they overwrite, which saves a third
/// of the memory traffic once the batch is larger than the caches (2 × 1 MiB of float gradients here).
#define LL_STREAM_PAIRS (1L << 18)

static double LL_FN(fused_pairwise)(
  int bpr, const void *p, const void *n, const void *m, long count, long batch, void *gp, void *gn, double *sum,
  double *squares) {
  const int g = gp != NULL && gn != NULL;
  const int s = g && count >= LL_STREAM_PAIRS && (uintptr_t)gp % sizeof(LL_V) == 0 && (uintptr_t)gn % sizeof(LL_V) == 0;
#define LL_FUSED(b, hm, hg, st) \
  LL_FN(fused_pairwise_impl)(b, hm, hg, st, p, n, m, count, batch, gp, gn, sum, squares)
  if (bpr) {
    if (m) return g ? (s ? LL_FUSED(1, 1, 1, 1) : LL_FUSED(1, 1, 1, 0)) : LL_FUSED(1, 1, 0, 0);
    return g ? (s ? LL_FUSED(1, 0, 1, 1) : LL_FUSED(1, 0, 1, 0)) : LL_FUSED(1, 0, 0, 0);
  }
  if (m) return g ? (s ? LL_FUSED(0, 1, 1, 1) : LL_FUSED(0, 1, 1, 0)) : LL_FUSED(0, 1, 0, 0);
  return g ? (s ? LL_FUSED(0, 0, 1, 1) : LL_FUSED(0, 0, 1, 0)) : LL_FUSED(0, 0, 0, 0);
#undef LL_FUSED
}

// ---- element-wise steps of the general path ----

static void LL_FN(differences)(const void *pv, const void *nv, void *dv, void *poisonv, long count) {
  const LL_T *p = pv, *n = nv;
  LL_T *d = dv, *poison = poisonv;
  long j = 0;
  for (; j + LL_W <= count; j += LL_W) {
    LL_V a = LL_FN(load)(p + j), b = LL_FN(load)(n + j);
    LL_FN(store)(d + j, a - b);
    LL_FN(store)(poison + j, (a - a) + (b - b));
  }
  for (; j < count; j++) {
    d[j] = p[j] - n[j];
    poison[j] = (p[j] - p[j]) + (n[j] - n[j]);
  }
}

static void LL_FN(add_poison)(const void *xv, void *poisonv, long count) {
  const LL_T *x = xv;
  LL_T *poison = poisonv;
  long j = 0;
  for (; j + LL_W <= count; j += LL_W) {
    LL_V v = LL_FN(load)(x + j);
    LL_FN(store)(poison + j, LL_FN(load)(poison + j) + (v - v));
  }
  for (; j < count; j++) poison[j] += x[j] - x[j];
}

/// The terms of `count` pairs through `step` (one vector at a time, the last one padded: d = 0, m = 1).
LL_INLINE void LL_FN(terms_loop)(
  void (*step)(LL_V, LL_V, LL_V *, LL_V *), const LL_T *d, const LL_T *m, long count, LL_T *values,
  LL_T *derivatives) {
  long j = 0;
  LL_V l, dl;
  for (; j + LL_W <= count; j += LL_W) {
    step(LL_FN(load)(d + j), m ? LL_FN(load)(m + j) : (LL_V)(1), &l, &dl);
    LL_FN(store)(values + j, l);
    LL_FN(store)(derivatives + j, dl);
  }
  if (j < count) {
    long c = count - j;
    step(LL_FN(load_part)(d + j, c, 0), m ? LL_FN(load_part)(m + j, c, 1) : (LL_V)(1), &l, &dl);
    LL_FN(store_part)(values + j, l, c);
    LL_FN(store_part)(derivatives + j, dl, c);
  }
}

/// `y = f(x)` for `count` elements (one vector at a time, the last one padded with 0).
LL_INLINE void LL_FN(map_loop)(LL_V (*f)(LL_V), const LL_T *x, LL_T *y, long count) {
  long j = 0;
  for (; j + LL_W <= count; j += LL_W) LL_FN(store)(y + j, f(LL_FN(load)(x + j)));
  if (j < count) LL_FN(store_part)(y + j, f(LL_FN(load_part)(x + j, count - j, 0)), count - j);
}

static void LL_FN(hinge_terms)(const void *d, const void *m, long count, void *values, void *derivatives) {
  LL_FN(terms_loop)(LL_FN(hinge_step), d, m, count, values, derivatives);
}

static void LL_FN(bpr_terms)(const void *d, const void *m, long count, void *values, void *derivatives) {
  LL_FN(terms_loop)(LL_FN(bpr_step), d, m, count, values, derivatives);
}

#if LL_HAS_LOG1P
/// log-sigmoid BPR's terms of one vector: x = (m − 1) − d, e = e^{−|x|}, l = max(x, 0) + log1p(e),
/// ∂l/∂d = −(x ≥ 0 ? 1 : e) / (1 + e).
LL_INLINE void LL_FN(log_sigmoid_step)(LL_V dv, LL_V m, LL_V *l, LL_V *dl) {
  LL_V x = (m - (LL_T)1) - dv;
  LL_VI nonnegative = (LL_VI)(x >= (LL_T)0);
  LL_V e = LL_EXP(-LL_FN(select)((LL_VI)(x < (LL_T)0), -x, x));
  *l = LL_FN(select)(nonnegative, x, (LL_V)(0)) + ll_log1pf_unit(e);
  LL_V sigmoid = LL_FN(select)(nonnegative, (LL_V)(1), e) / ((LL_T)1 + e);
  *dl = -sigmoid;
}

static void LL_FN(log_sigmoid_terms)(const void *d, const void *m, long count, void *values, void *derivatives) {
  LL_FN(terms_loop)(LL_FN(log_sigmoid_step), d, m, count, values, derivatives);
}

static void LL_FN(log1p_unit)(const void *t, void *y, long count) { LL_FN(map_loop)(ll_log1pf_unit, t, y, count); }
#endif

static void LL_FN(exp)(const void *x, void *y, long count) { LL_FN(map_loop)(LL_EXP, x, y, count); }

static void LL_FN(pair_gradients)(
  int seed, const void *valuesv, const void *derivativesv, long count, long batch, void *positivev,
  void *negativev) {
  const LL_T *values = valuesv, *derivatives = derivativesv;
  LL_T *positive = positivev, *negative = negativev;
  const LL_T inverse = (LL_T)1 / (LL_T)batch;
  long j = 0;
  for (; j + LL_W <= count; j += LL_W) {
    LL_V l = LL_FN(load)(values + j), dl = LL_FN(load)(derivatives + j);
    LL_V g = seed ? (((LL_T)1 + (LL_T)2 * l) * inverse) * dl : inverse * dl;
    LL_FN(store)(positive + j, g);
    LL_FN(store)(negative + j, -g);
  }
  for (; j < count; j++) {
    LL_T g = seed ? ((1 + 2 * values[j]) * inverse) * derivatives[j] : inverse * derivatives[j];
    positive[j] = g;
    negative[j] = -g;
  }
}

/// Σ v and Σ v² in double: eight double lanes (element j in lane j mod 8), the rest one by one.
static void LL_FN(sums)(const void *valuesv, long count, double *sum, double *squares) {
  const LL_T *values = valuesv;
  ll_vd s = (ll_vd)(0), q = (ll_vd)(0);
  long j = 0;
  for (; j + 8 <= count; j += 8) {
    LL_V8 g;
    memcpy(&g, values + j, sizeof g);
    ll_vd v = __builtin_convertvector(g, ll_vd);
    s += v;
    q += v * v;
  }
  double tail = 0, tail_squares = 0;
  for (; j < count; j++) {
    double v = (double)values[j];
    tail += v;
    tail_squares += v * v;
  }
  *sum = LL_FN(tree8)(s) + tail;
  *squares = LL_FN(tree8)(q) + tail_squares;
}

static void LL_FN(row_indices)(const void *rowsv, int *indices, long count) {
  const LL_T *rows = rowsv;
  for (long j = 0; j < count; j++) indices[j] = (int)rows[j];
}

// ---- the adaptive and WARP scans ----

/// Row k of a tile of gradients: `g[j]` where `rows[j] == k`, 0 elsewhere; plain stores up to the vector
/// alignment, streaming stores after it (they skip the read-for-ownership of lines that are overwritten
/// whole).
LL_INLINE void LL_FN(picked_row)(LL_T *out, LL_T k, const LL_T *rows, const LL_T *g, long count) {
  long j = 0;
  for (; j < count && ((uintptr_t)(out + j) % sizeof(LL_V)) != 0; j++) out[j] = rows[j] == k ? g[j] : 0;
  const LL_V kv = (LL_V)(k);
  for (; j + LL_W <= count; j += LL_W)
    LL_FN(store_stream)(
      out + j, LL_FN(select)((LL_VI)(LL_FN(load)(rows + j) == kv), LL_FN(load)(g + j), (LL_V)(0)));
  for (; j < count; j++) out[j] = rows[j] == k ? g[j] : 0;
}


static void LL_FN(picked_rows)(void *gnv, long stride, long rows, const void *best_row, const void *g, long count) {
  LL_T *gn = gnv;
  for (long k = 0; k < rows; k++) LL_FN(picked_row)(gn + k * stride, (LL_T)k, best_row, g, count);
  LL_FN(stream_fence)();
}

static double LL_FN(max_scan_tile)(
  const void *nv, long stride, long rows, void *bestv, void *best_rowv, long count, void *gn_prevv,
  const void *row_prevv, const void *g_prevv, long count_prev) {
  const LL_T *n = nv;
  LL_T *best = bestv, *best_row = best_rowv, *gn_prev = gn_prevv;
  const LL_T *row_prev = row_prevv, *g_prev = g_prevv;
#define LL_WRITE_PREVIOUS(k) \
  if (gn_prev) LL_FN(picked_row)(gn_prev + (k) * stride, (LL_T)(k), row_prev, g_prev, count_prev)
  LL_V check = (LL_V)(0);
  double scalar_check = 0;
  // Row 0.
  long j = 0;
  for (; j + LL_W <= count; j += LL_W) {
    LL_V v = LL_FN(load)(n + j);
    LL_FN(store)(best + j, v);
    LL_FN(store)(best_row + j, (LL_V)(0));
    check += v - v;
  }
  for (; j < count; j++) {
    best[j] = n[j];
    best_row[j] = 0;
    scalar_check += (double)(n[j] - n[j]);
  }
  LL_WRITE_PREVIOUS(0);
  long k = 1;
  for (; k + 4 <= rows; k += 4) {
    const LL_T *r0 = n + k * stride, *r1 = r0 + stride, *r2 = r1 + stride, *r3 = r2 + stride;
    const LL_V k0 = (LL_V)((LL_T)k), k1 = (LL_V)((LL_T)(k + 1)), k2 = (LL_V)((LL_T)(k + 2)),
               k3 = (LL_V)((LL_T)(k + 3));
    j = 0;
    for (; j + LL_W <= count; j += LL_W) {
      LL_V b = LL_FN(load)(best + j), r = LL_FN(load)(best_row + j);
      LL_V v0 = LL_FN(load)(r0 + j), v1 = LL_FN(load)(r1 + j), v2 = LL_FN(load)(r2 + j), v3 = LL_FN(load)(r3 + j);
      LL_VI greater = (LL_VI)(v0 > b);
      b = LL_FN(select)(greater, v0, b);
      r = LL_FN(select)(greater, k0, r);
      greater = (LL_VI)(v1 > b);
      b = LL_FN(select)(greater, v1, b);
      r = LL_FN(select)(greater, k1, r);
      greater = (LL_VI)(v2 > b);
      b = LL_FN(select)(greater, v2, b);
      r = LL_FN(select)(greater, k2, r);
      greater = (LL_VI)(v3 > b);
      b = LL_FN(select)(greater, v3, b);
      r = LL_FN(select)(greater, k3, r);
      LL_FN(store)(best + j, b);
      LL_FN(store)(best_row + j, r);
      check += ((v0 - v0) + (v1 - v1)) + ((v2 - v2) + (v3 - v3));
    }
    for (; j < count; j++) {
      for (int q = 0; q < 4; q++) {
        LL_T v = n[(k + q) * stride + j];
        scalar_check += (double)(v - v);
        if (v > best[j]) {
          best[j] = v;
          best_row[j] = (LL_T)(k + q);
        }
      }
    }
    for (int q = 0; q < 4; q++) LL_WRITE_PREVIOUS(k + q);
  }
  for (; k < rows; k++) {
    const LL_T *row = n + k * stride;
    for (j = 0; j < count; j++) {
      LL_T v = row[j];
      scalar_check += (double)(v - v);
      if (v > best[j]) {
        best[j] = v;
        best_row[j] = (LL_T)k;
      }
    }
    LL_WRITE_PREVIOUS(k);
  }
  if (gn_prev) LL_FN(stream_fence)();
#undef LL_WRITE_PREVIOUS
  return LL_FN(poison_sum)(check) + scalar_check;
}

/// Rows k … k + q − 1 of the WARP scan over `count` columns (q = 4, or 1 for the last rows).
LL_INLINE double LL_FN(violation_rows)(
  const int q, const LL_T *n, const LL_T *m, long stride, long k, const LL_T *p, LL_T *found, LL_T *hinge,
  long count) {
  LL_V check = (LL_V)(0);
  double scalar_check = 0;
  long j = 0;
  for (; j + LL_W <= count; j += LL_W) {
    LL_V pv = LL_FN(load)(p + j), f = LL_FN(load)(found + j), h = LL_FN(load)(hinge + j);
    for (int r = 0; r < q; r++) {
      LL_V v = LL_FN(load)(n + (k + r) * stride + j);
      LL_V mv = m ? LL_FN(load)(m + (k + r) * stride + j) : (LL_V)(1);
      LL_V x = (mv - pv) + v;
      LL_VI first = (LL_VI)(x > (LL_T)0) & (LL_VI)(f < (LL_T)0);
      f = LL_FN(select)(first, (LL_V)((LL_T)(k + r)), f);
      h = LL_FN(select)(first, x, h);
      check += (v - v) + (mv - mv);
    }
    LL_FN(store)(found + j, f);
    LL_FN(store)(hinge + j, h);
  }
  for (; j < count; j++) {
    for (int r = 0; r < q; r++) {
      LL_T v = n[(k + r) * stride + j];
      LL_T mv = m ? m[(k + r) * stride + j] : 1;
      LL_T x = (mv - p[j]) + v;
      scalar_check += (double)((v - v) + (mv - mv));
      if (x > 0 && found[j] < 0) {
        found[j] = (LL_T)(k + r);
        hinge[j] = x;
      }
    }
  }
  return LL_FN(poison_sum)(check) + scalar_check;
}

/// Row k of WARP's negative gradients over `count` columns: w·(1 + 2·w·h)/B where row k is the column's
/// first violation (w = weights[k + 1]), 0 elsewhere; streaming stores after the alignment.
LL_INLINE void LL_FN(warp_gradient_row)(
  LL_T *row, long k, const LL_T *found, const LL_T *hinge, LL_T w, LL_T batch, long count) {
  long j = 0;
  for (; j < count && ((uintptr_t)(row + j) % sizeof(LL_V)) != 0; j++)
    row[j] = found[j] == (LL_T)k ? (w * ((LL_T)1 + (LL_T)2 * (w * hinge[j]))) / batch : 0;
  const LL_V kv = (LL_V)((LL_T)k);
  for (; j + LL_W <= count; j += LL_W) {
    LL_VI hit = (LL_VI)(LL_FN(load)(found + j) == kv);
    if (__builtin_reduce_or(hit) == 0) {
      // No column of these lanes has its first violation in this row (after the first rows, most): zeros,
      // without the division.
      LL_FN(store_stream)(row + j, (LL_V)(0));
      continue;
    }
    LL_V l = w * LL_FN(load)(hinge + j);
    LL_V g = (w * ((LL_T)1 + (LL_T)2 * l)) / batch;
    LL_FN(store_stream)(row + j, LL_FN(select)(hit, g, (LL_V)(0)));
  }
  for (; j < count; j++)
    row[j] = found[j] == (LL_T)k ? (w * ((LL_T)1 + (LL_T)2 * (w * hinge[j]))) / batch : 0;
}

LL_INLINE double LL_FN(warp_scan)(
  const LL_T *n, const LL_T *m, long stride, long rows, const LL_T *p, LL_T *found, LL_T *hinge, long count,
  const LL_T *weights, long batch, LL_T *gn) {
  double check = 0;
  for (long j = 0; j < count; j++) {
    found[j] = -1;
    hinge[j] = 0;
    check += (double)(p[j] - p[j]);
  }
  long k = 0;
  for (; k + 4 <= rows; k += 4) {
    check += LL_FN(violation_rows)(4, n, m, stride, k, p, found, hinge, count);
    if (gn)
      for (long r = k; r < k + 4; r++)
        LL_FN(warp_gradient_row)(gn + r * stride, r, found, hinge, weights[r + 1], (LL_T)batch, count);
  }
  for (; k < rows; k++) {
    check += LL_FN(violation_rows)(1, n, m, stride, k, p, found, hinge, count);
    if (gn) LL_FN(warp_gradient_row)(gn + k * stride, k, found, hinge, weights[k + 1], (LL_T)batch, count);
  }
  if (gn) LL_FN(stream_fence)();
  return check;
}

static double LL_FN(warp_tile)(
  const void *n, const void *m, long stride, long rows, const void *p, void *found, void *hinge, long count,
  const void *weights, long batch, void *gn) {
  return LL_FN(warp_scan)(n, m, stride, rows, p, found, hinge, count, weights, batch, gn);
}

const ll_loss_kernels LL_TABLE = {
  .fused_pairwise = LL_FN(fused_pairwise),
  .differences = LL_FN(differences),
  .add_poison = LL_FN(add_poison),
  .max_scan_tile = LL_FN(max_scan_tile),
  .picked_rows = LL_FN(picked_rows),
  .warp_tile = LL_FN(warp_tile),
  .hinge_terms = LL_FN(hinge_terms),
  .bpr_terms = LL_FN(bpr_terms),
#if LL_HAS_LOG1P
  .log_sigmoid_terms = LL_FN(log_sigmoid_terms),
  .log1p_unit = LL_FN(log1p_unit),
#endif
  .pair_gradients = LL_FN(pair_gradients),
  .sums = LL_FN(sums),
  .row_indices = LL_FN(row_indices),
  .exp = LL_FN(exp),
};
#undef LL_LOW8
#undef LL_HIGH8
