// The recommender's loops of every path, written once. A path's file (kernels_baseline.c, kernels_avx2.c,
// kernels_avx512.c) defines LL_MODEL_SUFFIX (its name) and LL_MODEL_WF (float lanes per vector for
// element-wise loops: 8, or 16 with AVX-512) and includes this file inside its target pragma.
//
// Rules that make the paths bit-identical (and equal to the Swift loops they replaced):
// - no contraction of a·b + c into a fused multiply-add (the pragma below), and no reassociation;
// - element-wise loops (the optimizers, the gradient rows) do the same operations on every element,
//   whatever the vector width, the elements after the last whole vector one by one;
// - a dot product accumulates factor f in lane f mod 8 of eight lanes from +0, adds the lanes in order
//   0 … 7 from −0, then the factors after the last multiple of eight one by one: eight lanes on every path
//   (a panel's sixteen lanes are sixteen items, each doing exactly that).
#include "model_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)
// Vector arguments between these always-inlined helpers never cross a call boundary.
#pragma clang diagnostic ignored "-Wpsabi"

#define LL_MCAT2(a, b) a##b
#define LL_MCAT(a, b) LL_MCAT2(a, b)
#define LL_MFN(name) LL_MCAT(ll_model_##name##_, LL_MODEL_SUFFIX)
#define LL_MINLINE static inline __attribute__((always_inline))

typedef float LL_MFN(v8) __attribute__((ext_vector_type(8)));
typedef float LL_MFN(v16) __attribute__((ext_vector_type(16)));
typedef float LL_MFN(vw) __attribute__((ext_vector_type(LL_MODEL_WF)));
#define LL_V8 LL_MFN(v8)
#define LL_V16 LL_MFN(v16)
#define LL_VW LL_MFN(vw)

