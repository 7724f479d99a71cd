#!/usr/bin/env bash
# Runs every workload of DESIGN §5 with archibald-load against fresh servers on this machine,
# the before/after measurements of the optimizations, a perf profile of the server at scale,
# heaptrack on the soak, the Node.js reference on the 50-user tier and k6 beside archibald-load
# on the tiers (when a k6 binary is found), then writes the report.
#   load-tests/run-report.sh           # full: about an hour (the soak alone is 30 minutes)
#                                      # → docs/report-data/ (the inputs, committed),
#                                      #   docs/PERFORMANCE-REPORT.md, docs/perf/*.svg
#   load-tests/run-report.sh --quick   # every duration × 0.05, smoke thresholds, ≤ 5 minutes
#                                      # → load-tests/results/quick/ (not committed);
#                                      #   exit 1 if a smoke threshold fails (CI runs this)
#   load-tests/run-report.sh --only breakpoint,chaos   # re-run those workloads, keep the other
#                                      # results, regenerate (meta.json records the re-run)
#   load-tests/run-report.sh --only soak --after-fix "what was fixed"   # the same, keeping the
#                                      # soak's current results as before-fix-soak.* (the
#                                      # report's "Found by these runs and fixed")
# Workloads: tiers node k6 scale storm spike breakpoint breakpoint-ws fanout heartbeat store soak
# chaos hotpath (this build against hotpath_base; not in --quick) idle multinode (nodes on a
# throwaway PostgreSQL; not in --quick).
# Results: summary JSON, the per-second series reduced to what the charts draw, bench JSON,
# perf and heaptrack text summaries, meta.json (machine, run, settings) — everything the
# report reads, so `node load-tests/report/generate.js` rebuilds it from the repository.
# Binaries are copied first: rebuilding meanwhile does not change what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0 only="" after_fix=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --only) only=,$2, && shift ;;
    --after-fix) after_fix=$2 && shift ;;
    *) echo "usage: $0 [--quick] [--only WORKLOAD,... [--after-fix TEXT]]" >&2 && exit 2 ;;
  esac
  shift
done
[ -n "$after_fix" ] && [ -z "$only" ] && echo "--after-fix needs --only" >&2 && exit 2
want() { [ -z "$only" ] || [[ $only == *",$1,"* ]]; }
if [ $quick -eq 1 ]; then
  scale=0.05 results=$root/load-tests/results/quick report=$root/load-tests/results/quick/report
else
  scale=1 results=$root/docs/report-data report=$root/docs
fi
# The settings the report states (meta.json "settings"): change them here, never in its prose.
perf_hz=499 perf_cutoff=0.4 perf_delay=40 perf_seconds=60
tier=60s hb_interval_ms=5000 hb_users=6000 hb_hold=15s reps=3 min_time=0.5 soak_scale=1
breakpoint_scale=0.34 k6_runs=3 k6_scale=0.25  # breakpoint: 10 s levels; k6: 15 s tiers
# hotpath: the commit before the hot-path rebuild (issue 13), alternated runs, their length.
hotpath_base=03a5a91 hotpath_runs=3 hotpath_time=20s
idle_connections=18800  # idle: one process, under its 20,000 open files
# multinode: the tiers with 4 devices a user on 2 nodes sharing one PostgreSQL (each write has
# a device on the node that took it and two on the other), the same on one SQLite node.
multinode_tier=20s multinode_devices=4
# … then 3 nodes: 12,000 users × 4 devices (48,000 connections) writing every 10 s; and 9,000
# users × 4 (36,000) with a node SIGKILLed once all are connected.
multinode_scale_users=12000 multinode_chaos_users=9000 multinode_ramp=90s multinode_hold=90s
multinode_kill_at=110s
# tls: tls_runs rounds of the seed tiers and a storm (its stages at this share of their length),
# plain and TLS alternated, then this many idle connections each way for the RSS.
tls_runs=3 tls_tier=30s tls_storm_scale=0.5 tls_idle_connections=10000
if [ $quick -eq 1 ]; then
  perf_delay=3 perf_seconds=4 tier=3s hb_users=1000 hb_hold=4s reps=1 min_time=0.2
  soak_scale=0.02 breakpoint_scale=$scale k6_runs=1 k6_scale=$scale idle_connections=1000
  tls_runs=1 tls_tier=3s tls_storm_scale=$scale tls_idle_connections=1000
