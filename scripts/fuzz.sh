#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake --preset fuzz: clang 14, ASan + UBSan) and runs each for
# a bounded time over its committed seed corpus (fuzz/corpus/<target>, read only; new inputs
# go to build/fuzz/corpus/<target>). Exit status non-zero on any crash, leak or timeout; the
# input that caused it is in build/fuzz/artifacts/.
#   scripts/fuzz.sh [--seconds N] [--runs N] [target ...]     (default: 20 s each, all targets)
# A long run before a release: scripts/fuzz.sh --seconds 1200 --runs 10000000 url_fuzz
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
runs=-1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=($(ls fuzz/corpus))

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
mkdir -p build/fuzz/artifacts
status=0
for target in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$target"
  log="build/fuzz/$target.log"
  if ! "build/fuzz/bin/$target" -max_total_time="$seconds" -runs="$runs" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$target-" \
      "build/fuzz/corpus/$target" "fuzz/corpus/$target" >"$log" 2>&1; then
    echo "FAILED: $target (log: $log)"
    tail -40 "$log"
    status=1
    continue
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  echo "fuzz $target: ${execs:-?} executions in ≤ ${seconds} s, ${edges:-?} edges covered, no findings"
done
exit $status
