#!/usr/bin/env bash
# Runs driver.ts inside the network namespace dubbo.test.ts made for it with
#   unshare --net --pid --fork --kill-child bash in-netns.sh ADDRESS COORDINATOR
# The namespace has only its own loopback device, brought up and given ADDRESS (a non-loopback
# address Dubbo will register): nothing inside can reach, or be reached from, outside the machine.
# The PID namespace ends every process started inside when the driver ends or is killed.
set -euo pipefail
address=$1
shift
ip link set lo up
ip addr add "$address/32" dev lo
ip -o addr show dev lo >&2
cd "$(dirname "$0")/../../.."
exec node --import tsx test/clients/dubbo/driver.ts "$address" "$@"
