#!/usr/bin/env bash
# Side-by-side run of `paddock bench` against Paddock, Apache ZooKeeper 3.8 and etcd 3.4, standalone
# (one member each; three-member runs are by hand, see BENCHMARKS.md), printing Paddock/ZooKeeper and Paddock/etcd
# ratios. Installs the reference servers from Debian if missing, and the reference clients into
# bench/node_modules. Extra arguments go to the bench, e.g.:
#   scripts/bench-compare.sh --duration 10 --workload create-100,set,get,mixed
# Keep each invocation under two minutes on a shared machine (rows × (warm-up + duration)).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need_apt=()
[ -f /usr/share/java/zookeeper.jar ] || need_apt+=(zookeeper)
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # Debian starts these as services; the bench runs its own on other ports.
  $sudo systemctl disable --now zookeeper etcd >/dev/null 2>&1 || true
fi

[ -d node_modules ] || npm install --no-audit --no-fund
if [ ! -d bench/node_modules/etcd3 ] || [ ! -d bench/node_modules/node-zookeeper-client ]; then
  (cd bench && npm install --no-audit --no-fund)
fi

echo "machine: $(nproc) cpus, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/{print $2}') GiB, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec node --import tsx bench/main.ts compare "$@"
