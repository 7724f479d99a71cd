#!/usr/bin/env bash
# Builds the server (release) and runs it with development defaults on port ${PORT:-3000}.
# Installs missing Debian packages first. Idempotent; Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target archibald-realtime

bin=build/release/bin/archibald-realtime
port="${PORT:-3000}"
cat <<MSG

  Server:     http://localhost:${port}   (WebSocket: ws://localhost:${port}/ws/realtime?token=<JWT>)
  Health:     http://localhost:${port}/health/ready     Metrics: http://localhost:${port}/metrics
  Dev tokens (signed with JWT_SECRET, default dev secret):
    agent:    $bin token --user u-1001 --device phone-1
    admin:    $bin token --user admin --role admin
  Example:    curl -H "Authorization: Bearer \$($bin token --user admin --role admin)" \\
                http://localhost:${port}/api/websocket/health
  Dashboard:  http://localhost:${port}/admin#token=<admin token>
  Demo:       http://localhost:${port}/demo#token=<agent token>   (open it twice: live sync)

MSG
exec "$bin" serve "$@"
