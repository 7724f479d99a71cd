#!/usr/bin/env bash
# Runs every workload of DESIGN §5 with archibald-load against fresh servers on this machine
# and regenerates docs/PERFORMANCE-REPORT.md and docs/perf/*.svg from the results.
#   load-tests/run-report.sh           # full: about 45 minutes (the soak alone is 30)
#   load-tests/run-report.sh --quick   # every duration × 0.05: a few minutes, indicative only
# Results (summary JSON, per-second NDJSON, meta.json) stay in load-tests/results/report/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/build/release/bin
quick=0
[ "${1:-}" = "--quick" ] && quick=1
scale=1
[ $quick -eq 1 ] && scale=0.05

cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
results=$root/load-tests/results/report
rm -rf "$results"
mkdir -p "$results"
work=$(mktemp -d /tmp/archibald-report-XXXXXX)
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
port=$((20000 + RANDOM % 20000))
server_pid=""

start_server() {  # start_server DB_NAME → server_pid, port
  port=$((port + 1))
  HOST=127.0.0.1 PORT=$port JWT_SECRET=$secret DB_PATH=$work/$1.db LOG_LEVEL=warn \
    "$bin/archibald-realtime" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start" >&2
  exit 1
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
cleanup() {
  stop_server
  [ -f "$work/restarted.pid" ] && kill "$(cat "$work/restarted.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

load() {  # load RUN_NAME ARGS... — one archibald-load run; a failed threshold is a result
  local name=$1
  shift
  echo "== $name"
  "$bin/archibald-load" --url "http://127.0.0.1:$port" --secret "$secret" --server-pid "$server_pid" \
    --quiet --out "json=$results/$name.json" --out "ndjson=$results/$name.ndjson" "$@" \
    >"$results/$name.txt" 2>&1 || [ $? -eq 99 ]
}

tier=60s
[ $quick -eq 1 ] && tier=3s
for users in 10 20 30 50; do
  start_server "tiers-$users"
  load "tiers-$users" --scenario tiers --stage "0s:$users" --stage "$tier:$users"
  stop_server
done
for scenario in scale storm spike breakpoint fanout; do
  start_server "$scenario"
  bp_scale=$scale
  [ "$scenario" = breakpoint ] && [ $quick -eq 0 ] && bp_scale=0.5  # 15 s levels
  perf_pid=""
  if [ "$scenario" = scale ] && command -v perf >/dev/null; then
    # The server's hot spots at 18,000 connections, after the ramp (software clock sampling).
    delay=40 seconds=60
    [ $quick -eq 1 ] && delay=3 seconds=4
    (sleep $delay && perf record -F 499 -g -o "$work/scale.perf" -p "$server_pid" -- sleep $seconds) \
      >/dev/null 2>&1 &
    perf_pid=$!
  fi
  load "$scenario" --scenario "$scenario" --scale "$bp_scale"
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$work/scale.perf" --stdio --no-children --sort dso,sym -g none \
      --percent-limit 1.5 2>/dev/null | grep -E '^ +[0-9]' | head -20 >"$results/profile.txt" || true
  fi
  stop_server
done
start_server soak
soak_scale=1
[ $quick -eq 1 ] && soak_scale=0.02
load soak --scenario soak --scale "$soak_scale"
stop_server
start_server chaos
restart="HOST=127.0.0.1 PORT=$port JWT_SECRET=$secret DB_PATH=$work/chaos.db LOG_LEVEL=warn exec $bin/archibald-realtime >>$work/server.log 2>&1 & echo \$! >$work/restarted.pid"
load chaos --scenario chaos --scale "$scale" --chaos-kill-pid "$server_pid" --chaos-restart "$restart"
[ -f "$work/restarted.pid" ] && kill "$(cat "$work/restarted.pid")" 2>/dev/null || true

COMMAND="load-tests/run-report.sh${1:+ $1}" QUICK=$quick CORES=$(nproc) \
  OS="$(. /etc/os-release && echo "$PRETTY_NAME")" COMMIT="$(git rev-parse --short HEAD)" \
  node -e '
    const fs = require("fs");
    const profile = fs.existsSync(process.argv[1]) ? fs.readFileSync(process.argv[1], "utf8") : "";
    fs.writeFileSync(process.argv[2], JSON.stringify({
      cores: Number(process.env.CORES), os: process.env.OS, commit: process.env.COMMIT,
      date: new Date().toISOString().slice(0, 16) + "Z", quick: process.env.QUICK === "1",
      command: process.env.COMMAND,
      profile: profile ? "perf, server process, scale run (18,000 connections), top symbols:\n" + profile : undefined,
    }, null, 2));' "$results/profile.txt" "$results/meta.json"
node load-tests/report/generate.js "$results" docs/PERFORMANCE-REPORT.md docs/perf
