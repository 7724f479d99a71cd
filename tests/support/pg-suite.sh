#!/usr/bin/env bash
# The throwaway PostgreSQL the integration suite's second run uses (ctest fixture pg_suite):
#   pg-suite.sh start STATE_FILE   stops the one STATE_FILE names (a run cut short), starts a
#                                  new one, writes "DIR URL" to STATE_FILE
#   pg-suite.sh stop STATE_FILE    stops it and removes its folder
# The tests read the URL (ARCHIBALD_TEST_DATABASE_SERVER_FILE) and create a database each.
set -euo pipefail
# shellcheck source=scripts/lib/throwaway-pg.sh
. "$(dirname "$0")/../../scripts/lib/throwaway-pg.sh"
state=$2
stop() {
  [ -f "$state" ] || return 0
  local dir
  dir=$(cut -d' ' -f1 "$state")
  pg_stop "$dir"
  rm -rf "$dir" "$state"
}
case $1 in
  start)
    stop
    [ -n "$pg_bin" ] || { echo "PostgreSQL is not installed (scripts/install-deps.sh)" >&2; exit 1; }
    dir=$(mktemp -d /tmp/archibald-pg-suite-XXXXXX)
    pg_start "$dir"
    echo "$dir ${pg_url%/postgres}" >"$state"
    echo "PostgreSQL for the suite: ${pg_url%/postgres}"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_FILE" >&2 && exit 2 ;;
esac
