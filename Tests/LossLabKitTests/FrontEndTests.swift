import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Recommender
import Testing
import YAMLNodes

@Suite("One config front end")
struct FrontEndTests {
  @Test("key paths print as a reader writes them")
  func keyPaths() {
    let path = ConfigPath.root.key("losses").index(1).key("params").key("num_items").index(0)
    #expect(path.description == "losses[1].params.num_items[0]")
    #expect(path.components == [.key("losses"), .index(1), .key("params"), .key("num_items"), .index(0)])
    #expect(ConfigPath.root.description.isEmpty && ConfigPath.root.isRoot)
    #expect(ConfigPath.root.index(2).description == "[2]")
  }

  @Test(
    "paths in a config are relative to its folder, normalised, and stay relative",
    arguments: [
      ("../data/r.csv", "configs/x.yaml", "data/r.csv"),
      ("r.csv", "x.yaml", "r.csv"),
      ("./r.csv", "./x.yaml", "r.csv"),
      ("../../r.csv", "a/x.yaml", "../r.csv"),
      ("sub/../r.csv", "a/b/x.yaml", "a/b/r.csv"),
      ("/srv//data/./r.csv", "configs/x.yaml", "/srv/data/r.csv"),
      ("r.csv", "/etc/x.yaml", "/etc/r.csv"),
      ("r.csv", "/x.yaml", "/r.csv"),
      ("../r.csv", "/x.yaml", "/r.csv"),
      ("..", "x.yaml", ".."),
      (".", "x.yaml", "."),
    ])
  func paths(_ given: String, _ file: String, _ expected: String) {
    #expect(resolvePath(given, relativeTo: file) == expected)
  }

  @Test("the kind follows the top level; a forced kind decodes as that kind")
  func kinds() throws {
    let table = ConfigLoader().load(source: Array(config().utf8), file: "t.yaml")
    #expect(table.kind == .lossTable && table.lossTable != nil && table.training == nil)
    let training = ConfigLoader().load(
      source: Array("data:\n  interactions: {path: r.csv, user: u, item: i}\nlosses: [bpr]\n".utf8), file: "t.yaml")
    #expect(training.kind == .training && training.training?.interactions.path == "r.csv")
    // A null document gets the message of the kind asked for.
    let empty = ConfigLoader().load(source: Array("~\n".utf8), file: "e.yaml", as: .training)
    #expect(
      empty.diagnostics.map(\.description) == [
        "e.yaml:1:1: error: the document is empty; a training config needs 'data' and 'losses'"
      ])
    #expect(
      ConfigLoader().load(source: Array("~\n".utf8), file: "e.yaml").diagnostics.map(\.description) == [
        "e.yaml:1:1: error: the document is empty; a config needs 'losses' and 'scenarios'"
      ])
  }

  @Test("a training config reports a metadata field name that is not text, and an empty data path")
  func trainingFieldNames() {
    let yaml = """
      data:
        interactions: {path: '', user: u, item: i}
        items: {path: items.csv, id: item, fields: {[a]: genre}}
      losses: [bpr]

      """
    #expect(
      ConfigLoader().load(source: Array(yaml.utf8), file: "t.yaml").diagnostics.map(\.description) == [
        "t.yaml:2:24: error: data.interactions.path: path is empty; give the data file's path, relative to the "
          + "config's folder",
        "t.yaml:3:47: error: data.items.fields: metadata field names must be plain text, got a sequence",
      ])
  }

  @Test("a warning does not stop decoding; checkpoints count errors only")
  func warningsAreNotErrors() throws {
    let plugin = builtPlugin("ExampleCPlugin")
    let yaml =
      "plugins: [\(plugin)]\nlosses: [bpr, cubic_hinge]\nscenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\n"
    let checked = ConfigLoader(plugins: .check).load(source: Array(yaml.utf8), file: "p.yaml")
    #expect(checked.errors.isEmpty)
    #expect(
      checked.diagnostics.map(\.description) == [
        "p.yaml:2:15: warning: losses[1]: 'cubic_hinge' is not checked: it is not a built-in or custom loss, and the "
          + "plugins that may define it (\(plugin)) were not loaded; `losslab validate --load-plugins` loads them"
      ])
    #expect(checked.lossTable?.losses.map(\.label) == ["bpr"])
    #expect(try #require(checked.lossTable).registry.contains("cubic_hinge") == false)
    let loaded = ConfigLoader().load(source: Array(yaml.utf8), file: "p.yaml")
    #expect(loaded.diagnostics.isEmpty)
    #expect(loaded.lossTable?.losses.map(\.label) == ["bpr", "cubic_hinge"])
  }
}

