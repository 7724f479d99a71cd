#!/usr/bin/env bash
# Every setting the server reads from its environment (the Env: names in --help) is documented
# in the packaged env file, set or commented out; and the file sets nothing the server ignores.
# Usage: env-file-test.sh <archibald-realtime binary> <env file>
set -euo pipefail
binary=$1 env_file=$2
settings=$("$binary" --help | grep -o '(Env:[A-Z_]*)' | sed 's/(Env:\(.*\))/\1/' | sort -u)
documented=$(sed -n 's/^#\{0,1\}\([A-Z][A-Z_]*\)=.*/\1/p' "$env_file" | sort -u)
missing=$(comm -23 <(echo "$settings") <(echo "$documented"))
unknown=$(comm -13 <(echo "$settings") <(echo "$documented"))
[ -z "$missing" ] || { echo "not in $env_file: $missing"; exit 1; }
[ -z "$unknown" ] || { echo "in $env_file but not a setting: $unknown"; exit 1; }
echo "$(wc -l <<<"$settings") settings, all documented"
