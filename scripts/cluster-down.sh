#!/usr/bin/env bash
# cluster-down.sh — remove every trace of scripts/cluster-up.sh: each node's dockerd (asked to
# stop, which stops its containers; killed when it does not), what a killed node left running
# (processes in its namespace or its containers' cgroup), its mounts, namespace, veth and folders,
# then the bridge, the FORWARD rule and the environment file. Safe to run twice, and after a
# killed cluster-up. The shared engine on /var/run/docker.sock is not touched.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/cluster-lib.sh
. scripts/cluster-lib.sh
ENV_FILE=${BAKEPY_CLUSTER_ENV_FILE:-/tmp/bakepy-cluster.env}
say() { echo "cluster-down: $*"; }
[ "$(id -u)" = 0 ] || { echo "cluster-down: ERROR: must run as root" >&2; exit 1; }

# The node numbers anything of the cluster is left for: namespaces, folders, veths, cgroups.
leftover_nodes() {
    {
        ip netns list 2>/dev/null | awk '{print $1}' | sed -n 's/^bakepy-n\([0-9]\+\)$/\1/p'
        ls "$CLUSTER_DIR" "$CLUSTER_RUN" 2>/dev/null | sed -n 's/^n\([0-9]\+\)$/\1/p'
        ip -br link 2>/dev/null | awk '{print $1}' | sed -n 's/^bakepy-v\([0-9]\+\)\(@.*\)\?$/\1/p'
        ls /sys/fs/cgroup/*/ 2>/dev/null | sed -n 's/^bakepy-n\([0-9]\+\)$/\1/p'
    } | sort -un
}

# Pids of every process of node $1: in its network namespace, or in its containers' cgroup.
node_pids() {
    local ns=$1
    [ -e "/var/run/netns/$ns" ] && ip netns pids "$ns" 2>/dev/null
    find /sys/fs/cgroup/*/"$ns" -name cgroup.procs -exec cat {} + 2>/dev/null
}

stop_node() {
    local i=$1 ns pid t
    ns=$(node_name "$i")
    pid=$(cat "$(node_run "$i")/docker.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
        kill -TERM "$pid" 2>/dev/null
        t=$SECONDS
        while [ -d "/proc/$pid" ] && [ $((SECONDS - t)) -lt 30 ]; do sleep 0.2; done
    fi
    for _ in 1 2 3; do
        pids=$(node_pids "$ns" | sort -u)
        [ -n "$pids" ] || break
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null
        sleep 0.5
    done
    # Mounts a killed node leaves: its containers' root file systems, namespaces, shm.
    grep -oE " ($(node_dir "$i")|$(node_run "$i"))/[^ ]*" /proc/mounts | sort -ru | while read -r m; do
        umount -l "$m" 2>/dev/null
    done
    find /sys/fs/cgroup/*/"$ns" -depth -type d -exec rmdir {} \; 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    ip link del "$(node_veth "$i")" 2>/dev/null
    rm -rf "$(node_dir "$i")" "$(node_run "$i")"
}

nodes=$(leftover_nodes)
for i in $nodes; do stop_node "$i" & done
wait
ip link del "$BRIDGE" 2>/dev/null
while iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$RULE_COMMENT" -j ACCEPT 2>/dev/null; do :; done
rmdir "$CLUSTER_DIR" "$CLUSTER_RUN" 2>/dev/null
rm -f "$ENV_FILE"
if [ -n "$nodes" ]; then say "removed nodes $(echo $nodes)"; else say "nothing left to remove"; fi
