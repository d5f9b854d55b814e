import ArgumentParser
import Foundation
import LossLabKit
import RankingLosses
import Recommender

extension LossLab {
  /// `losslab report STORE…`: the training report of one or more results stores (shards merged).
  struct Report: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Render the training report of one or more results stores (losslab train --store), shards merged.",
      discussion: """
        Every store must hold the same config (the same config hash). Cells found in several stores are \
        counted once; the same cell with different numbers is an error. When cells of the run are missing \
        (a shard not run, a run killed), the command names them and exits with status 65, unless --partial \
        is given. See Docs/Cluster.md.
        """)

    @Argument(help: "Results stores (SQLite files written by losslab train --store).", completion: .file())
    var stores: [String]

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup var pluginOptions: PluginOptions

    @Flag(help: "Render the cells that are there when some are missing, with a note saying which.")
    var partial = false

    @Option(help: "How the text and Markdown table is laid out: one row per variant, or one row per metric.")
    var layout: TableLayout = .variantsAsRows

    @Option(help: "Draw each metric per epoch, one line per variant, as an SVG file (the epochs the runs evaluated).")
    var plot: String?

    @Option(help: "With --plot: a light ± std band around each line (std), or none.")
    var plotBands = TrainingPlot.Bands.std

    func validate() throws {
      try checkPlotName(plot)
      if let plot, plot == outputOptions.output {
        throw ValidationError("--plot and --output name the same file, \(plot); give two files")
      }
    }

    func run() throws {
      var inputs = InputFiles()
      for store in stores { inputs.add(store, as: "the store \(store)") }
      try outputOptions.check(inputs: inputs)
      if let plot { try orFail { () throws(AtomicFile.WriteError) in try AtomicFile.check(plot, inputs: inputs) } }
      // Every store's run; stores without one (killed before any cell) add nothing.
      var opened: [(path: String, store: ResultStore, run: ResultStore.StoredRun)] = []
      for path in stores {
        let (store, run) = try orFail { () throws(ResultStoreError) in
          let store = try ResultStore.open(path, create: false)
          return (store, try store.storedRun())
        }
        if let run {
          opened.append((path, store, run))
        } else {
          printError("note: \(path) holds no run yet (it was created, but no data was loaded); left out")
        }
      }
      guard let first = opened.first else {
        throw fail(
          ResultStoreError(
            path: stores.joined(separator: ", "), message: "no store holds a run: nothing to report",
            category: .badData))
      }
      for other in opened.dropFirst() where other.run.hash != first.run.hash {
        var message =
          "holds another config than \(first.path) (hash \(other.run.hash) from \(other.run.configFile); "
          + "\(first.path) has hash \(first.run.hash) from \(first.run.configFile))"
        if let (a, b) = ConfigHash.firstDifference(first.run.canonical, other.run.canonical) {
          message += "; the first difference: '\(b)' here, '\(a)' there"
        }
        throw fail(
          ResultStoreError(
            path: other.path, message: message + ". Merge only the shards of one config", category: .badData))
      }
      // The config, as the stores recorded it.
      let loaded = ConfigLoader(registry: try pluginOptions.registry()).load(
        source: Array(first.run.configText.utf8), file: first.run.configFile, as: .training)
      let code = report(loaded.diagnostics, sources: sources([loaded]))
      guard let config = loaded.training, code == .success else {
        printError(
          "losslab: error: the config recorded in \(first.path) (\(first.run.configFile)) no longer decodes; "
            + "a plugin it names may be missing (--plugin)")
        throw code == .success ? ExitCode(.badData) : code
      }
      let plan = TrainingRunner.plan(config)
      guard plan.count == first.run.cellCount else {
        throw fail(
          ResultStoreError(
            path: first.path,
            message:
              "records a run of \(first.run.cellCount) cells, but its config now plans \(plan.count); a plugin or "
              + "custom loss may have changed",
            category: .badData))
      }
      // Cells merged: duplicates must agree.
      var cells: [Int: (result: CellResult, path: String)] = [:]
      for (path, store, run) in opened {
        let found = try orFail { () throws(ResultStoreError) in
          try store.cells(config: config, hash: run.hash, evaluatedUsers: first.run.data.evaluatedUsers)
        }
        for result in found {
          if let seen = cells[result.cell.index] {
            guard Self.sameNumbers(seen.result, result) else {
              throw fail(
                ResultStoreError(
                  path: path,
                  message:
                    "holds \(result.cell.describe(in: config)) with other numbers than \(seen.path) (the test "
                    + "metrics, validation score or selected epoch differ: trained twice with threads > 1?); keep one "
                    + "of the two stores' copies",
                  category: .badData))
            }
            continue
          }
          cells[result.cell.index] = (result, path)
        }
      }
      let missing = plan.filter { cells[$0.index] == nil }
      var remarks: [String] = []
      if !missing.isEmpty {
        let shown = missing.prefix(10).map { $0.describe(in: config) }.joined(separator: "; ")
        let more = missing.count > 10 ? "; … and \(missing.count - 10) more" : ""
        let what = "\(missing.count) of the run's \(plan.count) cells are missing from the stores: \(shown)\(more)"
        guard partial else {
          printError(
            "losslab: error: \(what). Run (or resume) the shards that hold them, or pass --partial to report the "
              + "cells that are there")
          throw ExitCode(.badData)
        }
        remarks.append("Partial report: \(what).")
      }
      var training = TrainingReport(
        config: config, data: first.run.data, variants: first.run.variants,
        cells: cells.values.map(\.result).sorted { $0.cell.index < $1.cell.index })
      training.remarks = remarks
      let text = TrainingReportRenderer(
        format: outputOptions.format, precision: outputOptions.precision, layout: layout
      ).render(training)
      if let plot {
        try orFail { () throws(AtomicFile.WriteError) in
          try AtomicFile.write(TrainingPlot.svg(training, bands: plotBands), to: plot, inputs: inputs)
        }
      }
      try outputOptions.emit(text, inputs: inputs)
      // What was written, as `train` says it (the report itself on stdout needs no line).
      for path in [plot, outputOptions.output].compactMap({ $0 }) where path != "-" { printError(wroteLine(path)) }
    }

    /// Whether two copies of a cell have the same test table, validation score and selected epoch.
    static func sameNumbers(_ a: CellResult, _ b: CellResult) -> Bool {
      a.table.values.map(\.bitPattern) == b.table.values.map(\.bitPattern)
        && a.validation?.bitPattern == b.validation?.bitPattern && a.selectedEpoch == b.selectedEpoch
    }
  }
}
