#!/bin/sh
# Builds the evaluation timing harness against a release build's Recommender module:
#   swift build -c release && sh Docs/Benchmarks/scaling/evaluation/build.sh [BUILD_DIR] [OUTPUT]
#   ./eval-bench --users 100000 --items 40000 --threads 2 [--scoring] [--repeats 3]
set -e
here=$(dirname "$0")
build=${1:-.build/release}
out=${2:-eval-bench}
shims=$(dirname "$build")/checkouts/swift-numerics/Sources/_NumericsShims/include
swiftc -O -I "$build/Modules" -Xcc -fmodule-map-file="$shims/module.modulemap" -I "$shims" "$here/main.swift" \
  "$build"/Recommender.build/*.o "$build"/RankingLosses.build/*.o "$build"/RealModule.build/*.o -o "$out"
test -x "$out"
