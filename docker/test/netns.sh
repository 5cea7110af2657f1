# Network namespaces as hosts, for the container and multi-host tests (sourced, not run).
# One namespace is a switch holding bridge br0; each host is a namespace whose eth0 is a veth
# plugged into that bridge, with addresses that exist only inside. Names carry this run's pid
# (mgd<pid>-...) so parallel runs do not collide and leftovers of a killed run can be told apart.

NS_RUN="mgd$$"

netns_need_root() {
  if [[ $EUID -ne 0 ]]; then
    echo "$0: needs root (network namespaces, podman); run it with sudo" >&2
    exit 1
  fi
}

netns_need() {
  local missing=()
  for cmd in "$@"; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
  if ((${#missing[@]})); then
    echo "$0: missing ${missing[*]} (Debian: apt-get install -y podman buildah runc debootstrap iproute2 nftables)" >&2
    exit 1
  fi
}

# End the processes we started inside a namespace (by pid), then delete it.
netns_delete() {
  local ns=$1 pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [[ -n "$pids" ]]; then
    kill $pids 2>/dev/null || true
    for _ in $(seq 20); do
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      [[ -z "$pids" ]] && break
      sleep 0.1
    done
    [[ -n "$pids" ]] && kill -9 $pids 2>/dev/null || true
  fi
  ip netns delete "$ns" 2>/dev/null || true
}

# Remove this run's namespaces, and those of earlier runs whose process is gone (killed -9).
netns_cleanup() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^mgd[0-9]+-' || true); do
    pid=${ns#mgd}
    pid=${pid%%-*}
    if [[ "$pid" == "$$" ]] || ! kill -0 "$pid" 2>/dev/null; then netns_delete "$ns"; fi
  done
  # Root-side ends of netns_root_port (mgd<pid>h): they would go with the switch, but only later.
  for ns in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^mgd[0-9]+h$' || true); do
    pid=${ns#mgd}
    pid=${pid%h}
    if [[ "$pid" == "$$" ]] || ! kill -0 "$pid" 2>/dev/null; then ip link delete "$ns" 2>/dev/null || true; fi
  done
}

# netns_switch NAME: a namespace with bridge br0 (no STP: ports forward at once).
netns_switch() {
  local sw=$1
  ip netns add "$sw"
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge stp_state 0
  ip -n "$sw" link set br0 up
}

# netns_host SWITCH NAME PORT ADDR/PREFIX: host NAME, its eth0 at ADDR, on SWITCH's bridge port PORT.
netns_host() {
  local sw=$1 ns=$2 port=$3 addr=$4
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add "$port" netns "$sw" type veth peer name eth0 netns "$ns"
  ip -n "$sw" link set "$port" master br0 up
  ip -n "$ns" addr add "$addr" dev eth0
  ip -n "$ns" link set eth0 up
}

# netns_root_port SWITCH IFNAME PORT ADDR/PREFIX (IFNAME: "${NS_RUN}h", for netns_cleanup): plug this machine's root namespace into the
# switch too (veth IFNAME here, PORT on the bridge), so a process on the host itself is a client.
netns_root_port() {
  local sw=$1 ifname=$2 port=$3 addr=$4
  ip link add "$ifname" type veth peer name "$port" netns "$sw"
  ip -n "$sw" link set "$port" master br0 up
  ip addr add "$addr" dev "$ifname"
  ip link set "$ifname" up
}
