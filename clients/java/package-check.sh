#!/usr/bin/env bash
# What a user of the published artifact gets: after `mvn install` put dev.paddock:paddock-client
# into the local Maven repository, the example project (example/, which names the client by its
# coordinates only) is built offline against it and run against a real server started from this
# repository. Called by ci.sh.
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mvn -B -q -o -f example/pom.xml package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime

(cd "$root" && exec node --import tsx server/main/cli.ts server --host 127.0.0.1 --port 0 \
  --data-dir "$work/data" --ready-file "$work/ready.json" \
  --set admin.serverPort=0 --set metricsProvider.httpPort=0) >"$work/server.log" 2>&1 &
server_pid=$!
port=""
deadline=$(( $(date +%s) + 60 ))
while [ -z "$port" ]; do
  if [ -f "$work/ready.json" ]; then
    port="$(sed -n 's/.*"port"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$work/ready.json")"
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "package-check.sh: the server exited:" >&2; tail -20 "$work/server.log" >&2; exit 1
  fi
  if [ "$(date +%s)" -gt "$deadline" ]; then
    echo "package-check.sh: the server was not ready in 60 s:" >&2; tail -20 "$work/server.log" >&2; exit 1
  fi
  [ -n "$port" ] || sleep 0.1 # polling the ready file, bounded by the deadline
done

out="$(java -cp "example/target/classes:$(cat example/target/classpath.txt)" example.Hello "127.0.0.1:$port")"
echo "$out"
for want in "stale write refused: BAD_VERSION" "holding the lock, fencing token "; do
  if ! grep -qF "$want" <<<"$out"; then
    echo "package-check.sh: the example's output lacks '$want'" >&2
    exit 1
  fi
done
echo "clients/java: the installed artifact builds and runs the example project"
