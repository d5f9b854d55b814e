import RealModule

/// A small, seedable pseudo-random generator (SplitMix64: Steele, Lea & Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014), so that generated scores, samples and conformance
/// inputs are the same for the same seed on every platform.
///
/// ```swift
/// var random = SplitMix64(seed: 7)
/// let x = random.nextGaussian()          // a standard normal draw
/// let k = Int.random(in: 0..<10, using: &random)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// Creates a generator whose sequence is fixed by `seed`.
  public init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A standard normal draw: Box–Muller, `√(−2 log u₁) · cos(2π u₂)` with `u₁ ∈ [ε, 1)`, `u₂ ∈ [0, 1)`.
  public mutating func nextGaussian() -> Double {
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
    let u2 = Double.random(in: 0..<1, using: &self)
    return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
  }
}
