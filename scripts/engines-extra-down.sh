#!/usr/bin/env bash
# engines-extra-down.sh — stop what scripts/engines-extra-up.sh started: its sshd and the second
# dockerd (by their pid files, never by name), and its bridge. Certificates, keys and the unpacked sshd stay,
# so the next engines-extra-up.sh is fast. Idempotent.
set -euo pipefail

STATE=/var/lib/bakepy-engine2-state
PIDFILE=/var/run/bakepy-engine2/dockerd.pid
STOP_TIMEOUT=30

say() { echo "engines-extra-down: $*"; }
alive() { [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

stop_pid() {
    local pid=$1 name=$2 t=$SECONDS
    alive "$pid" "$name" || return 0
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid" "$name"; do
        if [ $((SECONDS - t)) -ge $STOP_TIMEOUT ]; then
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
}

stop_pid "$(cat "$STATE/ssh/sshd.pid" 2>/dev/null || true)" sshd
rm -f "$STATE/ssh/sshd.pid"
stop_pid "$(cat "$PIDFILE" 2>/dev/null || true)" dockerd
rm -f "$PIDFILE"
ip link del bakepy-e2br0 2>/dev/null || true
say "stopped"
