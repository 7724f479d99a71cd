# Sourced by scripts that need a throwaway PostgreSQL (scripts/cluster.sh, the report's
# multinode workload): initdb + pg_ctl as the postgres user (they refuse root) in a folder of
# its own, on a free loopback port, fsync on.
#   pg_start DIR   → starts it, sets pg_url
#   pg_stop DIR    → stops it (fast), if it runs
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((40000 + RANDOM % 20000))
}
pg_start() {
  local dir=$1 port attempt
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  pg_as_owner "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  for attempt in 1 2 3 4 5; do # a port taken meanwhile (or a random one, without python3)
    port=$(free_port)
    if pg_as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null; then
      pg_url="postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
  done
  echo "PostgreSQL did not start (see $dir/postgres.log)" >&2
  return 1
}
pg_stop() {
  [ -f "$1/data/postmaster.pid" ] && pg_as_owner "$pg_bin/pg_ctl" -D "$1/data" -m fast stop >/dev/null 2>&1
  return 0
}
