// The loops of every path, written once. A path's file defines LL_ISA_SUFFIX (its name) and LL_WF (float
// lanes per vector: 8, or 16 with AVX-512) and includes this file inside its target pragma.
//
// Rules that make the paths bit-identical:
// - no contraction of a·b + c into a fused multiply-add (the pragma below), and no reassociation;
// - each element goes through the same operations whatever the vector width (lanes are independent; the
//   last, partial vector is padded, computed the same way and stored in part);
// - sums go through eight accumulator lanes, element j into lane j mod 8, in element order, whatever the
//   vector width (a 16-lane vector is added as its two halves, low first), then the lanes in a fixed tree.
#include "kernels_tables.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)
// Vector arguments between these always-inlined helpers never cross a call boundary.
#pragma clang diagnostic ignored "-Wpsabi"

#define LL_CAT2(a, b) a##b
#define LL_CAT(a, b) LL_CAT2(a, b)
#define LL_INLINE static inline __attribute__((always_inline))

typedef float ll_vf __attribute__((ext_vector_type(LL_WF)));
typedef int32_t ll_vfi __attribute__((ext_vector_type(LL_WF)));
typedef float ll_vf8 __attribute__((ext_vector_type(8)));
typedef double ll_vd __attribute__((ext_vector_type(8)));
typedef int64_t ll_vdi __attribute__((ext_vector_type(8)));

/// eˣ in each float lane, branch-free (the method and accuracy are documented on the Swift side, in
/// `KernelISA.swift`): Cody–Waite reduction with `k = round(x·log₂e)` by the shift 1.5·2²³, Cephes'
/// degree-5 polynomial, and the result scaled by two powers of two so that subnormal results round once.
LL_INLINE ll_vf ll_expf(ll_vf x) {
  const float log2e = 1.44269504088896341f, shift = 0x1.8p23f;
  const float ln2hi = 0.693359375f, ln2lo = -2.12194440e-4f;
  ll_vf shifted = x * log2e + shift;
  ll_vf k = shifted - shift;
  ll_vf r = (x - k * ln2hi) - k * ln2lo;
  ll_vf p = (ll_vf)(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  ll_vf expr = (p * (r * r) + r) + 1.0f;
  ll_vfi n = (ll_vfi)shifted - 0x4B400000;
  ll_vfi n1 = n >> 1;
  ll_vfi n2 = n - n1;
  ll_vf s1 = (ll_vf)((n1 + 127) << 23);
  ll_vf s2 = (ll_vf)((n2 + 127) << 23);
  ll_vf e = (expr * s1) * s2;
  ll_vfi over = (ll_vfi)(x > 0x1.62e42ep6f);
  ll_vfi under = (ll_vfi)(x < -0x1.9fe368p6f);
  e = (ll_vf)((over & (ll_vfi)(ll_vf)(INFINITY)) | (~over & (ll_vfi)e));
  return (ll_vf)(~under & (ll_vfi)e);
}

/// eˣ in each of eight double lanes, branch-free: fdlibm's e_exp.c without its branches (Cody–Waite
/// reduction, the degree-4 Remez polynomial in the rational form), scaled by two powers of two.
LL_INLINE ll_vd ll_expd(ll_vd x) {
  const double log2e = 1.44269504088896338700e+00, shift = 0x1.8p52;
  const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10;
  ll_vd shifted = x * log2e + shift;
  ll_vd k = shifted - shift;
  ll_vd hi = x - k * ln2hi;
  ll_vd lo = k * ln2lo;
  ll_vd r = hi - lo;
  ll_vd r2 = r * r;
  ll_vd p = (ll_vd)(4.13813679705723846039e-08);
  p = p * r2 - 1.65339022054652515390e-06;
  p = p * r2 + 6.61375632143793436117e-05;
  p = p * r2 - 2.77777777770155933842e-03;
  p = p * r2 + 1.66666666666666019037e-01;
  ll_vd c = r - r2 * p;
  ll_vd expr = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  ll_vdi n = (ll_vdi)shifted - 0x4338000000000000LL;
  ll_vdi n1 = n >> 1;
  ll_vdi n2 = n - n1;
  ll_vd s1 = (ll_vd)((n1 + 1023) << 52);
  ll_vd s2 = (ll_vd)((n2 + 1023) << 52);
  ll_vd e = (expr * s1) * s2;
  ll_vdi over = (ll_vdi)(x > 0x1.62e42fefa39efp9);
  ll_vdi under = (ll_vdi)(x < -0x1.74910d52d3051p9);
  e = (ll_vd)((over & (ll_vdi)(ll_vd)(INFINITY)) | (~over & (ll_vdi)e));
  return (ll_vd)(~under & (ll_vdi)e);
}

/// log(1 + t) for t in [0, 1] in each float lane, branch-free: fdlibm's s_log1pf.c / e_logf.c without their
/// branches (the rounding error of 1 + t carried as a correction, fdlibm's polynomial).
LL_INLINE ll_vf ll_log1pf_unit(ll_vf t) {
  ll_vf u = 1.0f + t;
  ll_vf c = (t - (u - 1.0f)) / u;
  ll_vfi big = (ll_vfi)(u >= 1.41421353816986083984375f);
  ll_vf k = (ll_vf)(big & (ll_vfi)(ll_vf)(1.0f));
  ll_vf halved = u * 0.5f;
  ll_vf f = (ll_vf)((big & (ll_vfi)halved) | (~big & (ll_vfi)u)) - 1.0f;
  ll_vf s = f / (2.0f + f);
  ll_vf z = s * s;
  ll_vf w = z * z;
  ll_vf r = z * (0.66666662693f + w * 0.28498786688f) + w * (0.40000972152f + w * 0.24279078841f);
  ll_vf h = 0.5f * f * f;
  const float ln2hi = 0.693359375f, ln2lo = -2.12194440e-4f;
  return k * ln2hi - ((h - (s * (h + r) + (k * ln2lo + c))) - f);
}

// ---- float ----
#define LL_T float
#define LL_W LL_WF
#define LL_V ll_vf
#define LL_VI ll_vfi
#define LL_V8 ll_vf8
#define LL_EXP ll_expf
#define LL_FN(name) LL_CAT(name##_f32_, LL_ISA_SUFFIX)
#define LL_HAS_LOG1P 1
#define LL_TABLE LL_CAT(ll_f32_, LL_ISA_SUFFIX)
#include "kernels_typed.h"
#undef LL_T
#undef LL_W
#undef LL_V
#undef LL_VI
#undef LL_V8
#undef LL_EXP
#undef LL_FN
#undef LL_HAS_LOG1P
#undef LL_TABLE

// ---- double ----
#define LL_T double
#define LL_W 8
#define LL_V ll_vd
#define LL_VI ll_vdi
#define LL_V8 ll_vd
#define LL_EXP ll_expd
#define LL_FN(name) LL_CAT(name##_f64_, LL_ISA_SUFFIX)
#define LL_HAS_LOG1P 0
#define LL_TABLE LL_CAT(ll_f64_, LL_ISA_SUFFIX)
#include "kernels_typed.h"
#undef LL_T
#undef LL_W
#undef LL_V
#undef LL_VI
#undef LL_V8
#undef LL_EXP
#undef LL_FN
#undef LL_HAS_LOG1P
#undef LL_TABLE
