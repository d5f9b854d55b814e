#!/usr/bin/env bash
# Builds LossLab's libFuzzer targets (coverage-instrumented, with AddressSanitizer) and runs each for a
# bounded time on a copy of its seed corpus. Exits non-zero when a target finds a crash, a leak or a hang;
# the reproducer is left in the printed findings folder.
#
#   Tests/Fuzz/run.sh                 # every target, 60 s each
#   Tests/Fuzz/run.sh 10 FuzzCSV      # one target, 10 s
#
# A finding becomes a regression test: replay it with `.build-fuzz/release/TARGET FILE`.
set -euo pipefail

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzConfig FuzzExpression FuzzCSV FuzzPluginTable)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scratch="$root/.build-fuzz"
runtime="$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")/lib/clang"
fuzzer="$(find "$runtime" -name 'libclang_rt.fuzzer_no_main-*.a' | head -1)"
[ -n "$fuzzer" ] || { echo "run.sh: libclang_rt.fuzzer_no_main not found under $runtime" >&2; exit 2; }

# -sanitize-coverage gives libFuzzer its feedback; the driver comes from the no-main runtime, because
# SwiftPM gives each executable target its own main.
swift build --package-path "$here" -c release --scratch-path "$scratch" \
  -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table -Xswiftc -sanitize=address \
  -Xlinker "$fuzzer" -Xlinker -lstdc++

work="$(mktemp -d "${TMPDIR:-/tmp}/losslab-fuzz.XXXXXX")"
echo "findings and working corpora: $work"
status=0
for target in "${targets[@]}"; do
  case "$target" in
    FuzzConfig) seeds=config; max_len=65536 ;;
    FuzzExpression) seeds=expression; max_len=8192 ;;
    FuzzCSV) seeds=csv; max_len=16384 ;;
    FuzzPluginTable) seeds=plugin-table; max_len=4096 ;;
    *) echo "run.sh: unknown target $target" >&2; exit 2 ;;
  esac
  mkdir -p "$work/$target/corpus" "$work/$target/findings"
  start=$(date +%s)
  # New inputs go to the working corpus; the seed corpus in the repository is only read.
  if "$scratch/release/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$work/$target/findings/" \
    "$work/$target/corpus" "$here/Corpus/$seeds" > "$work/$target/log.txt" 2>&1; then
    result=ok
  else
    result="FINDING (see $work/$target/findings and log.txt)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target/log.txt" | grep -o '[0-9]*$' || echo '?')
  cover=$(grep -o 'cov: [0-9]*' "$work/$target/log.txt" | tail -1 | grep -o '[0-9]*' || echo '?')
  echo "$target: $result — $runs inputs in $(( $(date +%s) - start )) s, coverage $cover edges"
done
exit $status
