#!/usr/bin/env bash
# Separate hosts on one machine, for running executor processes as if on other hosts:
#   scripts/netns-hosts.sh up N     network namespaces kindling-h1..hN joined by the bridge kindling-br0
#                                   (10.213.250.1 on this side, 10.213.250.1<i> in namespace i);
#                                   prints the --conf settings that put process[N]'s executors there
#   scripts/netns-hosts.sh down     removes them
# Needs root and iproute2.
set -euo pipefail
NET=10.213.250
BRIDGE=kindling-br0
case "${1:-}" in
  up)
    n="${2:-3}"
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    places=()
    for i in $(seq 1 "$n"); do
      ns="kindling-h$i"
      ip netns add "$ns"
      ip link add "kindling-v$i" type veth peer name eth0 netns "$ns"
      ip link set "kindling-v$i" master "$BRIDGE" up
      ip -n "$ns" addr add "$NET.1$i/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" link set lo up
      places+=("$ns=$NET.1$i")
    done
    echo "--conf kindling.executor.netns=$(IFS=,; echo "${places[*]}") --conf kindling.driver.host=$NET.1"
    ;;
  down)
    for ns in $(ip netns list | awk '{print $1}' | grep '^kindling-h' || true); do ip netns del "$ns"; done
    ip link del "$BRIDGE" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 up N | down" >&2
    exit 2
    ;;
esac
