#!/usr/bin/env bash
# The Debian package under a real systemd. Boots this machine's own system in a throwaway
# container — systemd-nspawn on an overlay of / whose changes live in a tmpfs, with a private
# network — installs the .deb there with dpkg -i (its postinst enables and starts the unit, as
# on a fresh machine) and checks what the unit promises: active under a dynamic user with its
# state directory, ready, a load run through it with nothing lost (the packaged archibald-load,
# the secret made at install), reload on SIGHUP, Restart=on-failure after a SIGKILL, a stop that
# closes open WebSockets with 1001 and exits 0; then TLS set up both ways the env file says
# (a group-readable pair renewed by systemctl reload, LoadCredential); purge. Nothing of it
# touches the host.
#   tests/deploy/systemd-test.sh DEB
# Skipped, saying why, when not root, without systemd-nspawn or where no container boots.
set -euo pipefail
deb=$(realpath "$1")
skip() { echo "systemd test skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v systemd-nspawn >/dev/null || skip "no systemd-nspawn (Debian's systemd-container)"

work=$(mktemp -d /var/tmp/archibald-systemd-XXXXXX)
root=$work/root nspawn_pid="" leader=""
cleanup() {
  if [ -n "$nspawn_pid" ]; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true  # a clean halt of the container
    for _ in $(seq 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  mountpoint -q "$root" && umount "$root"
  mountpoint -q "$work/layer" && umount "$work/layer"
  rm -rf "$work"
}
trap cleanup EXIT

inside() { timeout 60 nsenter -t "$leader" -a "$@"; }
unit_logs() { inside journalctl -u archibald-realtime --no-pager -o cat 2>/dev/null || true; }
fail() {
  echo "systemd test FAILED: $*" >&2
  [ -n "$leader" ] && unit_logs | tail -20 >&2
  exit 1
}
show() { inside systemctl show archibald-realtime -p "$1" --value; }
wait_for() {  # wait_for WHAT COMMAND... — up to 15 s
  local what=$1
  shift
  for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "$what"
}

mkdir -p "$work/layer" "$root"
mount -t tmpfs tmpfs "$work/layer"
mkdir "$work/layer/upper" "$work/layer/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/layer/upper,workdir=$work/layer/work" "$root" ||
  skip "no overlay file system"
# A fresh machine: packages may start their services (install-deps.sh's policy-rc.d may be
# there), and what this machine has installed for other tests stays off.
rm -f "$root/usr/sbin/policy-rc.d"
for unit in nginx.service postgresql.service postgresql@.service apt-daily.timer \
  apt-daily-upgrade.timer man-db.timer e2scrub_all.timer dpkg-db-backup.timer; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
cp "$deb" "$root/root/"

systemd-nspawn -D "$root" --boot --register=no --keep-unit --link-journal=no --private-network \
  --machine=archibald-test --console=pipe </dev/null >"$work/nspawn.log" 2>&1 &
nspawn_pid=$!
for _ in $(seq 300); do
  kill -0 "$nspawn_pid" 2>/dev/null || skip "no container boots here: $(tail -3 "$work/nspawn.log")"
  leader=$(pgrep -P "$nspawn_pid" | head -1 || true)
  if [ -n "$leader" ]; then
    state=$(inside systemctl is-system-running 2>/dev/null || true)
    [ "$state" = running ] || [ "$state" = degraded ] && break
  fi
  sleep 0.2
done
[ "${state:-}" = running ] || [ "${state:-}" = degraded ] || skip "the container's systemd did not finish booting"

inside dpkg -i "/root/$(basename "$deb")" >"$work/dpkg.log" 2>&1 || fail "dpkg -i: $(tail -5 "$work/dpkg.log")"
[ "$(inside systemctl is-enabled archibald-realtime)" = enabled ] || fail "the postinst did not enable the unit"
ready() { inside curl -fsS -m 2 http://127.0.0.1:3000/health/ready; }
wait_for "not ready on 127.0.0.1:3000 after the postinst started it" ready

pid=$(show MainPID)
# shellcheck disable=SC2016 # awk's program
uid=$(inside awk '/^Uid:/ {print $2}' "/proc/$pid/status")
# DynamicUser picks from 61184-65519 (systemd.exec(5)).
if [ "$uid" -lt 61184 ] || [ "$uid" -gt 65519 ]; then
  fail "the server runs as uid $uid, not a dynamic user"
fi
inside test -s /var/lib/archibald-realtime/archibald-realtime.db || fail "no database in the StateDirectory"

load() {  # load SECONDS [ARGS...] — the packaged load tool with the secret made at install
  # shellcheck disable=SC2016 # expanded by the shell inside
  inside sh -c '. /etc/archibald-realtime/jwt-secret.env && exec archibald-load --quiet \
    --secret "$JWT_SECRET" --users 5 --devices 2 --duration "$@" \
    --threshold ws_msgs_lost:count==0 --threshold ws_connection_success:rate==1 \
    --threshold "ws_e2e_latency:p(99)<2000"' load "$@"
}
load 3s --url http://127.0.0.1:3000 >"$work/load.log" 2>&1 || fail "a load run through the unit: $(tail -20 "$work/load.log")"

inside systemctl reload archibald-realtime
reloaded() { unit_logs | grep -q SIGHUP; }
wait_for "systemctl reload did not reach the server as SIGHUP" reloaded

inside kill -KILL "$pid"
restarted() { [ "$(show NRestarts)" = 1 ] && [ "$(show ActiveState)" = active ] && ready; }
wait_for "Restart=on-failure did not bring the server back after SIGKILL" restarted
[ "$(show MainPID)" != "$pid" ] || fail "the same MainPID after a restart"

# A stop with devices connected: they are told 1001 and the server exits 0 within the timeout.
load 30s --url http://127.0.0.1:3000 >"$work/load-stopped.log" 2>&1 &
load_pid=$!
connected() {
  [ "$(inside curl -fsS -m 2 http://127.0.0.1:3000/metrics | sed -n 's/^archibald_connections //p')" -ge 10 ]
}
wait_for "the load run's 10 connections never opened" connected
inside systemctl stop archibald-realtime
kill "$load_pid" 2>/dev/null || true
wait "$load_pid" 2>/dev/null || true
unit_logs | grep -Eq 'closing [1-9][0-9]* WebSocket connection\(s\) with 1001' ||
  fail "the stop did not close the open WebSockets with 1001"
if [ "$(show Result)" != success ] || [ "$(show ExecMainStatus)" != 0 ]; then
  fail "the stop was not clean: Result=$(show Result) status=$(show ExecMainStatus)"
fi

# TLS as the env file says: a pair its group may read (SupplementaryGroups in a drop-in), renewed
# in place by systemctl reload; then root-only files that systemd passes with LoadCredential.
tls=$root/etc/archibald-realtime/tls
mkdir -p "$tls" "$work/tls"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$work/tls/ca.key" -out "$root/root/ca.crt" -days 1 \
  -subj /CN=test-ca 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/tls/san.ext"
make_pair() {  # make_pair NAME → $work/tls/NAME.crt and .key, signed by the CA
  openssl req "${ec[@]}" -keyout "$work/tls/$1.key" -out "$work/tls/$1.csr" -subj /CN=127.0.0.1 2>/dev/null
  openssl x509 -req -in "$work/tls/$1.csr" -CA "$root/root/ca.crt" -CAkey "$work/tls/ca.key" \
    -CAcreateserial -days 1 -extfile "$work/tls/san.ext" -out "$work/tls/$1.crt" 2>/dev/null
}
install_pair() {  # install_pair NAME MODE GROUP — as fullchain.pem / privkey.pem
  cp "$work/tls/$1.crt" "$tls/fullchain.pem"
  cp "$work/tls/$1.key" "$tls/privkey.pem"
  inside chown "root:$3" /etc/archibald-realtime/tls/fullchain.pem /etc/archibald-realtime/tls/privkey.pem
  chmod "$2" "$tls/fullchain.pem" "$tls/privkey.pem"
}
serial_of() { openssl x509 -noout -serial -in "$work/tls/$1.crt"; }
served_serial() {
  inside openssl s_client -connect 127.0.0.1:3000 -CAfile /root/ca.crt -verify_return_error \
    </dev/null 2>/dev/null | openssl x509 -noout -serial
}
https_ready() { inside curl -fsS -m 2 --cacert /root/ca.crt https://127.0.0.1:3000/health/ready; }
use_settings() {  # use_settings DROP_IN TLS_CERT TLS_KEY — then a start
  mkdir -p "$root/etc/systemd/system/archibald-realtime.service.d"
  printf '[Service]\n%s\n' "$1" >"$root/etc/systemd/system/archibald-realtime.service.d/tls.conf"
  sed -i '/^TLS_\(CERT\|KEY\)=/d' "$root/etc/archibald-realtime/archibald-realtime.env"
  printf 'TLS_CERT=%s\nTLS_KEY=%s\n' "$2" "$3" >>"$root/etc/archibald-realtime/archibald-realtime.env"
  inside systemctl daemon-reload
  inside systemctl restart archibald-realtime
  wait_for "not ready over https with $1" https_ready
}
make_pair first
make_pair renewed
inside groupadd --system archibald-tls
install_pair first 0640 archibald-tls
use_settings SupplementaryGroups=archibald-tls /etc/archibald-realtime/tls/fullchain.pem \
  /etc/archibald-realtime/tls/privkey.pem
[ "$(served_serial)" = "$(serial_of first)" ] || fail "https serves another certificate than the installed one"
load 3s --url https://127.0.0.1:3000 --ca /root/ca.crt >"$work/load-tls.log" 2>&1 ||
  fail "a load run over https/wss: $(tail -20 "$work/load-tls.log")"
pid=$(show MainPID)
install_pair renewed 0640 archibald-tls
inside systemctl reload archibald-realtime
renewed() { [ "$(served_serial)" = "$(serial_of renewed)" ]; }
wait_for "systemctl reload did not serve the renewed certificate" renewed
[ "$(show MainPID)" = "$pid" ] || fail "the reload restarted the server"

install_pair first 0600 root
credentials=/run/credentials/archibald-realtime.service
use_settings "LoadCredential=tls.crt:/etc/archibald-realtime/tls/fullchain.pem
LoadCredential=tls.key:/etc/archibald-realtime/tls/privkey.pem" "$credentials/tls.crt" "$credentials/tls.key"
[ "$(served_serial)" = "$(serial_of first)" ] || fail "https with LoadCredential serves another certificate"
inside systemctl stop archibald-realtime

inside dpkg -P archibald-realtime >>"$work/dpkg.log" 2>&1 || fail "dpkg -P: $(tail -5 "$work/dpkg.log")"
inside test ! -e /usr/lib/systemd/system/archibald-realtime.service || fail "the unit is still there after purge"
echo "systemd test passed: booted a container, installed, started by systemd as a dynamic user," \
  "served a load run, reloaded, restarted after SIGKILL, stopped with 1001," \
  "served https/wss with a group-readable pair and a renewal by reload, and by LoadCredential, purged"
