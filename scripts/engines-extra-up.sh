#!/usr/bin/env bash
# engines-extra-up.sh — a second, isolated dockerd for the tests of "the engine wherever it is":
# it listens on TLS (tcp://127.0.0.1:23761, certificates made here with openssl, client
# certificates required) and on its own unix socket, which an sshd on 127.0.0.1:22220 (a
# generated key, root only) hands to `ssh ... docker system dial-stdio`. Isolated from the
# shared engine: its own data-root, exec-root, pidfile, containerd namespaces, its own bridge
# (bakepy-e2br0), no iptables. Idempotent; run after engine-up.sh, as root on Debian. Writes the
# variables the tests read to $BAKEPY_EXTRA_ENGINES_ENV_FILE (default
# /tmp/bakepy-engines-extra.env). Teardown: scripts/engines-extra-down.sh.
set -euo pipefail

STATE=/var/lib/bakepy-engine2-state         # certificates, keys, configs (kept across runs)
DATA_ROOT=/var/lib/bakepy-engine2
EXEC_ROOT=/var/run/bakepy-engine2
SOCKET=$EXEC_ROOT/docker.sock
PIDFILE=$EXEC_ROOT/dockerd.pid
DOCKERD_LOG=/var/log/bakepy-engine2.log
SSHD_LOG=/var/log/bakepy-engine2-sshd.log
SSHD_ROOT=/opt/bakepy-sshd                   # openssh-server unpacked (never installed: no service starts)
TLS_ADDR=127.0.0.1:23761
SSH_PORT=22220
ENV_FILE=${BAKEPY_EXTRA_ENGINES_ENV_FILE:-/tmp/bakepy-engines-extra.env}
START_TIMEOUT=60
export DEBIAN_FRONTEND=noninteractive

say() { echo "engines-extra-up: $*"; }
die() { echo "engines-extra-up: ERROR: $*" >&2; exit 1; }
trap 'echo "engines-extra-up: ERROR: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR

[ "$(id -u)" = 0 ] || die "must run as root"
command -v dockerd >/dev/null || die "dockerd is missing: run scripts/engine-up.sh first"
mkdir -p "$STATE" "$DATA_ROOT" "$EXEC_ROOT"
chmod 700 "$STATE"

