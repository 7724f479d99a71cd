#!/usr/bin/env bash
# A local cluster in one command (DESIGN §6): a throwaway PostgreSQL (initdb + pg_ctl as the
# postgres user in a temporary folder, on a free port, fsync on) and N archibald-realtime nodes
# on consecutive ports sharing it. Prints their URLs and a dev token; Ctrl-C (or any exit) stops
# everything it started, by PID, and removes the folder.
#   scripts/cluster.sh [--nodes N] [--port FIRST_PORT]      (defaults: 3 nodes from port 3001)
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=3 first_port=3001
while [ $# -gt 0 ]; do
  case $1 in
    --nodes) nodes=$2 && shift ;;
    --port) first_port=$2 && shift ;;
    *) echo "usage: $0 [--nodes N] [--port FIRST_PORT]" >&2 && exit 2 ;;
  esac
  shift
done

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target archibald-realtime >/dev/null
bin=$PWD/build/release/bin/archibald-realtime
# shellcheck source=scripts/lib/throwaway-pg.sh
. scripts/lib/throwaway-pg.sh

dir=$(mktemp -d /tmp/archibald-cluster-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_stop "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_start "$dir"
url=$pg_url

for i in $(seq 0 $((nodes - 1))); do
  port=$((first_port + i))
  DATABASE_URL=$url PORT=$port "$bin" serve >"$dir/node-$((i + 1)).log" 2>&1 &
  pids+=($!)
done
for i in $(seq 0 $((nodes - 1))); do
  port=$((first_port + i))
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    kill -0 "${pids[$i]}" 2>/dev/null || { cat "$dir/node-$((i + 1)).log" >&2; exit 1; }
    sleep 0.1
  done
done

echo
echo "  PostgreSQL: $url   (logs and data in $dir)"
for i in $(seq 0 $((nodes - 1))); do
  echo "  node-$((i + 1)):     http://localhost:$((first_port + i))   ws://localhost:$((first_port + i))/ws/realtime?token=<JWT>"
done
echo "  Dev token:  $bin token --user u-1001 --device phone-1"
echo "  Ctrl-C stops the nodes and the database."
echo
wait "${pids[@]}"
