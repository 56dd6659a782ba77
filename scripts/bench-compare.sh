#!/usr/bin/env bash
# Side-by-side run of `paddock bench` against Paddock, Apache ZooKeeper 3.8 and etcd 3.4, printing
# Paddock/ZooKeeper and Paddock/etcd ratios. Standalone servers by default; `--members 3` (or 5) has
# the bench start each target as an ensemble of that many members on 127.0.0.1 (Paddock and ZooKeeper
# with tickTime=2000 initLimit=10 syncLimit=5 and fsync on, etcd with its defaults), one target at a
# time, with server CPU and RSS summed over the members and the recovery workload measured as
# failover (kill -9 the leader, time until a write succeeds through the connect string).
# Installs the reference servers from Debian if missing, and the reference clients (root
# devDependencies) if node_modules lacks them. Extra arguments go to the bench, e.g.:
#   scripts/bench-compare.sh --duration 10 --workload create-100,set,get,mixed
#   scripts/bench-compare.sh --members 3 --duration 8 --warmup 2 --workload set,get
# Keep each invocation under two minutes on a shared machine (rows × (warm-up + duration), plus a
# few seconds per ensemble start).
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

if [ ! -d node_modules/etcd3 ] || [ ! -d node_modules/node-zookeeper-client ]; then
  npm install --no-audit --no-fund
fi

echo "machine: $(nproc) cpus, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/{print $2}') GiB, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Every argument, --members N included, goes to the bench as given.
exec node --import tsx bench/main.ts compare "$@"
