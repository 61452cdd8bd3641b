#!/usr/bin/env bash
# cluster-up.sh N — a real N-node Docker swarm on this one machine, for bakepy's cluster tests
# (see shared/ENGINE.md, "More engines on one machine"). Each node is its own dockerd in its own
# network namespace (bakepy-nI) and UTS namespace (hostname bakepy-nI), with its own data-root,
# exec-root, pidfile, unix socket and containerd; a veth pair joins each namespace to one bridge
# (bakepy-br0, 192.168.213.1/24) in the root namespace. Node 1 initialises the swarm and is its
# manager, the others join as workers. The base image is copied into every node (docker save |
# docker load), since the shared registry listens on the root namespace's loopback only.
# Nothing routes between the bridge and the outside: only these test hosts talk to each other.
#
# Idempotent: a cluster of N nodes that answers and is whole is left alone; anything else (a
# killed run, another N) is torn down by cluster-down.sh and built again. The shared engine on
# /var/run/docker.sock (its docker0, iptables rules, registry on localhost:5000) is not touched,
# beyond one FORWARD rule that lets the bridge's ports talk to each other (removed by down).
# Writes the environment for the tests to $BAKEPY_CLUSTER_ENV_FILE (default /tmp/bakepy-cluster.env).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-3}
[[ "$N" =~ ^[1-9]$ ]] || { echo "cluster-up: usage: cluster-up.sh N (1-9 nodes)" >&2; exit 2; }
# shellcheck source=scripts/cluster-lib.sh
. scripts/cluster-lib.sh
ENV_FILE=${BAKEPY_CLUSTER_ENV_FILE:-/tmp/bakepy-cluster.env}
BASE_IMAGE=${BAKEPY_BASE_IMAGE:-localhost:5000/busybox:latest}
START_TIMEOUT=60

say() { echo "cluster-up: $*"; }
die() { echo "cluster-up: ERROR: $*" >&2; exit 1; }
trap 'echo "cluster-up: ERROR: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR
[ "$(id -u)" = 0 ] || die "must run as root"
command -v dockerd >/dev/null || die "no dockerd: run scripts/engine-up.sh first"

# True when the cluster has exactly N ready nodes, all answering, as this script would make it.
whole() {
    local i ready
    [ -f "$ENV_FILE" ] || return 1
    for i in $(seq 1 "$N"); do node_answers "$i" || return 1; done
    node_answers $((N + 1)) && return 1
    ready=$(node_docker 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true)
    [ "$ready" = "$N" ]
}

write_env() {
    local i sockets="" addrs=""
    for i in $(seq 1 "$N"); do
        sockets+="${sockets:+ }unix://$(node_socket "$i")"
        addrs+="${addrs:+ }$(node_addr "$i")"
    done
    cat > "$ENV_FILE" <<EOF
export BAKEPY_CLUSTER_NODES=$N
export BAKEPY_CLUSTER_MANAGER=unix://$(node_socket 1)
export BAKEPY_CLUSTER_SOCKETS="$sockets"
export BAKEPY_CLUSTER_ADDRS="$addrs"
export BAKEPY_CLUSTER_BRIDGE_ADDR=$BRIDGE_ADDR
export BAKEPY_CLUSTER_IMAGE=$BASE_IMAGE
EOF
}

# Start node $1's dockerd (its config written first); a node's data-root keeps its swarm state,
# so a restarted node rejoins by itself.
start_node() {
    local i=$1 ns dir run
    ns=$(node_name "$i") dir=$(node_dir "$i") run=$(node_run "$i")
    mkdir -p "$dir/data" "$run"
    # The shared engine's image store (the containerd snapshotter); the node's containers in a
    # cgroup of their own (so cluster-down can find every process a node left); no pull of an
    # image a task already has (the shared registry is not reachable from a node).
    cat > "$dir/daemon.json" <<EOF
{
  "data-root": "$dir/data",
  "exec-root": "$run",
  "pidfile": "$run/docker.pid",
  "hosts": ["unix://$(node_socket "$i")"],
  "cgroup-parent": "/$ns",
  "features": {"containerd-snapshotter": true},
  "log-level": "warn"
}
EOF
    dockerd --validate --config-file "$dir/daemon.json" >/dev/null 2>&1 || die "node $i: dockerd --validate refuses $dir/daemon.json"
    # nsenter (not ip netns exec, which mounts a fresh /sys that dockerd cannot use), inside a
    # UTS namespace so each node has its own hostname and so its own swarm node name.
    DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid unshare --uts sh -c \
        "hostname $ns && exec nsenter --net=/var/run/netns/$ns dockerd --config-file $dir/daemon.json" \
        >> "$dir/dockerd.log" 2>&1 < /dev/null &
}