alive() { [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# --- packages: openssl, the ssh client, and sshd unpacked into $SSHD_ROOT ----------------------
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v ssh >/dev/null || need+=(openssh-client)
dpkg-query -W -f='${Status}\n' libwrap0 2>/dev/null | grep -q 'install ok installed' || need+=(libwrap0)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -x "$SSHD_ROOT/usr/sbin/sshd" ]; then
    say "unpacking openssh-server into $SSHD_ROOT"
    work=$(mktemp -d)
    (cd "$work" && apt-get download openssh-server >/dev/null 2>&1) \
        || { apt-get update -qq; (cd "$work" && apt-get download openssh-server >/dev/null 2>&1); }
    mkdir -p "$SSHD_ROOT"
    dpkg -x "$work"/openssh-server_*.deb "$SSHD_ROOT"
    rm -rf "$work"
fi

# --- TLS: a CA, a server certificate for 127.0.0.1/localhost, a client certificate -------------
TLS=$STATE/tls
if [ ! -s "$TLS/client/key.pem" ]; then
    say "making TLS certificates in $TLS"
    rm -rf "$TLS"
    mkdir -p "$TLS/server" "$TLS/client"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=bakepy test CA" \
        -keyout "$TLS/ca-key.pem" -out "$TLS/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$TLS/server/key.pem" -out "$TLS/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$TLS/server.ext"
    openssl x509 -req -days 3650 -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca-key.pem" \
        -CAcreateserial -extfile "$TLS/server.ext" -out "$TLS/server/cert.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=bakepy client" \
        -keyout "$TLS/client/key.pem" -out "$TLS/client.csr" 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > "$TLS/client.ext"
    openssl x509 -req -days 3650 -in "$TLS/client.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca-key.pem" \
        -CAcreateserial -extfile "$TLS/client.ext" -out "$TLS/client/cert.pem" 2>/dev/null
    cp "$TLS/ca.pem" "$TLS/client/ca.pem"
fi

# --- the second dockerd ---------------------------------------------------------------------
# Its own bridge, never "bridge": "none": a dockerd started without a bridge deletes the
# interface named docker0 (the shared engine's) on start, which cuts every container and RUN
# of the shared engine off ("adding interface ... to bridge docker0 failed").
BRIDGE=bakepy-e2br0
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add 10.213.77.1/24 dev "$BRIDGE"
fi
ip link set "$BRIDGE" up
cat > "$STATE/daemon.json" <<EOF
{
  "data-root": "$DATA_ROOT",
  "exec-root": "$EXEC_ROOT",
  "pidfile": "$PIDFILE",
  "hosts": ["unix://$SOCKET", "tcp://$TLS_ADDR"],
  "tls": true,
  "tlsverify": true,
  "tlscacert": "$TLS/ca.pem",
  "tlscert": "$TLS/server/cert.pem",
  "tlskey": "$TLS/server/key.pem",
  "containerd-namespace": "bakepy-engine2",
  "containerd-plugins-namespace": "bakepy-engine2-plugins",
  "bridge": "$BRIDGE",
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false
}
EOF
answers() { DOCKER_HOST=unix://$SOCKET timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if answers; then
    say "second dockerd already answers on $SOCKET"
else
    pid=$(cat "$PIDFILE" 2>/dev/null || true)
    if alive "$pid" dockerd; then
        say "second dockerd (pid $pid) is running but not answering yet; waiting"
    else
        rm -f "$PIDFILE"
        say "starting the second dockerd (log: $DOCKERD_LOG)"
        setsid dockerd --config-file "$STATE/daemon.json" >> "$DOCKERD_LOG" 2>&1 < /dev/null &
    fi
    t=$SECONDS
    until answers; do
        [ $((SECONDS - t)) -lt $START_TIMEOUT ] || die "the second dockerd does not answer; see $DOCKERD_LOG"
        sleep 0.5
    done
fi

# --- sshd on 127.0.0.1:$SSH_PORT whose sessions reach the second dockerd --------------------
SSH=$STATE/ssh
mkdir -p "$SSH" /run/sshd
# sshd drops privileges to this user (what openssh-server's own install would add)
id sshd >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /run/sshd --shell /usr/sbin/nologin sshd
chmod 700 "$SSH"
[ -s "$SSH/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSH/host_key"
[ -s "$SSH/client_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$SSH/client_key"
cp "$SSH/client_key.pub" "$SSH/authorized_keys"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1-2 "$SSH/host_key.pub")" > "$SSH/known_hosts"
cat > "$SSH/sshd_config" <<EOF
ListenAddress 127.0.0.1:$SSH_PORT
HostKey $SSH/host_key
PidFile $SSH/sshd.pid
AuthorizedKeysFile $SSH/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv DOCKER_HOST=unix://$SOCKET
EOF
cat > "$SSH/ssh_config" <<EOF
Host bakepy-engine2 127.0.0.1
  HostName 127.0.0.1
  Port $SSH_PORT
  User root
  IdentityFile $SSH/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $SSH/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  # one ssh connection shared by the SDK's and the CLI's many dial-stdio sessions (as a user's
  # ~/.ssh/config would): without it every Engine API connection pays a full handshake
  ControlMaster auto
  ControlPath $SSH/cm-%C
  ControlPersist 30s
EOF
# `ssh` on PATH that reads that config: tests put this folder first on PATH, so the docker SDK
# and the docker CLI (both run `ssh`) use it; the user's ~/.ssh is never touched.
mkdir -p "$SSH/bin"
printf '#!/bin/sh\nexec %s -F %s "$@"\n' "$(command -v ssh)" "$SSH/ssh_config" > "$SSH/bin/ssh"
chmod 755 "$SSH/bin/ssh"
sshd_pid=$(cat "$SSH/sshd.pid" 2>/dev/null || true)
if alive "$sshd_pid" sshd; then
    say "sshd already runs (pid $sshd_pid)"
else
    say "starting sshd on 127.0.0.1:$SSH_PORT"
    "$SSHD_ROOT/usr/sbin/sshd" -t -f "$SSH/sshd_config"
    "$SSHD_ROOT/usr/sbin/sshd" -f "$SSH/sshd_config" -E "$SSHD_LOG"
fi
t=$SECONDS
until PATH="$SSH/bin:$PATH" DOCKER_HOST=ssh://bakepy-engine2 timeout 20 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; do
    [ $((SECONDS - t)) -lt $START_TIMEOUT ] || die "the second dockerd does not answer through ssh; see $SSHD_LOG"
    sleep 0.5
done

mkdir -p "$(dirname "$ENV_FILE")"
cat > "$ENV_FILE" <<EOF
export BAKEPY_ENGINE2_SOCKET=unix://$SOCKET
export BAKEPY_ENGINE2_TLS_HOST=tcp://$TLS_ADDR
export BAKEPY_ENGINE2_CERT_PATH=$TLS/client
export BAKEPY_ENGINE2_SSH_HOST=ssh://bakepy-engine2
export BAKEPY_ENGINE2_SSH_PATH=$SSH/bin
EOF
say "ready; environment written to $ENV_FILE:"
cat "$ENV_FILE"
