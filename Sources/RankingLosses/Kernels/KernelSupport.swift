/// Columns per tile: a tile's scratch (running maxima, first violations, terms) stays in L1 while the rows
/// of the tile stream past.
let kernelTile = 1024
