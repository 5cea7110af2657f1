#!/usr/bin/env bash
# Container test (needs root): builds the real Dockerfile with podman (on the cached stand-in base
# image), then docker/test/container-scenario.js runs it and checks it. Network: a switch
# namespace; the container runs in its own namespace on it, a second namespace is another client
# host, and a veth plugs this machine's root namespace in, so a client on the host itself
# connects too. Then docker/test/compose-scenario.js runs docker/compose.yaml through
# docker-compose and podman's Docker API. Containers, secret, compose network, the API service
# and the namespaces are removed on exit, failed or not. Logs, measurements: .artifacts/container-test/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source docker/test/netns.sh
netns_need_root
netns_need podman buildah runc debootstrap ip node numfmt docker-compose
[[ -f dist/client/index.js ]] || { echo "$0: build first (npm run build)" >&2; exit 1; }

export CONTAINERS_CONF=$PWD/docker/test/containers.conf
export CTR_ARTIFACTS=$PWD/.artifacts/container-test
export CTR_IMAGE=localhost/managerd:test
export CTR_NAME=$NS_RUN-daemon CTR_WORKER=$NS_RUN-worker CTR_SECRET=$NS_RUN-authkey
rm -rf "$CTR_ARTIFACTS" && mkdir -p "$CTR_ARTIFACTS"

# Our containers, secrets and networks are named mgd<pid>-… (mgd<pid>compose_… for compose's):
# remove this run's, and those of runs that were killed before their own cleanup.
ours_or_stale() {
  local pid
  pid=$(sed -E 's/^mgd([0-9]+).*/\1/' <<<"$1")
  [[ "$pid" == "$$" ]] || ! kill -0 "$pid" 2>/dev/null
}
podman_cleanup() {
  local name
  if [[ -n "${podman_service_pid:-}" ]]; then
    DOCKER_HOST=$COMPOSE_DOCKER_HOST docker-compose -f "$COMPOSE_FILE_COPY" -p "$COMPOSE_PROJECT" down -t 0 >/dev/null 2>&1 || true
    kill "$podman_service_pid" 2>/dev/null || true
  fi
  for name in $(podman ps -a --format '{{.Names}}' | grep -E '^mgd[0-9]+(-|compose_)' || true); do
    ours_or_stale "$name" && podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  done
  for name in $(podman secret ls --format '{{.Name}}' | grep -E '^mgd[0-9]+-' || true); do
    ours_or_stale "$name" && podman secret rm "$name" >/dev/null 2>&1 || true
  done
  for name in $(podman network ls --format '{{.Name}}' | grep -E '^mgd[0-9]+compose_' || true); do
    ours_or_stale "$name" && podman network rm -f "$name" >/dev/null 2>&1 || true
  done
}
cleanup() {
  podman_cleanup
  netns_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup

echo "::: base image"
base_start=$(date +%s.%N)
bash docker/standin-base.sh 2>&1 | tee "$CTR_ARTIFACTS/base.log"
export CTR_BASE_SECONDS=$(node -p "($(date +%s.%N) - $base_start).toFixed(1)")
export CTR_BASE_CACHED=$(grep -q '^\[standin-base\] cached' "$CTR_ARTIFACTS/base.log" && echo 1 || echo 0)

echo "::: podman build (the Dockerfile as it is)"
# npm inside the build needs this machine's CA bundle when a TLS-inspecting proxy is in the way.
ca_args=()
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  ca_args=(-v /etc/ssl/certs:/etc/ssl/certs:ro --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi
build_start=$(date +%s.%N)
if ! podman build --pull=never --format docker --network=host "${ca_args[@]}" -t "$CTR_IMAGE" . >"$CTR_ARTIFACTS/build.log" 2>&1; then
  tail -n 40 "$CTR_ARTIFACTS/build.log" >&2
  exit 1
fi
export CTR_BUILD_SECONDS=$(node -p "($(date +%s.%N) - $build_start).toFixed(1)")
export CTR_BUILD_STEPS=$(grep -cE '^\[[0-9]+/[0-9]+\] STEP|^STEP' "$CTR_ARTIFACTS/build.log" || true)
export CTR_BUILD_CACHED_STEPS=$(grep -c 'Using cache' "$CTR_ARTIFACTS/build.log" || true)
echo "built $CTR_IMAGE in ${CTR_BUILD_SECONDS}s ($CTR_BUILD_CACHED_STEPS of $CTR_BUILD_STEPS steps from cache)," \
  "$(podman image inspect --format '{{.Size}}' "$CTR_IMAGE" | numfmt --to=si)B"

echo "::: network namespaces"
# A /24 for this run that the root namespace does not route yet (its .1 is the host's end).
for n in $(seq $(( $$ % 200 + 20 )) 254) $(seq 20 254); do
  [[ -z "$(ip route show "10.201.$n.0/24")" ]] && break
done
export CTR_SUBNET=10.201.$n CTR_IP=10.201.$n.2 CTR_HOST_IP=10.201.$n.1 CTR_CLIENT_IP=10.201.$n.3
export CTR_NETNS=$NS_RUN-ctr CTR_CLIENT_NS=$NS_RUN-cli
sw=$NS_RUN-sw
netns_switch "$sw"
netns_host "$sw" "$CTR_NETNS" port-ctr "$CTR_IP/24"
netns_host "$sw" "$CTR_CLIENT_NS" port-cli "$CTR_CLIENT_IP/24"
netns_root_port "$sw" "${NS_RUN}h" port-host "$CTR_HOST_IP/24"
# The host's client must reach the container through our veth, never through the default route.
ip route get "$CTR_IP" | grep -q "dev ${NS_RUN}h " || { echo "$0: $CTR_IP is not routed through ${NS_RUN}h" >&2; exit 1; }

keyfile=$CTR_ARTIFACTS/authkey
node dist/server/daemon/cli.js keygen --out "$keyfile" >/dev/null
podman secret create "$CTR_SECRET" "$keyfile" >/dev/null
export MANAGERD_AUTHKEY_FILE=$keyfile # what the clients on the host and in the namespace read

node docker/test/container-scenario.js

echo "::: docker/compose.yaml through docker-compose and podman's Docker API"
# A copy of docker/ with its own secret, so a developer's docker/authkey is never touched.
compose_dir=$CTR_ARTIFACTS/compose/docker
mkdir -p "$compose_dir"
cp -r docker/compose.yaml docker/types "$compose_dir/"
export COMPOSE_FILE_COPY=$compose_dir/compose.yaml COMPOSE_PROJECT="mgd$$compose"
export COMPOSE_AUTHKEY=$compose_dir/authkey
node dist/server/daemon/cli.js keygen --out "$COMPOSE_AUTHKEY" >/dev/null
chmod 0644 "$COMPOSE_AUTHKEY" # compose bind-mounts file secrets as they are: the node user must read it
export COMPOSE_HOST_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
export COMPOSE_DOCKER_HOST=unix://$CTR_ARTIFACTS/podman.sock
podman system service --time=0 "$COMPOSE_DOCKER_HOST" >"$CTR_ARTIFACTS/podman-service.log" 2>&1 &
podman_service_pid=$!
for _ in $(seq 100); do [[ -S "$CTR_ARTIFACTS/podman.sock" ]] && break; sleep 0.1; done

node docker/test/compose-scenario.js