LL_MINLINE LL_V8 LL_MFN(load8)(const float *p) {
  LL_V8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

LL_MINLINE LL_V16 LL_MFN(load16)(const float *p) {
  LL_V16 v;
  memcpy(&v, p, sizeof v);
  return v;
}

LL_MINLINE LL_VW LL_MFN(loadw)(const float *p) {
  LL_VW v;
  memcpy(&v, p, sizeof v);
  return v;
}

LL_MINLINE void LL_MFN(storew)(float *p, LL_VW v) { memcpy(p, &v, sizeof v); }

/// The eight lanes added in order from −0, as Swift's `SIMD8<Float>.sum()`.
LL_MINLINE float LL_MFN(lane_sum)(LL_V8 v) {
  float s = -0.0f;
  s += v[0];
  s += v[1];
  s += v[2];
  s += v[3];
  s += v[4];
  s += v[5];
  s += v[6];
  s += v[7];
  return s;
}

// ---- dot products and scores ----

LL_MINLINE float LL_MFN(dot_inline)(const float *a, const float *b, long n) {
  LL_V8 lanes = (LL_V8)(0.0f);
  long f = 0;
  for (; f + 8 <= n; f += 8) lanes = lanes + LL_MFN(load8)(a + f) * LL_MFN(load8)(b + f);
  float sum = LL_MFN(lane_sum)(lanes);
  for (; f < n; f++) sum = sum + a[f] * b[f];
  return sum;
}

static float LL_MFN(dot)(const float *a, const float *b, long n) { return LL_MFN(dot_inline)(a, b, n); }

static void LL_MFN(score_all)(const float *p, const float *q, const float *bias, long items, long factors, float *scores) {
  for (long i = 0; i < items; i++) scores[i] = LL_MFN(dot_inline)(p, q + i * factors, factors) + bias[i];
}

/// Four dot products `a_j · b_j`, each with exactly `dot`'s operations; their dependency chains interleave.
LL_MINLINE void LL_MFN(dot4_pairs)(
  const float *a0, const float *a1, const float *a2, const float *a3, const float *b0, const float *b1,
  const float *b2, const float *b3, long n, float out[4]) {
  LL_V8 l0 = (LL_V8)(0.0f), l1 = (LL_V8)(0.0f), l2 = (LL_V8)(0.0f), l3 = (LL_V8)(0.0f);
  long f = 0;
  for (; f + 8 <= n; f += 8) {
    l0 = l0 + LL_MFN(load8)(a0 + f) * LL_MFN(load8)(b0 + f);
    l1 = l1 + LL_MFN(load8)(a1 + f) * LL_MFN(load8)(b1 + f);
    l2 = l2 + LL_MFN(load8)(a2 + f) * LL_MFN(load8)(b2 + f);
    l3 = l3 + LL_MFN(load8)(a3 + f) * LL_MFN(load8)(b3 + f);
  }
  float s0 = LL_MFN(lane_sum)(l0), s1 = LL_MFN(lane_sum)(l1), s2 = LL_MFN(lane_sum)(l2), s3 = LL_MFN(lane_sum)(l3);
  for (; f < n; f++) {
    s0 = s0 + a0[f] * b0[f];
    s1 = s1 + a1[f] * b1[f];
    s2 = s2 + a2[f] * b2[f];
    s3 = s3 + a3[f] * b3[f];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/// Four dot products sharing `b` (loaded once for the four).
LL_MINLINE void LL_MFN(dot4)(
  const float *a0, const float *a1, const float *a2, const float *a3, const float *b, long n, float out[4]) {
  LL_MFN(dot4_pairs)(a0, a1, a2, a3, b, b, b, b, n, out);
}

static void LL_MFN(score_pairs)(
  const float *p, const float *q, const float *bias, const long *users, const long *items, long count, long factors,
  float *scores) {
  long r = 0;
  for (; r + 4 <= count; r += 4) {
    float s[4];
    LL_MFN(dot4_pairs)(
      p + users[r] * factors, p + users[r + 1] * factors, p + users[r + 2] * factors, p + users[r + 3] * factors,
      q + items[r] * factors, q + items[r + 1] * factors, q + items[r + 2] * factors, q + items[r + 3] * factors,
      factors, s);
    for (int k = 0; k < 4; k++) scores[r + k] = s[k] + bias[items[r + k]];
  }
  for (; r < count; r++) scores[r] = LL_MFN(dot_inline)(p + users[r] * factors, q + items[r] * factors, factors) + bias[items[r]];
}

/// The users eight at a time; each item row is loaded once per four users of a block.
static void LL_MFN(score_block)(
  const float *p, const long *users, long count, const float *q, const float *bias, long items, long factors,
  float *scores) {
  for (long start = 0; start < count; start += 8) {
    long block = count - start < 8 ? count - start : 8;
    const long *u = users + start;
    float *rows = scores + start * items;
    for (long i = 0; i < items; i++) {
      const float *qi = q + i * factors;
      float b = bias[i];
      long r = 0;
      for (; r + 4 <= block; r += 4) {
        float s[4];
        LL_MFN(dot4)(p + u[r] * factors, p + u[r + 1] * factors, p + u[r + 2] * factors, p + u[r + 3] * factors, qi,
                     factors, s);
        rows[r * items + i] = s[0] + b;
        rows[(r + 1) * items + i] = s[1] + b;
        rows[(r + 2) * items + i] = s[2] + b;
        rows[(r + 3) * items + i] = s[3] + b;
      }
      for (; r < block; r++) rows[r * items + i] = LL_MFN(dot_inline)(p + u[r] * factors, qi, factors) + b;
    }
  }
}

/// `dot(a, q_i, n)` for the sixteen items of panel `q` (`n` rows of sixteen floats), in the lanes: lane j of
/// dot (factors j, j + 8, … from +0) for every j, added in order from −0, then the factors after the last
/// multiple of eight.
LL_MINLINE LL_V16 LL_MFN(panel_dot)(const float *a, const float *q, long n) {
  long chunks = n / 8;
  LL_V16 sum = (LL_V16)(-0.0f);
  for (long j = 0; j < 8; j++) {
    LL_V16 lane = (LL_V16)(0.0f);
    long f = j;
    for (long c = 0; c < chunks; c++, f += 8) lane = lane + (LL_V16)(a[f]) * LL_MFN(load16)(q + 16 * f);
    sum = sum + lane;
  }
  for (long f = 8 * chunks; f < n; f++) sum = sum + (LL_V16)(a[f]) * LL_MFN(load16)(q + 16 * f);
  return sum;
}

static void LL_MFN(score_panels)(
  const float *p, const long *users, long count, const float *panels, const float *bias, long items, long factors,
  float *scores) {
  long panel_count = (items + 15) / 16;
  for (long panel = 0; panel < panel_count; panel++) {
    const float *q = panels + panel * factors * 16;
    LL_V16 b = LL_MFN(load16)(bias + panel * 16);
    long first = panel * 16;
    long lanes = items - first < 16 ? items - first : 16;
    for (long r = 0; r < count; r++) {
      LL_V16 s = LL_MFN(panel_dot)(p + users[r] * factors, q, factors) + b;
      float *target = scores + r * items + first;
      if (lanes == 16) {
        memcpy(target, &s, sizeof s);
      } else {
        float t[16];
        memcpy(t, &s, sizeof s);
        for (long l = 0; l < lanes; l++) target[l] = t[l];
      }
    }
  }
}

// ---- ranking: candidates above and equal to each key ----

typedef int32_t LL_MFN(vwi) __attribute__((ext_vector_type(LL_MODEL_WF)));
typedef float LL_MFN(v4) __attribute__((ext_vector_type(4)));
typedef int32_t LL_MFN(v4i) __attribute__((ext_vector_type(4)));
#define LL_VWI LL_MFN(vwi)

/// One pass over the scores for the `used` (≤ groups·LL_MODEL_WF) keys from `keys`: `groups` vectors of keys
/// (lanes past the keys NaN: they count nothing), the counts kept in the lanes (a true comparison is −1).
LL_MINLINE void LL_MFN(count_pass)(
  const float *scores, long count, const float *keys, long used, long *greater, long *equal, const int groups) {
  LL_VW k[4];
  LL_VWI above[4], same[4];
  for (int g = 0; g < groups; g++) {
    float padded[LL_MODEL_WF];
    for (long l = 0; l < LL_MODEL_WF; l++) padded[l] = g * LL_MODEL_WF + l < used ? keys[g * LL_MODEL_WF + l] : __builtin_nanf("");
    k[g] = LL_MFN(loadw)(padded);
    above[g] = (LL_VWI)(0);
    same[g] = (LL_VWI)(0);
  }
  for (long i = 0; i < count; i++) {
    LL_VW x = (LL_VW)(scores[i]);
    for (int g = 0; g < groups; g++) {
      above[g] -= (LL_VWI)(k[g] < x);
      same[g] -= (LL_VWI)(k[g] == x);
    }
  }
  for (int g = 0; g < groups; g++) {
    for (long l = 0; l < LL_MODEL_WF && g * LL_MODEL_WF + l < used; l++) {
      greater[g * LL_MODEL_WF + l] = above[g][l];
      equal[g * LL_MODEL_WF + l] = same[g][l];
    }
  }
}

/// `count_pass` for at most four keys, in four lanes.
LL_MINLINE void LL_MFN(count_pass4)(
  const float *scores, long count, const float *keys, long used, long *greater, long *equal) {
  LL_MFN(v4) k;
  for (long l = 0; l < 4; l++) k[l] = l < used ? keys[l] : __builtin_nanf("");
  LL_MFN(v4i) above = (LL_MFN(v4i))(0), same = (LL_MFN(v4i))(0);
  for (long i = 0; i < count; i++) {
    LL_MFN(v4) x = (LL_MFN(v4))(scores[i]);
    above -= (LL_MFN(v4i))(k < x);
    same -= (LL_MFN(v4i))(k == x);
  }
  for (long l = 0; l < used; l++) {
    greater[l] = above[l];
    equal[l] = same[l];
  }
}

/// The most key vectors per pass (a path's file may set LL_MODEL_COUNT_GROUPS, at most 4): registers for
/// the keys and both counts of each; SSE2 holds a vector of eight in two registers, so two by default.
#ifdef LL_MODEL_COUNT_GROUPS
#define LL_COUNT_GROUPS LL_MODEL_COUNT_GROUPS
#else
#define LL_COUNT_GROUPS 2
#endif

static void LL_MFN(count_above_equal)(
  const float *scores, long count, const float *keys, long key_count, long *greater, long *equal) {
  long first = 0;
  while (first < key_count) {
    long left = key_count - first;
    if (left <= 4) {
      LL_MFN(count_pass4)(scores, count, keys + first, left, greater + first, equal + first);
      return;
    }
    long groups = (left + LL_MODEL_WF - 1) / LL_MODEL_WF;
    if (groups > LL_COUNT_GROUPS) groups = LL_COUNT_GROUPS;
    long used = left < groups * LL_MODEL_WF ? left : groups * LL_MODEL_WF;
    switch (groups) {
    case 1: LL_MFN(count_pass)(scores, count, keys + first, used, greater + first, equal + first, 1); break;
    case 2: LL_MFN(count_pass)(scores, count, keys + first, used, greater + first, equal + first, 2); break;
    case 3: LL_MFN(count_pass)(scores, count, keys + first, used, greater + first, equal + first, 3); break;
    default: LL_MFN(count_pass)(scores, count, keys + first, used, greater + first, equal + first, 4); break;
    }
    first += used;
  }
}

#undef LL_COUNT_GROUPS

// ---- gradient rows ----

static void LL_MFN(combine)(float *out, float a, const float *x, float c, const float *y, long n) {
  long f = 0;
  for (; f + LL_MODEL_WF <= n; f += LL_MODEL_WF)
    LL_MFN(storew)(out + f, (LL_VW)(a) * LL_MFN(loadw)(x + f) + (LL_VW)(c) * LL_MFN(loadw)(y + f));
  for (; f < n; f++) out[f] = a * x[f] + c * y[f];
}

static void LL_MFN(accumulate)(float *out, float a, const float *x, long n) {
  long f = 0;
  for (; f + LL_MODEL_WF <= n; f += LL_MODEL_WF)
    LL_MFN(storew)(out + f, LL_MFN(loadw)(out + f) + (LL_VW)(a) * LL_MFN(loadw)(x + f));
  for (; f < n; f++) out[f] = out[f] + a * x[f];
}

// ---- optimizers ----

/// `x^n` by repeated squaring (the Swift `OptimizerState`'s `pow`, with `n = Int(y)`).
LL_MINLINE float LL_MFN(power)(float x, float y) {
  float result = 1.0f, base = x;
  long n = (long)y;
  while (n > 0) {
    if (n & 1) result *= base;
    base *= base;
    n >>= 1;
  }
  return result;
}

/// One element (scalar, `LL_T float`) or one vector (`LL_VW`) of an optimizer step; `G` is the gradient,
/// computed from θ when `combined`.
#define LL_STEP_BODY(T, LOAD, STORE, SQRT, AT)                                                                  \
  do {                                                                                                         \
    T theta = LOAD(parameters_row + (AT));                                                                     \
    T g = combined ? (T)(a) * LOAD(x + (AT)) + (T)(c) * theta : LOAD(gradient + (AT));                         \
    switch (kind) {                                                                                            \
    case LL_OPTIMIZER_SGD: STORE(parameters_row + (AT), theta - (T)(eta) * g); break;                          \
    case LL_OPTIMIZER_ADAGRAD: {                                                                               \
      T sum = LOAD(first_row + (AT)) + g * g;                                                                  \
      STORE(first_row + (AT), sum);                                                                            \
      STORE(parameters_row + (AT), theta - ((T)(eta) * g) / SQRT(sum));                                        \
      break;                                                                                                   \
    }                                                                                                          \
    default: {                                                                                                 \
      T m = (T)(0.9f) * LOAD(first_row + (AT)) + (T)(1.0f - 0.9f) * g;                                         \
      T v = (T)(0.999f) * LOAD(second_row + (AT)) + (T)(1.0f - 0.999f) * g * g;                                \
      STORE(first_row + (AT), m);                                                                              \
      STORE(second_row + (AT), v);                                                                             \
      STORE(parameters_row + (AT), theta - ((T)(step_size) * m) / (SQRT(v) + (T)(1e-8f)));                     \
      break;                                                                                                   \
    }                                                                                                          \
    }                                                                                                          \
  } while (0)

#define LL_SCALAR_LOAD(p) (*(p))
#define LL_SCALAR_STORE(p, v) (*(p) = (v))
#define LL_SQRT(v) __builtin_elementwise_sqrt(v)

LL_MINLINE void LL_MFN(step_impl)(
  const ll_optimizer *o, float *parameters, long row, const float *gradient, float a, const float *x, float c,
  const int combined, const int kind) {
  const long width = o->width;
  const float eta = o->learning_rate;
  float *parameters_row = parameters + row * width;
  float *first_row = kind == LL_OPTIMIZER_SGD ? NULL : o->first + row * width;
  float *second_row = kind == LL_OPTIMIZER_ADAM ? o->second + row * width : NULL;
  float step_size = 0;
  if (kind == LL_OPTIMIZER_ADAM) {
    // The bias correction counted per row: the Swift `Int32` count wraps (`&+=`).
    o->steps[row] = (int32_t)((uint32_t)o->steps[row] + 1u);
    float t = (float)o->steps[row];
    float correction1 = 1.0f - LL_MFN(power)(0.9f, t);
    float correction2 = 1.0f - LL_MFN(power)(0.999f, t);
    step_size = (eta * __builtin_elementwise_sqrt(correction2)) / correction1;
  }
  long f = 0;
  for (; f + LL_MODEL_WF <= width; f += LL_MODEL_WF) LL_STEP_BODY(LL_VW, LL_MFN(loadw), LL_MFN(storew), LL_SQRT, f);
  for (; f < width; f++) LL_STEP_BODY(float, LL_SCALAR_LOAD, LL_SCALAR_STORE, LL_SQRT, f);
}

static void LL_MFN(step)(const ll_optimizer *o, float *parameters, long row, const float *g) {
  switch (o->kind) {
  case LL_OPTIMIZER_SGD: LL_MFN(step_impl)(o, parameters, row, g, 0, NULL, 0, 0, LL_OPTIMIZER_SGD); break;
  case LL_OPTIMIZER_ADAGRAD: LL_MFN(step_impl)(o, parameters, row, g, 0, NULL, 0, 0, LL_OPTIMIZER_ADAGRAD); break;
  default: LL_MFN(step_impl)(o, parameters, row, g, 0, NULL, 0, 0, LL_OPTIMIZER_ADAM); break;
  }
}

static void LL_MFN(step_combined)(const ll_optimizer *o, float *parameters, long row, float a, const float *x, float c) {
  switch (o->kind) {
  case LL_OPTIMIZER_SGD: LL_MFN(step_impl)(o, parameters, row, NULL, a, x, c, 1, LL_OPTIMIZER_SGD); break;
  case LL_OPTIMIZER_ADAGRAD: LL_MFN(step_impl)(o, parameters, row, NULL, a, x, c, 1, LL_OPTIMIZER_ADAGRAD); break;
  default: LL_MFN(step_impl)(o, parameters, row, NULL, a, x, c, 1, LL_OPTIMIZER_ADAM); break;
  }
}

const ll_model_kernels LL_MCAT(ll_model_kernels_, LL_MODEL_SUFFIX) = {
  .dot = LL_MFN(dot),
  .score_all = LL_MFN(score_all),
  .score_pairs = LL_MFN(score_pairs),
  .score_block = LL_MFN(score_block),
  .score_panels = LL_MFN(score_panels),
  .combine = LL_MFN(combine),
  .accumulate = LL_MFN(accumulate),
  .step = LL_MFN(step),
  .step_combined = LL_MFN(step_combined),
  .count_above_equal = LL_MFN(count_above_equal),
};
