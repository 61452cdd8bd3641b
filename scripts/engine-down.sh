#!/usr/bin/env bash
# engine-down.sh — stop what scripts/engine-up.sh started: leave any swarm, stop the local
# registry, dockerd and dockerd's managed containerd. Installed packages, the cached .debs,
# and the images stay, so the next engine-up.sh is fast (the registry keeps its images in
# memory: engine-up.sh pushes the base images again). Idempotent.
set -euo pipefail

STATE=/var/lib/bakepy-engine
DOCKERD_PID=/var/run/docker.pid
CONTAINERD_PID=/var/run/docker/containerd/containerd.pid
REGISTRY_PID=$STATE/registry.pid
REGISTRY_CONFIG=$STATE/registry.yml
STOP_TIMEOUT=30

export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT

say() { echo "engine-down: $*"; }
die() { echo "engine-down: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"

# True when process $1 exists, is named $2 and is not a zombie.
alive() { [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# SIGTERM process $1 (named $2), wait for it to go, SIGKILL it after $STOP_TIMEOUT s.
stop_pid() {
    local pid=$1 name=$2 t=$SECONDS
    alive "$pid" "$name" || return 0
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid" "$name"; do
        if [ $((SECONDS - t)) -ge $STOP_TIMEOUT ]; then
            say "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            alive "$pid" "$name" && die "cannot stop $name (pid $pid)"
            break
        fi
        sleep 0.2
    done
}

# 1. Leave the swarm, if tests left this node in one (swarm state would otherwise come back with dockerd).
if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    swarm=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)
    if [ "$swarm" != inactive ] && [ "$swarm" != unknown ]; then
        say "leaving swarm (state: $swarm)"
        docker swarm leave --force >/dev/null || die "docker swarm leave --force failed"
    fi
fi

# 2. The registry: by its pid file, else by its exact command line (engine-up's own config path).
rpid=$(cat "$REGISTRY_PID" 2>/dev/null || true)
alive "$rpid" docker-registry || rpid=$(pgrep -x -f "docker-registry serve $REGISTRY_CONFIG" | head -n 1 || true)
if [ -n "$rpid" ]; then stop_pid "$rpid" docker-registry; else say "registry not running"; fi
rm -f "$REGISTRY_PID"

# 3. dockerd: a graceful stop also stops its containers and its managed containerd.
dpid=$(cat "$DOCKERD_PID" 2>/dev/null || true)
if alive "$dpid" dockerd; then stop_pid "$dpid" dockerd; else say "dockerd not running"; fi
rm -f "$DOCKERD_PID"   # stale after a kill; engine-up.sh removes it too

# 4. A managed containerd that outlived its dockerd (e.g. dockerd was killed with -9).
cpid=$(cat "$CONTAINERD_PID" 2>/dev/null || true)
stop_pid "$cpid" containerd
rm -f "$CONTAINERD_PID"

say "engine stopped (packages and images kept; the in-memory registry is empty next time)"
