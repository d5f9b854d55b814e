import ArgumentParser
import LossLabKit

/// `--plot-bands none|std` on `train` and `report`.
extension TrainingPlot.Bands: ExpressibleByArgument {}
