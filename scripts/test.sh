#!/usr/bin/env bash
# Builds everything and runs every test: unit and integration tests (release), the k6 scripts'
# checks, the browser code's unit tests and its end-to-end tests in Chromium, every fuzz target
# for a bounded time, the integration tests again under ASan + UBSan + LeakSanitizer, and the
# performance report's quick run as a smoke test with thresholds, and the Debian package's
# install test. Installs missing Debian and npm packages first.
# Idempotent. Exit status: non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release

# The Debian package: built, its unit verified, installed with dpkg -i, run with its installed
# settings until /health/ready, purged (root only; skipped otherwise).
tests/deploy/package-test.sh

# The k6 scripts' modules and the report generator, unit-tested under Node; then the scripts
# run by a real k6 (when there is one: no registry here carries it) against the release server
# — healthy, wrong secret, per-user limit 1 — and the lossy stand-in: only the first may pass.
for script in load-tests/*.js load-tests/{lib,report,k6-runs}/*.js web/{admin,client,common,demo,e2e,test}/*.js; do
  node --check "$script"
done
node --test load-tests/test/
k6=${K6:-$(command -v k6 || true)}
[ -z "$k6" ] && [ -x ../shared/tools/k6/k6 ] && k6=$(realpath ../shared/tools/k6/k6)
if [ -n "$k6" ]; then
  K6=$k6 node --test load-tests/k6-runs/
else
  echo "k6 runs skipped: no k6 binary (K6, k6 on PATH or ../shared/tools/k6/k6)"
fi

# The browser client, /admin and /demo: unit tests of their pure parts, then real Chromium
# against the release server (screenshots in web/test-results/).
node --test web/test/
(cd web && npm ci --no-audit --no-fund --loglevel=error)
for suite in web/e2e/*.test.js; do node --test "$suite"; done

# Every parser of untrusted input under libFuzzer with ASan + UBSan, 20 s each from the
# committed seed corpora: any crash, leak, timeout or broken invariant fails the run.
./scripts/fuzz.sh --seconds 20

# Memory errors, undefined behaviour and leaks on the paths the integration tests drive.
cmake --preset asan >/dev/null
cmake --build --preset asan --target archibald_integration_tests
ctest --preset asan -R '^integration\.'

# Every workload of the report, 20× shorter, against fresh servers: no loss, no duplicates,
# connections that succeed (load-tests/results/quick/).
load-tests/run-report.sh --quick