wait_node() {
    local i=$1 t=$SECONDS
    until node_answers "$i"; do
        if [ $((SECONDS - t)) -gt $START_TIMEOUT ]; then
            tail -n 30 "$(node_dir "$i")/dockerd.log" >&2 || true
            die "node $i's dockerd did not answer within ${START_TIMEOUT}s (log tail above)"
        fi
        sleep 0.2
    done
}

# A node whose dockerd was killed (its namespace and folders still there) is started again;
# its containerd may have outlived it, and a stale pid file would stop the new dockerd.
restart_dead_nodes() {
    local i pid restarted=()
    [ -f "$ENV_FILE" ] || return 0
    for i in $(seq 1 "$N"); do
        [ -e "/var/run/netns/$(node_name "$i")" ] && [ -f "$(node_dir "$i")/daemon.json" ] || continue
        node_answers "$i" && continue
        pid=$(cat "$(node_run "$i")/docker.pid" 2>/dev/null || true)
        [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && continue
        rm -f "$(node_run "$i")/docker.pid"
        say "node $i's dockerd is not running: starting it again"
        start_node "$i"
        restarted+=("$i")
    done
    for i in "${restarted[@]}"; do wait_node "$i" || return 1; done
    t=$SECONDS
    until [ "$(node_docker 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true)" = "$N" ]; do
        [ $((SECONDS - t)) -le $START_TIMEOUT ] || return 0
        sleep 0.5
    done
}

restart_dead_nodes
if whole; then
    say "a $N-node swarm is already up"
    write_env
    cat "$ENV_FILE"
    exit 0
fi
say "tearing down whatever is left of an earlier cluster"
bash scripts/cluster-down.sh >/dev/null

# --- network: one bridge, a namespace and a veth pair per node ---------------------------------
ip link add "$BRIDGE" type bridge
ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
# The root namespace's FORWARD policy is DROP (the shared engine's), and bridged frames pass
# through it (br_netfilter): let the bridge's ports reach each other, and nothing else.
iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$RULE_COMMENT" -j ACCEPT
for i in $(seq 1 "$N"); do
    ns=$(node_name "$i")
    ip netns add "$ns"
    ip link add "$(node_veth "$i")" type veth peer name eth0 netns "$ns"
    ip link set "$(node_veth "$i")" master "$BRIDGE" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$(node_addr "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$BRIDGE_ADDR"
done

# --- engines ----------------------------------------------------------------------------------
for i in $(seq 1 "$N"); do start_node "$i"; done
for i in $(seq 1 "$N"); do wait_node "$i"; done
say "$N dockerd answering"

# --- images -----------------------------------------------------------------------------------
if DOCKER_HOST=unix:///var/run/docker.sock docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    DOCKER_HOST=unix:///var/run/docker.sock docker save "$BASE_IMAGE" > "$CLUSTER_DIR/base.tar"
    loads=()
    for i in $(seq 1 "$N"); do node_docker "$i" load -q -i "$CLUSTER_DIR/base.tar" >/dev/null & loads+=($!); done
    for pid in "${loads[@]}"; do wait "$pid" || die "docker load into a node failed"; done
    rm -f "$CLUSTER_DIR/base.tar"
    say "loaded $BASE_IMAGE into every node"
else
    say "WARNING: the shared engine has no $BASE_IMAGE; nodes start without a base image"
fi

# --- swarm ------------------------------------------------------------------------------------
node_docker 1 swarm init --advertise-addr "$(node_addr 1)" >/dev/null
token=$(node_docker 1 swarm join-token -q worker)
joins=()
for i in $(seq 2 "$N"); do
    node_docker "$i" swarm join --token "$token" "$(node_addr 1):2377" >/dev/null & joins+=($!)
done
for pid in "${joins[@]}"; do wait "$pid" || die "a node could not join the swarm"; done
t=$SECONDS
until [ "$(node_docker 1 node ls --format '{{.Status}}' | grep -c '^Ready$' || true)" = "$N" ]; do
    [ $((SECONDS - t)) -le $START_TIMEOUT ] || die "the swarm has not $N ready nodes after ${START_TIMEOUT}s"
    sleep 0.5
done
write_env
say "swarm of $N nodes ready (manager $(node_addr 1)); environment written to $ENV_FILE:"
cat "$ENV_FILE"
