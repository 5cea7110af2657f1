#!/usr/bin/env bash
# Multi-host test (needs root): network namespaces A, B and C on one bridge are three hosts. The
# daemon runs on A, clients on B and C (every process through `ip netns exec`), and C's link is
# cut and healed; docker/test/hosts-scenario.js says what is checked. The namespaces, and what
# runs in them, are removed on exit, failed or not. Logs: .artifacts/hosts-test/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source docker/test/netns.sh
netns_need_root
netns_need ip node
[[ -f dist/server/daemon/cli.js ]] || { echo "$0: build first (npm run build)" >&2; exit 1; }

trap netns_cleanup EXIT
trap 'exit 130' INT TERM
netns_cleanup # leftovers of runs that were killed before their own cleanup

export HOSTS_ARTIFACTS=$PWD/.artifacts/hosts-test
rm -rf "$HOSTS_ARTIFACTS" && mkdir -p "$HOSTS_ARTIFACTS"

export HOSTS_SWITCH=$NS_RUN-sw HOSTS_A=$NS_RUN-a HOSTS_B=$NS_RUN-b HOSTS_C=$NS_RUN-c HOSTS_C_PORT=port-c
netns_switch "$HOSTS_SWITCH"
netns_host "$HOSTS_SWITCH" "$HOSTS_A" port-a 10.200.0.1/24
netns_host "$HOSTS_SWITCH" "$HOSTS_B" port-b 10.200.0.2/24
netns_host "$HOSTS_SWITCH" "$HOSTS_C" port-c 10.200.0.3/24
export HOSTS_DAEMON_IP=10.200.0.1

export MANAGERD_AUTHKEY_FILE=$HOSTS_ARTIFACTS/authkey
node dist/server/daemon/cli.js keygen --out "$MANAGERD_AUTHKEY_FILE" >/dev/null

node docker/test/hosts-scenario.js
