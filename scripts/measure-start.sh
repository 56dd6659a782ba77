#!/usr/bin/env bash
# Start-up time of `paddock help` and `paddock cli … ls /`, compiled (dist/) and from the TypeScript
# sources (PADDOCK_FROM_SOURCE=1: what every start cost before dist/), with and without npx.
#   cold: the first run with nothing cached by the tools: tsx without its disk cache
#         (TSX_DISABLE_CACHE=1), npx with an empty npm cache (it links the package again). The OS
#         page cache is left alone (a shared machine).
#   warm: the median of RUNS (default 5) runs after that.
# Prints a Markdown table for README ("Running it"). Needs `npm run build` first.
#   TARGET=DIR: measure another checkout (e.g. `git archive` of an older commit, with node_modules
#   linked in); MODES="source": only the TypeScript rows (a tree without dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${RUNS:-5}
target=${TARGET:-$repo}
modes=${MODES:-compiled source}

elapsed_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# row LABEL MODE COMMAND...: MODE is compiled or source.
row() {
  local label=$1 mode=$2
  shift 2
  local from_source=0
  [ "$mode" = source ] && from_source=1
  local npm_cache
  npm_cache=$(mktemp -d)
  local cold warm
  cold=$(PADDOCK_FROM_SOURCE=$from_source TSX_DISABLE_CACHE=1 npm_config_cache=$npm_cache elapsed_ms "$@")
  warm=$(for _ in $(seq "$runs"); do PADDOCK_FROM_SOURCE=$from_source npm_config_cache=$npm_cache elapsed_ms "$@"; done | median)
  rm -rf "$npm_cache"
  printf '| `%s` | %s | %s ms | %s ms |\n' "$label" "$mode" "$cold" "$warm"
}

data=$(mktemp -d)
node "$repo/dist/server/cli.js" server --host 127.0.0.1 --port 0 --data-dir "$data" --ready-file "$data/ready.json" \
  --set admin.serverPort=0 --set metricsProvider.httpPort=0 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do [ -s "$data/ready.json" ] && break; sleep 0.1; done
port=$(sed 's/.*"port":\([0-9]*\).*/\1/' "$data/ready.json")

echo "$(date -u +%Y-%m-%d), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg), node $(node --version), npm $(npm --version)"
echo
echo "| command | runs | cold | warm (median of $runs) |"
echo "| --- | --- | --- | --- |"
cd "$target"
for mode in $modes; do
  row "npx paddock help" "$mode" npx paddock help
  row "node bin/paddock.js help" "$mode" node bin/paddock.js help
  row "npx paddock cli -server … ls /" "$mode" npx paddock cli -server "127.0.0.1:$port" ls /
  row "node bin/paddock.js cli -server … ls /" "$mode" node bin/paddock.js cli -server "127.0.0.1:$port" ls /
done