fi
k6=${K6:-$(command -v k6 || true)}
[ -z "$k6" ] && [ -x "$root/../shared/tools/k6/k6" ] && k6=$root/../shared/tools/k6/k6
node_reference=${NODE_REFERENCE:-$root/../shared/reference/archibald-node}

cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src CMakeLists.txt || echo "+changes")
[ -z "$only" ] && rm -rf "$results"
mkdir -p "$results"
# A re-run after a fix: the workloads' current results become the "before" of the comparison.
fixed_runs=""
if [ -n "$after_fix" ]; then
  for w in ${only//,/ }; do
    for f in "$results/$w".* "$results/$w"-*.*; do
      [ -e "$f" ] || continue
      mv "$f" "$results/before-fix-$(basename "$f")"
      run=$(basename "${f%.*}")
      [[ " $fixed_runs " == *" $run "* ]] || fixed_runs+=" $run"
    done
  done
fi
work=$(mktemp -d /tmp/archibald-report-XXXXXX)
cp -r "$root/build/release/bin" "$work/bin"
bin=$work/bin
secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
# Servers take consecutive ports from one below the kernel's ephemeral range: a client socket of
# an earlier run (the storms leave thousands in TIME_WAIT) may hold any port inside it, and a
# listener cannot bind over it (start_server still moves on if a port is taken).
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
port=$((10000 + RANDOM % (ephemeral_low - 10500)))
server_pid="" heaptrack_pid="" pg_dir=""
# shellcheck source=scripts/lib/throwaway-pg.sh
. "$root/scripts/lib/throwaway-pg.sh"
failures=()

# The scheme of the next server and what the load tool and the footprint bench need for it
# (use_tls plain|tls; the certificate comes from make_certificate).
scheme=http tls_env=() tls_args=()
use_tls() {
  if [ "$1" = tls ]; then
    scheme=https tls_env=(TLS_CERT="$work/tls/server.crt" TLS_KEY="$work/tls/server.key")
    tls_args=(--ca "$work/tls/ca.crt")
  else
    scheme=http tls_env=() tls_args=()
  fi
}
make_certificate() {  # a throwaway CA and an ECDSA P-256 certificate for 127.0.0.1 in $work/tls
  local d=$work/tls ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  mkdir -p "$d"
  openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj "/CN=Report CA" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" -subj /CN=127.0.0.1 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/san.ext" -out "$d/server.crt" 2>/dev/null
}
wait_until_up() {  # wait_until_up PATH [PID] — returns 1 if PID exits first (a port taken)
  for _ in $(seq 200); do
    curl -sfk -m 2 "$scheme://127.0.0.1:$port$1" >/dev/null && return 0
    [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && return 1
    sleep 0.1
  done
  echo "server did not start on port $port; its log ends:" >&2
  tail -5 "$work/server.log" >&2
  exit 1
}
server_env() {  # server_env DB_NAME → the environment of a server on $port
  echo "HOST=127.0.0.1 PORT=$port JWT_SECRET=$secret DB_PATH=$work/$1.db LOG_LEVEL=warn"
}
server_bin=$bin/archibald-realtime  # the server the next start_* runs
start_server() {  # start_server DB_NAME [ENV...] → server_pid, on the next free port
  local db=$1
  shift
  for _ in 1 2 3 4 5; do
    port=$((port + 1))
    # shellcheck disable=SC2046 # the environment is words
    env $(server_env "$db") "$@" "$server_bin" >>"$work/server.log" 2>&1 &
    server_pid=$!
    wait_until_up /health/live "$server_pid" && return 0
    wait "$server_pid" 2>/dev/null || true
  done
  echo "server did not start on five ports; its log ends:" >&2
  tail -5 "$work/server.log" >&2
  exit 1
}
start_nodes() {  # start_nodes N → node_pids, node_urls: N nodes on the throwaway PostgreSQL
  node_pids=() node_urls=()
  for node in $(seq "$1"); do
    port=$((port + 1))
    HOST=127.0.0.1 PORT=$port JWT_SECRET=$secret DATABASE_URL=$pg_url NODE_ID=node-$node \
      LOG_LEVEL=warn "$bin/archibald-realtime" >>"$work/server.log" 2>&1 &
    node_pids+=($!) node_urls+=(--url "http://127.0.0.1:$port")
    wait_until_up /health/ready
  done
}
stop_nodes() {
  for pid in "${node_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  node_pids=()
}
load_nodes() {  # load_nodes RUN_NAME ARGS... — archibald-load against the nodes started
  local name=$1 status=0
  shift
  echo "== $name"
  "$bin/archibald-load" "${node_urls[@]}" --secret "$secret" --quiet \
    --out "json=$results/$name.json" --out "ndjson=$work/$name.ndjson" "$@" \
    >"$results/$name.txt" 2>&1 || status=$?
  node "$root/load-tests/report/reduce-series.js" "$work/$name.ndjson" "$results/$name.ndjson"
  [ $status -eq 0 ] || [ $status -eq 99 ] || failures+=("$name: exit $status")
  return 0
}
start_server_under_heaptrack() {  # start_server_under_heaptrack DB_NAME → server_pid
  port=$((port + 1))
  # shellcheck disable=SC2046
  env $(server_env "$1") heaptrack -o "$work/$1.heaptrack" "$server_bin" \
    >>"$work/server.log" 2>&1 &
  heaptrack_pid=$!
  wait_until_up /health/live
  server_pid=$(pgrep -P "$heaptrack_pid" -f "$server_bin")
}
start_server_under_callgrind() {  # start_server_under_callgrind DB_NAME → server_pid
  port=$((port + 1))
  # shellcheck disable=SC2046
  env $(server_env "$1") valgrind --tool=callgrind --callgrind-out-file="$work/$1.callgrind" \
    "$server_bin" >>"$work/server.log" 2>&1 &
  server_pid=$!
  wait_until_up /health/live
}
start_node_reference() {  # start_node_reference DB_NAME — the original Node.js stack, installed once in load-tests/results/
  local copy=$root/load-tests/results/node-reference
  if ! cmp -s "$node_reference/package-lock.json" "$copy/package-lock.json" ||
    [ ! -d "$copy/node_modules" ]; then
    [ $quick -eq 1 ] && return 1 # better-sqlite3 compiles for minutes: not in a smoke test
    rm -rf "$copy" && cp -r "$node_reference" "$copy"
    if ! (cd "$copy" && npm_config_nodedir=/usr npm ci --no-audit --no-fund >"$work/npm.log" 2>&1); then
      echo "warning: the Node.js reference did not install (see npm ci); no comparison" >&2
      rm -rf "$copy"
      return 1
    fi
  fi
  port=$((port + 1))
  PORT=$port JWT_SECRET=$secret node "$copy/server.js" --db "$work/$1.db" >>"$work/node.log" 2>&1 &
  server_pid=$!
  wait_until_up /healthz
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  if [ -n "$heaptrack_pid" ]; then
    wait "$heaptrack_pid" 2>/dev/null || true
    heaptrack_pid=""
  fi
}
node_pids=()
cleanup() {
  stop_server
  [ ${#node_pids[@]} -eq 0 ] || stop_nodes
  # The chaos run's restarted server was stopped after it: by now its pid may be gone (a failed
  # kill here made the whole run exit 1 under set -e).
  [ -f "$work/restarted.pid" ] && kill "$(cat "$work/restarted.pid")" 2>/dev/null || true
  [ -n "$pg_dir" ] && pg_stop "$pg_dir" && rm -rf "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

# In quick mode the ramps are compressed 20×: the latency bars of the scenarios do not apply,
# the smoke test asks for no loss, no duplicates, connections and deliveries that succeed.
smoke=(--threshold 'ws_msgs_lost:count==0' --threshold 'ws_msgs_duplicated:count==0'
  --threshold 'ws_connection_success:rate>0.99' --threshold 'ws_e2e_latency:p(99)<2000')
load() {  # load RUN_NAME ARGS... — one archibald-load run; a failed threshold is a result
  local name=$1 status=0
  shift
  echo "== $name"
  "$bin/archibald-load" --url "$scheme://127.0.0.1:$port" "${tls_args[@]}" --secret "$secret" \
    --server-pid "$server_pid" --quiet --out "json=$results/$name.json" --out "ndjson=$work/$name.ndjson" "$@" \
    >"$results/$name.txt" 2>&1 || status=$?
  node "$root/load-tests/report/reduce-series.js" "$work/$name.ndjson" "$results/$name.ndjson"
  [ $status -eq 0 ] || [ $status -eq 99 ] || failures+=("$name: exit $status")
  [ $status -eq 99 ] && [ $quick -eq 1 ] && failures+=("$name: a smoke threshold failed")
  return 0
}
own=()  # the scenario's own thresholds, or the smoke thresholds in quick mode
[ $quick -eq 1 ] && own=("${smoke[@]}")

for users in 10 20 30 50; do
  want tiers || continue
  start_server "tiers-$users"
  load "tiers-$users" --scenario tiers --stage "0s:$users" --stage "$tier:$users"
  stop_server
done
# The Node.js reference: the 50-user tier, then 1,500 users × 2 at 1 write/s against it and
# against this server, back to back.
if want node && [ -f "$node_reference/server.js" ] && start_node_reference node-tiers-50; then
  load node-tiers-50 --scenario tiers --stage "0s:50" --stage "$tier:50"
  stop_server
  if [ $quick -eq 0 ]; then
    start_node_reference node-users-1500
    load node-users-1500 --users 1500 --devices 2 --duration "$hotpath_time"
    stop_server
    start_server node-users-1500-this
    load node-users-1500-this --users 1500 --devices 2 --duration "$hotpath_time"
    stop_server
  fi
fi

# k6 beside archibald-load: the tiers on one server, the two tools alternated.
if want k6 && [ -n "$k6" ]; then
  start_server k6
  for i in $(seq "$k6_runs"); do
    load "compare-tiers-$i" --scenario tiers --scale "$k6_scale" "${own[@]}"
    echo "== k6-tiers-$i"
    status=0
    (cd "$root/load-tests" && "$k6" run --quiet --no-color -e "BASE_URL=http://127.0.0.1:$port" \
      -e "JWT_SECRET=$secret" -e SCENARIO=load -e "SCALE=$k6_scale" \
      -e "SUMMARY_JSON=$results/k6-tiers-$i.json" websocket-load.js >"$results/k6-tiers-$i.txt" 2>&1) ||
      status=$?
    # A failed threshold (99) is a result, shown in the report; anything else is a broken run.
    [ $status -eq 0 ] || [ $status -eq 99 ] || failures+=("k6-tiers-$i: k6 exit $status")
  done
  stop_server
fi

perf_profile() {  # perf_profile DELAY SECONDS — the server's hot spots, software clock sampling
  (sleep "$1" && perf record -F "$perf_hz" -g -o "$work/scale.perf" -p "$server_pid" -- sleep "$2") \
    >/dev/null 2>&1 &
  perf_pid=$!
}
profile_start() {  # the server's samples until profile_stop (perf, software clock), if perf runs
  perf_pid=""
  command -v perf >/dev/null || return 0
  perf record -F "$perf_hz" -o "$work/run.perf" -p "$server_pid" >/dev/null 2>&1 &
  perf_pid=$!
}
profile_stop() {  # profile_stop FILE — the samples by library (dso) into FILE
  [ -n "$perf_pid" ] || return 0
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" || true
  perf report -i "$work/run.perf" --stdio --no-children --sort dso 2>/dev/null |
    grep -E '^ +[0-9]' >"$1" || true
}
for scenario in scale storm spike breakpoint breakpoint-ws fanout; do
  want "$scenario" || continue
  start_server "$scenario"
  run_scale=$scale
  [[ $scenario == breakpoint* ]] && run_scale=$breakpoint_scale
  perf_pid=""
  if [ "$scenario" = scale ] && command -v perf >/dev/null; then
    perf_profile "$perf_delay" "$perf_seconds"
  fi
  if [ "$scenario" = storm ] && [ $quick -eq 1 ]; then
    load storm --scenario storm --scale "$run_scale" --threshold 'ws_msgs_lost:count==0' \
      --threshold 'ws_connection_success:rate>0.99'
  else
    load "$scenario" --scenario "$scenario" --scale "$run_scale" "${own[@]}"
  fi
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$work/scale.perf" --stdio --no-children --sort dso,sym -g none \
      --percent-limit "$perf_cutoff" 2>/dev/null | grep -E '^ +[0-9]' | head -40 >"$results/profile.txt" || true
  fi
  stop_server
done

# Before/after of the optimizations that can be switched off. The heartbeat: hb_users × 2
# connections, a ping round every hb_interval_ms, every connection at once (as before) or one
# slice at a time (now).
for spread in false true; do
  want heartbeat || continue
  start_server "heartbeat-$spread" HEARTBEAT_INTERVAL_MS=$hb_interval_ms HEARTBEAT_SPREAD=$spread
  load "heartbeat-spread-$spread" --scenario scale --stage "0s:$hb_users" --stage "$hb_hold:$hb_users" \
    --threshold 'ws_msgs_lost:count==0'
  stop_server
done
# Storage: group commit, WAL write coalescing, the writer's WAL checkpoint (medians of reps).
if want store; then
  "$bin/archibald_store_bench" --benchmark_repetitions=$reps --benchmark_min_time=$min_time \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_filter='BM_DurableWrites/full:1/batch:(1|256)/writers:(64|256)/|BM_WalGrowth' \
    --benchmark_out="$results/store-bench.bench.json" --benchmark_out_format=json \
    >"$results/store-bench.txt" 2>&1
fi

# Multi-node (DESIGN §6): the nodes share a throwaway PostgreSQL; not in --quick (CI's smoke run).
if want multinode && [ $quick -eq 0 ]; then
  pg_dir=$(mktemp -d /tmp/archibald-report-pg-XXXXXX) # the postgres user must reach it
  pg_start "$pg_dir"
  ARCHIBALD_BENCH_DATABASE_URL=$pg_url "$bin/archibald_store_bench" --benchmark_repetitions=$reps \
    --benchmark_min_time=$min_time --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true \
    --benchmark_filter='BM_PostgresDurableWrites|BM_DurableWrites/full:1/batch:256/writers:(1|64|256)/coalesce:1' \
    --benchmark_out="$results/multinode-store.bench.json" --benchmark_out_format=json \
    >"$results/multinode-store.txt" 2>&1
  for users in 10 20 30 50; do
    start_server "multinode-sqlite-$users"
    load "multinode-sqlite-$users" --scenario tiers --devices $multinode_devices \
      --stage "0s:$users" --stage "$multinode_tier:$users"
    stop_server
    start_nodes 2
    load_nodes "multinode-pg-$users" --scenario tiers --devices $multinode_devices \
      --stage "0s:$users" --stage "$multinode_tier:$users"
    stop_nodes
  done
  # Scale: 3 nodes × 16,000 connections (the open-file cap allows ~19,700 a node), a write per
  # user every 10 s; the scale scenario's thresholds.
  start_nodes 3
  load_nodes multinode-scale --scenario scale --devices $multinode_devices --workers 3 \
    --stage "$multinode_ramp:$multinode_scale_users" --stage "$multinode_hold:$multinode_scale_users"
  stop_nodes
  # A node SIGKILLed under load: its devices land on the two others (≤ 18,000 connections each)
  # with lastSeq; the chaos scenario's thresholds (nothing lost or duplicated), ws_catch_up
  # measures each dropped device's drop → back with every event owed it.
  start_nodes 3
  load_nodes multinode-chaos --scenario chaos --devices $multinode_devices --workers 3 \
    --write-period 10s --stage "$multinode_ramp:$multinode_chaos_users" \
    --stage "$multinode_hold:$multinode_chaos_users" --chaos-kill-pid "${node_pids[1]}" \
    --chaos-at "$multinode_kill_at"
  stop_nodes
  pg_stop "$pg_dir"
fi

# TLS on the server's port against plain (issue 15), the two alternated: e2e and server CPU per
# write at the seed tiers, a connection storm's handshakes/s, the RSS of idle connections.
if want tls; then
  make_certificate
  for run in $(seq "$tls_runs"); do
    for users in 10 20 30 50; do
      for mode in plain tls; do
        use_tls $mode
        start_server "tls-tiers-$mode-$users-$run" "${tls_env[@]}"
        load "tls-tiers-$mode-$users-$run" --scenario tiers --stage "0s:$users" --stage "$tls_tier:$users"
        stop_server
      done
    done
    for mode in plain tls; do
      use_tls $mode
      start_server "tls-storm-$mode-$run" "${tls_env[@]}"
      [ "$run" = 1 ] && profile_start
      load "tls-storm-$mode-$run" --scenario storm --scale "$tls_storm_scale" \
        --threshold 'ws_connection_success:rate>0.99'
      [ "$run" = 1 ] && profile_stop "$results/tls-storm-$mode-profile.txt"
      stop_server
    done
  done
  for mode in plain tls; do
    use_tls $mode
    start_server "tls-idle-$mode" "${tls_env[@]}"
    footprint=(--port "$port" --secret "$secret" --connections "$tls_idle_connections" --settle 3)
    [ $mode = tls ] && footprint+=(--tls "${tls_args[@]}")
    "$bin/archibald_footprint_bench" "${footprint[@]}" >"$results/tls-idle-$mode.txt" 2>&1 ||
      failures+=("tls-idle-$mode: footprint bench failed")
    stop_server
  done
  use_tls plain
fi

if want soak; then
  start_server_under_heaptrack soak
  load soak --scenario soak --scale "$soak_scale" "${own[@]}"
  stop_server
  heaptrack_print -f "$work"/soak.heaptrack.* --print-peaks 1 --print-allocators 0 \
    --print-temporary 0 --peak-limit 5 --sub-peak-limit 0 >"$results/heap.txt" 2>/dev/null || true
fi

if want chaos; then
  start_server chaos
  disown "$server_pid" # archibald-load SIGKILLs it: no job notice from bash
  restart="$(server_env chaos) exec $bin/archibald-realtime >>$work/server.log 2>&1 & echo \$! >$work/restarted.pid"
  load chaos --scenario chaos --scale "$scale" --chaos-kill-pid "$server_pid" --chaos-restart "$restart"
  [ -f "$work/restarted.pid" ] && kill "$(cat "$work/restarted.pid")" 2>/dev/null || true
fi

# The hot path (issue 13): this build against hotpath_base on the same two workloads, the
# variants alternated — server CPU per REST write (1,500 users × 2 devices, a write per user
# per second) and per delivery (1,000 users × 10 devices, 1,500 durable publishes/s) — then the
# server's instructions (callgrind) and allocations (heaptrack) per REST write, each counted at
# two run lengths: the difference over the difference in writes leaves the fixed costs out.
build_base() {  # → $work/base-server: hotpath_base's server, built once per run
  [ -x "$work/base-server" ] && return
  local base_src=$work/hotpath-base-src
  git worktree add --detach "$base_src" "$hotpath_base" >/dev/null 2>&1
  (cd "$base_src" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target archibald-realtime >/dev/null)
  cp "$base_src/build/release/bin/archibald-realtime" "$work/base-server"
  git worktree remove --force "$base_src"
}
if want hotpath && [ $quick -eq 0 ]; then
  build_base
  rm -f "$results"/hotpath-*
  counts=$results/hotpath-counts.txt
  echo "# variant tool seconds total writes" >"$counts"
  for i in $(seq "$hotpath_runs"); do
    for variant in base current; do
      server_bin=$bin/archibald-realtime
      [ $variant = base ] && server_bin=$work/base-server
      start_server "hotpath-rest-$variant-$i"
      load "hotpath-rest-$variant-$i" --users 1500 --devices 2 --duration "$hotpath_time"
      stop_server
      start_server "hotpath-fanout-$variant-$i"
      load "hotpath-fanout-$variant-$i" --users 1000 --devices 10 --write-mode publish \
        --write-rate 1500 --duration "$hotpath_time"
      stop_server
    done
  done
  writes_of() { node -e 'console.log(require(process.argv[1]).metrics.writes.values.count)' "$1"; }
  for variant in base current; do
    server_bin=$bin/archibald-realtime
    [ $variant = base ] && server_bin=$work/base-server
    for seconds in 10 30; do
      run=hotpath-callgrind-$variant-$seconds
      start_server_under_callgrind "$run"
      "$bin/archibald-load" --url "http://127.0.0.1:$port" --secret "$secret" --quiet --users 50 \
        --devices 2 --duration "${seconds}s" --ping-period 0 --out "json=$work/$run.json" >/dev/null 2>&1 || true
      stop_server
      total=$(callgrind_annotate "$work/$run.callgrind" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
      echo "$variant instructions $seconds $total $(writes_of "$work/$run.json")" >>"$counts"
    done
    for seconds in 10 20; do
      run=hotpath-heaptrack-$variant-$seconds
      start_server_under_heaptrack "$run"
      "$bin/archibald-load" --url "http://127.0.0.1:$port" --secret "$secret" --quiet --users 300 \
        --devices 2 --duration "${seconds}s" --ping-period 0 --out "json=$work/$run.json" >/dev/null 2>&1 || true
      stop_server
      total=$(heaptrack_print "$work/$run".heaptrack.* 2>/dev/null | awk '/^calls to allocation functions:/ {print $5}')
      echo "$variant allocations $seconds $total $(writes_of "$work/$run.json")" >>"$counts"
    done
  done
  server_bin=$bin/archibald-realtime
fi

# Idle connections against one process (this build, and hotpath_base outside --quick): the
# server's resident memory per connection, as archibald_footprint_bench reads it from /metrics.
if want idle; then
  idle_out=$results/idle-footprint.txt
  echo "# variant: archibald_footprint_bench --connections $idle_connections" >"$idle_out"
  variants=current
  [ $quick -eq 0 ] && build_base && variants="base current"
  for variant in $variants; do
    server_bin=$bin/archibald-realtime
    [ $variant = base ] && server_bin=$work/base-server
    start_server "idle-$variant"
    echo "== idle-$variant"
    "$bin/archibald_footprint_bench" --port "$port" --secret "$secret" \
      --connections "$idle_connections" 2>&1 | sed "s/^/$variant: /" >>"$idle_out" ||
      failures+=("idle-$variant: archibald_footprint_bench failed")
    stop_server
  done
  server_bin=$bin/archibald-realtime
fi

# meta.json: the machine, the run and its settings; a re-run (--only) keeps the first run's
# and adds itself (and its fix, with --after-fix).
k6_version=""
[ -n "$k6" ] && k6_version=$("$k6" version | cut -d' ' -f1-2)
settings=$(HOTPATH_BASE=$hotpath_base HOTPATH_RUNS=$hotpath_runs HOTPATH_TIME=$hotpath_time \
  MULTINODE_TIER=$multinode_tier MULTINODE_DEVICES=$multinode_devices TLS_TIER=$tls_tier TLS_RUNS=$tls_runs \
  TLS_STORM_SCALE=$tls_storm_scale TLS_IDLE=$tls_idle_connections node -e 'console.log(JSON.stringify({
  perfHz: +process.argv[1], perfCutoffPercent: +process.argv[2], perfDelaySeconds: +process.argv[3],
  perfSeconds: +process.argv[4], tierSeconds: parseFloat(process.argv[5]), heartbeatIntervalMs: +process.argv[6],
  heartbeatUsers: +process.argv[7], storeRepetitions: +process.argv[8], soakScale: +process.argv[9],
  breakpointScale: +process.argv[10], openFileLimit: +process.argv[11], k6Runs: +process.argv[12],
  k6Scale: +process.argv[13], k6Scenario: "tiers", k6Version: process.argv[14],
  hotpathBase: process.env.HOTPATH_BASE, hotpathRuns: +process.env.HOTPATH_RUNS,
  hotpathSeconds: parseFloat(process.env.HOTPATH_TIME),
  multinodeTierSeconds: parseFloat(process.env.MULTINODE_TIER), multinodeDevices: +process.env.MULTINODE_DEVICES,
  tlsTierSeconds: parseFloat(process.env.TLS_TIER), tlsStormScale: +process.env.TLS_STORM_SCALE,
  tlsRuns: +process.env.TLS_RUNS,
  tlsIdleConnections: +process.env.TLS_IDLE,
  smokeThresholds: process.argv.slice(15).filter((a) => a !== "--threshold") }))' \
  "$perf_hz" "$perf_cutoff" "$perf_delay" "$perf_seconds" "$tier" "$hb_interval_ms" "$hb_users" "$reps" \
  "$soak_scale" "$breakpoint_scale" "$(ulimit -n)" "$k6_runs" "$k6_scale" "$k6_version" "${own[@]}")
ONLY=${only//,/ } QUICK=$quick CORES=$(nproc) OS="$(. /etc/os-release && echo "$PRETTY_NAME")" \
  COMMIT=$commit MINUTES=$((SECONDS / 60)) SETTINGS=$settings RESULTS_DIR=${results#"$root"/} \
  FIX=$after_fix FIXED_RUNS=$fixed_runs node -e '
    const fs = require("fs");
    const e = process.env;
    const now = new Date().toISOString().slice(0, 16) + "Z";
    const only = e.ONLY.trim();
    let meta = { cores: Number(e.CORES), os: e.OS, commit: e.COMMIT, quick: e.QUICK === "1",
      command: "load-tests/run-report.sh" + (e.QUICK === "1" ? " --quick" : ""), resultsDir: e.RESULTS_DIR,
      minutes: Number(e.MINUTES), date: now, settings: JSON.parse(e.SETTINGS) };
    if (only && fs.existsSync(process.argv[1])) {
      meta = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      meta.settings = Object.assign(JSON.parse(e.SETTINGS), meta.settings);  // new keys only
      meta.reruns = [...(meta.reruns || []), { workloads: only.split(" "), commit: e.COMMIT, date: now, minutes: Number(e.MINUTES) }];
    }
    if (e.FIX) meta.fixes = [...(meta.fixes || []), { fix: e.FIX, runs: e.FIXED_RUNS.trim().split(" "), commit: e.COMMIT, date: now }];
    fs.writeFileSync(process.argv[1], JSON.stringify(meta, null, 2) + "\n");' "$results/meta.json"
node load-tests/report/generate.js "$results" "$report/PERFORMANCE-REPORT.md" "$report/perf"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
