#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, only those missing. Idempotent.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev   # Asio, Beast, JSON
  libboost-url1.81-dev                     # request targets (parsing, percent-decoding)
  libssl-dev                               # HMAC-SHA256 for JWT
  libsqlite3-dev                           # durable sync storage (embedded, the default)
  libpq-dev postgresql                     # PostgreSQL store (several nodes); tests start their own
  libspdlog-dev                            # logging
  libcli11-dev                             # command line
  libgtest-dev libgmock-dev                # tests
  libbenchmark-dev                         # micro-benchmarks
  clang-14 libfuzzer-14-dev libclang-rt-14-dev  # fuzz targets (libFuzzer, ASan, UBSan)
  clang-format
  curl
  nodejs                                   # checks and unit tests of the k6 scripts, the report
  linux-perf heaptrack                     # the report's profile (perf) and soak heap profile
  chromium                                 # browser tests of /admin and /demo (playwright-core)
  nginx                                    # the reverse-proxy test of docs/deploy/nginx.conf
  openssl                                  # throwaway certificates in the TLS tests
  systemd                                  # systemd-analyze verify of the packaged unit
  systemd-container                        # systemd-nspawn: the package under a booted systemd
  dpkg-dev fakeroot file                   # cpack's .deb (dpkg-shlibdeps) and its install test
)
# npm comes with nodejs from some sources and as Debian's own package otherwise.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Packages with services (nginx, postgresql) must not start them here: the tests start their
# own on free ports, and a default site on port 80 could collide. policy-rc.d says no for now.
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
fi
trap '[ -n "$own_policy" ] && $SUDO rm -f "$policy"' EXIT
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
