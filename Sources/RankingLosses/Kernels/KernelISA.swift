import CLossKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The instruction-set path of the fused kernels' hot loops, chosen once per process.
///
/// The loops (the one-pass pairwise loop with its vector `exp`, the adaptive and WARP scans with the
/// gradient rows they write, the `log1p` of `log_sigmoid_bpr`, the terms, sums and gradients of the general
/// path) are written once, in C with clang's portable vector types, and compiled for each path by per-function
/// `target` attributes: the package needs no compiler flag, and one binary runs everywhere.
///
/// | path | instructions | `Float` lanes per operation |
/// | --- | --- | --- |
/// | ``baseline`` | x86-64: SSE2; arm64: NEON | 4 (two registers per vector of 8) |
/// | ``avx2`` | AVX2 and FMA | 8 |
/// | ``avx512`` | AVX-512 F, BW, DQ, VL | 16 |
///
/// The widest path the CPU and the operating system support is used (cpuid and xgetbv on x86-64), unless
/// the environment variable `LOSSLAB_ISA` names another supported one (`baseline`, `avx2`, `avx512`), or
/// ``select(_:)`` changes it.
///
/// **Every path gives bit-identical results.** The loops contract no `a·b + c` into a fused multiply-add,
/// apply the same operations to every element whatever the vector width (the last, partial vector is padded
/// and computed the same way), and add sums through eight accumulator lanes in element order — so a
/// result never depends on the machine that computed it. The vector `exp` (`Float`: Cody–Waite reduction
/// and Cephes' polynomial, under 1 ulp over every `Float` input; `Double`: fdlibm's method, under 1 ulp)
/// and `log1p` on `[0, 1]` (fdlibm's, within 1 ulp) keep their accuracy on each path.
public enum KernelISA: String, CaseIterable, Sendable, CustomStringConvertible {
  /// SSE2 on x86-64, NEON on arm64: every machine of the architecture.
  case baseline
  /// AVX2 and FMA (x86-64, Intel since 2013, AMD since 2015).
  case avx2
  /// AVX-512 F, BW, DQ and VL (x86-64, Intel Xeon since 2017, AMD since Zen 4).
  case avx512

  var code: Int32 {
    switch self {
    case .baseline: Int32(LL_ISA_BASELINE)
    case .avx2: Int32(LL_ISA_AVX2)
    case .avx512: Int32(LL_ISA_AVX512)
    }
  }

  init(code: Int32) {
    switch code {
    case Int32(LL_ISA_AVX2): self = .avx2
    case Int32(LL_ISA_AVX512): self = .avx512
    default: self = .baseline
    }
  }

  /// The path in use: `LOSSLAB_ISA` where it names a supported path, otherwise the widest supported one.
  public static var active: KernelISA { KernelISA(code: ll_isa_active()) }

  /// The widest path this machine runs.
  public static var best: KernelISA { KernelISA(code: ll_isa_best()) }

  /// The paths this machine runs, narrowest first (always at least ``baseline``).
  public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

  /// Whether this CPU and operating system run the path.
  public var isSupported: Bool { ll_isa_supported(code) != 0 }

  /// The path's name as `LOSSLAB_ISA` spells it.
  public var description: String { rawValue }

  /// What the path uses, e.g. `AVX2 + FMA, 8 float lanes`.
  public var instructions: String {
    switch self {
    #if arch(arm64)
      case .baseline: "NEON, 4 float lanes"
    #else
      case .baseline: "SSE2, 4 float lanes"
    #endif
    case .avx2: "AVX2 + FMA, 8 float lanes"
    case .avx512: "AVX-512 F/BW/DQ/VL, 16 float lanes"
    }
  }

  /// Uses `isa` for every kernel call from now on (all threads).
  ///
  /// - Returns: `false`, changing nothing, when this machine cannot run `isa`.
  @discardableResult
  public static func select(_ isa: KernelISA) -> Bool { ll_isa_select(isa.code) == 0 }

  /// What is wrong with the environment variable `LOSSLAB_ISA`, or `nil` when it is unset or names a
  /// supported path. The kernels then run the widest supported path; `losslab` reports this and exits.
  public static var environmentProblem: String? {
    let value = getenv("LOSSLAB_ISA").map { String(cString: $0) } ?? ""
    let supportedNames = supported.map(\.rawValue).joined(separator: ", ")
    switch ll_isa_environment_problem() {
    case 1:
      return
        "LOSSLAB_ISA='\(value)' is not an instruction-set path; the paths are baseline, avx2, avx512"
    case 2:
      return "LOSSLAB_ISA=\(value): this machine does not run that path; it runs \(supportedNames)"
    default:
      return nil
    }
  }

  /// The path's `Float` loops.
  var floatKernels: UnsafePointer<ll_loss_kernels> { ll_loss_kernels_for(code, 0)! }
  /// The path's `Double` loops.
  var doubleKernels: UnsafePointer<ll_loss_kernels> { ll_loss_kernels_for(code, 1)! }
}