@Suite("Failure categories and exit codes, plugins by path, the number rule", .serialized)
struct CategoryTests {
  /// A fresh folder holding the example C plugin as `libcubic.so` and `c.yaml`, a config that names it by a
  /// bare name and uses its `cubic_hinge`.
  func folderWithPluginConfig() throws -> URL {
    let folder = try temporaryFolder()
    try FileManager.default.copyItem(
      atPath: builtPlugin("ExampleCPlugin"), toPath: folder.appendingPathComponent("libcubic.so").path)
    let yaml = """
      plugins: [libcubic.so]
      losses: [cubic_hinge]
      scenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]

      """
    try yaml.write(to: folder.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
    return folder
  }

  @Test("a directory is unreadable input whether it is given as the config or as a data file (66)")
  func directories() throws {
    let folder = try temporaryFolder()
    let config = folder.appendingPathComponent("t.yaml")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("ratings"), withIntermediateDirectories: false)
    try "data:\n  interactions: {path: ratings, user: u, item: i}\nlosses: [bpr]\n"
      .write(to: config, atomically: true, encoding: .utf8)
    let asData = try losslab(["train", "t.yaml"], in: folder)
    #expect(asData.status == 66)
    #expect(
      asData.stderr == """
        t.yaml:2:24: error: data.interactions.path: cannot open ratings: is a directory, not a CSV file
         2 |   interactions: {path: ratings, user: u, item: i}
           |                        ^

        """)
    let asConfig = try losslab(["validate", "ratings"], in: folder)
    #expect(asConfig.status == 66)
    #expect(asConfig.stderr == "ratings: error: cannot open the config: it is a directory\n")
  }

  @Test("a bare plugin name is a file in the current folder; one named twice is loaded once")
  func pluginPaths() throws {
    let folder = try folderWithPluginConfig()
    let both = try losslab(["run", "c.yaml", "--plugin", "libcubic.so", "--format", "csv"], in: folder)
    #expect(both.status == 0, "\(both.stderr)")
    #expect(both.stdout == "experiment,scenario,loss,value,note\nc,s,cubic_hinge,0.125,\n")
    // A name that is not a file here is not looked up on the loader's search path.
    let system = try losslab(["list", "--plugin", "libm.so.6"], in: folder)
    #expect(system.status == 66)
    #expect(system.stderr == "losslab: error: plugin libm.so.6: no such file\n")
  }

  @Test("validate checks plugin files but runs their code only with --load-plugins")
  func validatePlugins() throws {
    let folder = try folderWithPluginConfig()
    let checked = try losslab(["validate", "c.yaml"], in: folder)
    #expect(checked.status == 0)
    #expect(checked.stdout == "c.yaml: ok — 0 loss variants x 1 scenario\n")
    #expect(checked.stderr.hasPrefix("c.yaml:2:10: warning: losses[0]: 'cubic_hinge' is not checked"))
    let loaded = try losslab(["validate", "c.yaml", "--load-plugins"], in: folder)
    #expect(loaded.status == 0)
    #expect(loaded.stdout == "c.yaml: ok — 1 loss variant x 1 scenario\n")
    #expect(loaded.stderr.isEmpty)
    try FileManager.default.removeItem(at: folder.appendingPathComponent("libcubic.so"))
    let missing = try losslab(["validate", "c.yaml"], in: folder)
    #expect(missing.status == 66)
    #expect(missing.stderr.hasPrefix("c.yaml:1:11: error: plugins[0]: plugin libcubic.so: no such file\n"))
  }

  @Test("json: whole quantities are integers, every real has a point or an exponent")
  func jsonNumbers() throws {
    let config = try plantedTrainingConfig(losses: "  - warp", training: ", l2: 0")
    let result = try losslab(["train", config, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("\"l2\": 0.0,"))
    #expect(result.stdout.contains("\"epochs\": 12,"))
    #expect(result.stdout.contains("\"seeds\": [1, 2],"))
    #expect(result.stdout.contains("\"params\": {\n        \"num_items\": 40\n      },"))
    #expect(result.stdout.contains("\n            {\"epoch\": 1, \"loss\": "))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect((object["training"] as? [String: Any])?["l2"] as? Double == 0)
  }
}
