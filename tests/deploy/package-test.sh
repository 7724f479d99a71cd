#!/usr/bin/env bash
# The Debian package, end to end on this machine (root): build it, check its contents and unit
# (systemd-analyze verify), install it with dpkg -i, run the installed binary with the installed
# settings (env file + the JWT secret made at install) on a free port until /health/ready and
# an authenticated request, stop it with SIGTERM, purge the package. Leaves nothing installed.
# Then tests/deploy/systemd-test.sh: the package installed and run by systemd in a container.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "package test skipped: dpkg -i needs root"
  exit 0
fi
fail() { echo "package test FAILED: $*" >&2; exit 1; }

deb=$(./scripts/package.sh | tail -1)
echo "package: $deb"
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/archibald-realtime ./usr/bin/archibald-load \
            ./usr/lib/systemd/system/archibald-realtime.service \
            ./etc/archibald-realtime/archibald-realtime.env; do
  grep -q " $path\$" <<<"$contents" || fail "$path missing from the package"
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/archibald-realtime/archibald-realtime.env ||
  fail "the env file is not a conffile"

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null || true
  dpkg -P archibald-realtime >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dpkg -i "$deb" >/dev/null
[ -s /etc/archibald-realtime/jwt-secret.env ] || fail "postinst made no JWT secret"
[ "$(stat -c %a /etc/archibald-realtime/jwt-secret.env)" = 600 ] || fail "the secret is readable by others"
version=$(/usr/bin/archibald-realtime --version)
echo "installed: $version"
grep -Eq '^archibald-realtime [0-9]+\.[0-9]+\.[0-9]+ \(.+, .+, .+, .+\)$' <<<"$version" ||
  fail "--version does not name the build: $version"
systemd-analyze verify /usr/lib/systemd/system/archibald-realtime.service ||
  fail "systemd-analyze verify"
unit=/usr/lib/systemd/system/archibald-realtime.service
for setting in DynamicUser=yes StateDirectory=archibald-realtime ProtectSystem=strict \
               NoNewPrivileges=yes Restart=on-failure KillSignal=SIGTERM; do
  grep -qx "$setting" "$unit" || fail "the unit lacks $setting"
done
grep -Eq '^LimitNOFILE=[0-9]{5,}$' "$unit" || fail "the unit does not raise LimitNOFILE"
# The stop timeout must leave the server its SHUTDOWN_TIMEOUT_MS (default 5 s).
stop_s=$(sed -n 's/^TimeoutStopSec=//p' "$unit")
[ "${stop_s:-0}" -gt 5 ] || fail "TimeoutStopSec ($stop_s) not above SHUTDOWN_TIMEOUT_MS"

# The installed binary with the installed settings, as the unit would run it (its state
# directory replaced by a temporary one; any free port).
(
  set -a
  . /etc/archibald-realtime/archibald-realtime.env
  . /etc/archibald-realtime/jwt-secret.env
  set +a
  PORT=0 DB_PATH="$work/state/archibald-realtime.db" exec /usr/bin/archibald-realtime serve
) >"$work/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || fail "not ready: $(cat "$work/server.log")"
grep -q "development default" "$work/server.log" && fail "the installed server runs on the dev secret"
token=$(set -a; . /etc/archibald-realtime/jwt-secret.env; /usr/bin/archibald-realtime token --user pkg-1)
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/sync/draft-orders")
[ "$status" = 200 ] || fail "a token from the installed secret got HTTP $status"
kill -TERM "$server"
wait "$server" || fail "the server did not exit cleanly on SIGTERM"
server=""

dpkg -P archibald-realtime >/dev/null
[ ! -e /usr/bin/archibald-realtime ] || fail "the binary is still there after purge"
[ ! -e /etc/archibald-realtime ] || fail "/etc/archibald-realtime is still there after purge"
echo "package test passed: built, verified, installed, served, purged"

# The same package on a fresh system started by systemd itself (a throwaway container).
tests/deploy/systemd-test.sh "$deb"
