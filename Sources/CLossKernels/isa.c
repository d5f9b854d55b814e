// Which instruction-set path runs: cpuid / xgetbv on x86-64, the environment variable LOSSLAB_ISA, and the
// choice made once per process; the per-path tables of the loss kernels and of the recommender's loops.
#include "loss_kernels.h"
#include "kernels_tables.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

/// XCR0: the register states the operating system saves (bit 1 SSE, 2 AVX, 5–7 the AVX-512 state).
static unsigned long long ll_xcr0(void) {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

static int ll_detect(int isa) {
  if (isa == LL_ISA_BASELINE) return 1;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
  if (!osxsave || !avx || !fma) return 0;
  unsigned long long xcr0 = ll_xcr0();
  if ((xcr0 & 0x6) != 0x6) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  int avx2 = (b >> 5) & 1;
  if (isa == LL_ISA_AVX2) return avx2;
  int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
  return isa == LL_ISA_AVX512 && avx2 && f && dq && bw && vl && (xcr0 & 0xE6) == 0xE6;
}
#else
static int ll_detect(int isa) { return isa == LL_ISA_BASELINE; }
#endif

int ll_isa_supported(int isa) {
  if (isa < 0 || isa >= LL_ISA_COUNT) return 0;
  static _Atomic int known[LL_ISA_COUNT];  // 0 not asked yet, 1 no, 2 yes
  int k = atomic_load_explicit(&known[isa], memory_order_relaxed);
  if (k == 0) {
    k = ll_detect(isa) ? 2 : 1;
    atomic_store_explicit(&known[isa], k, memory_order_relaxed);
  }
  return k == 2;
}

int ll_isa_best(void) {
  for (int isa = LL_ISA_COUNT - 1; isa > 0; isa--)
    if (ll_isa_supported(isa)) return isa;
  return LL_ISA_BASELINE;
}

static _Atomic int ll_active = -1;
static _Atomic int ll_problem = 0;

static int ll_from_environment(void) {
  const char *name = getenv("LOSSLAB_ISA");
  if (name == NULL || name[0] == 0) return ll_isa_best();
  static const char *const names[LL_ISA_COUNT] = {"baseline", "avx2", "avx512"};
  for (int isa = 0; isa < LL_ISA_COUNT; isa++) {
    if (strcmp(name, names[isa]) == 0) {
      if (ll_isa_supported(isa)) return isa;
      atomic_store_explicit(&ll_problem, 2, memory_order_relaxed);
      return ll_isa_best();
    }
  }
  atomic_store_explicit(&ll_problem, 1, memory_order_relaxed);
  return ll_isa_best();
}

int ll_isa_active(void) {
  int isa = atomic_load_explicit(&ll_active, memory_order_relaxed);
  if (isa >= 0) return isa;
  int chosen = ll_from_environment();
  int expected = -1;
  // A concurrent first call may have decided already (by the same rule, or by ll_isa_select): keep that.
  if (!atomic_compare_exchange_strong(&ll_active, &expected, chosen)) return expected;
  return chosen;
}

int ll_isa_select(int isa) {
  if (!ll_isa_supported(isa)) return -1;
  (void)ll_isa_active();  // reads LOSSLAB_ISA once, so that its problem is still reported
  atomic_store_explicit(&ll_active, isa, memory_order_relaxed);
  return 0;
}

int ll_isa_environment_problem(void) {
  (void)ll_isa_active();
  return atomic_load_explicit(&ll_problem, memory_order_relaxed);
}

const ll_loss_kernels *ll_loss_kernels_for(int isa, int double_precision) {
  switch (isa) {
  case LL_ISA_BASELINE: return double_precision ? &ll_f64_baseline : &ll_f32_baseline;
#if defined(__x86_64__)
  case LL_ISA_AVX2: return double_precision ? &ll_f64_avx2 : &ll_f32_avx2;
  case LL_ISA_AVX512: return double_precision ? &ll_f64_avx512 : &ll_f32_avx512;
#endif
  default: return NULL;
  }
}

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
