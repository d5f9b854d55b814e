// An example LossLab plugin in Swift: `top_margin`, an adaptive loss — for each positive, the squared
// shortfall of its margin over its highest negative, `max(0, m_k* − (p − n_k*))²`, averaged over the batch.
internal import CLossLabPlugin

private let lossName = StaticString("top_margin")
private let lossSummary = StaticString("mean squared shortfall against the highest negative (a Swift plugin)")

private let evaluate: losslab_evaluate_fn = {
  positives, negatives, margins, rows, columns, _, value, positiveGradients, negativeGradients, _, _ in
  guard let positives, let negatives, let margins, let value else { return 1 }
  let (n, b) = (Int(rows), Int(columns))
  var sum = 0.0
  if let negativeGradients { negativeGradients.update(repeating: 0, count: n * b) }
  for j in 0..<b {
    var top = 0
    for k in 1..<max(1, n) where negatives[k * b + j] > negatives[top * b + j] { top = k }
    let x = margins[top * b + j] - (positives[j] - negatives[top * b + j])
    let shortfall = max(0, x)
    sum += shortfall * shortfall
    if let positiveGradients, let negativeGradients {
      let g = -2 * shortfall / Double(b)
      positiveGradients[j] = g
      negativeGradients[top * b + j] = -g
    }
  }
  value.pointee = sum / Double(b)
  return 0
}

nonisolated(unsafe) private let table: UnsafeMutablePointer<losslab_loss> = {
  let losses = UnsafeMutablePointer<losslab_loss>.allocate(capacity: 1)
  losses.initialize(
    to: losslab_loss(
      name: UnsafeRawPointer(lossName.utf8Start).assumingMemoryBound(to: CChar.self),
      summary: UnsafeRawPointer(lossSummary.utf8Start).assumingMemoryBound(to: CChar.self),
      kind: Int32(LOSSLAB_ADAPTIVE), parameter_count: 0, parameters: nil, evaluate: evaluate))
  return losses
}()

nonisolated(unsafe) private let plugin: UnsafeMutablePointer<losslab_plugin> = {
  let plugin = UnsafeMutablePointer<losslab_plugin>.allocate(capacity: 1)
  plugin.initialize(to: losslab_plugin(abi_version: UInt32(LOSSLAB_PLUGIN_ABI_VERSION), loss_count: 1, losses: table))
  return plugin
}()

/// The plugin's entry point, exported with C linkage.
@_cdecl("losslab_plugin_entry")
public func losslabPluginEntry() -> UnsafeRawPointer {
  UnsafeRawPointer(plugin)
}
