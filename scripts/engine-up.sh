#!/usr/bin/env bash
# engine-up.sh — bring up a real Docker engine for bakepy's engine tests (see shared/ENGINE.md):
# dockerd 26.1 with the containerd image store, buildx 0.13 + compose 2.26 CLI plugins,
# a local registry on localhost:5000, arm64 emulation, and multi-platform busybox base images.
# Idempotent: a second run only checks; a dockerd killed with -9 (stale pid file) is restarted.
# Must run as root on Debian (bookworm). Teardown: scripts/engine-down.sh.
set -euo pipefail

STATE=/var/lib/bakepy-engine                 # registry config, pid file and the arm64 busybox (kept across runs)
CACHE=/var/cache/bakepy-engine               # downloaded .debs and private apt lists (makes reruns fast)
DOCKERD_LOG=/var/log/bakepy-dockerd.log
REGISTRY_LOG=/var/log/bakepy-registry.log
DOCKERD_PID=/var/run/docker.pid
CONTAINERD_PID=/var/run/docker/containerd/containerd.pid   # dockerd's managed containerd
REGISTRY_ADDR=127.0.0.1:5000
REGISTRY=localhost:5000
BASE_IMAGE=$REGISTRY/busybox:latest
ENV_FILE=${BAKEPY_ENGINE_ENV_FILE:-/tmp/bakepy-engine.env}
START_TIMEOUT=60
PLUGIN_DIRS=("${HOME:-/root}/.docker/cli-plugins" /usr/local/lib/docker/cli-plugins)

export DOCKER_HOST=unix:///var/run/docker.sock   # always talk to the engine started here
export DEBIAN_FRONTEND=noninteractive
unset DOCKER_CONTEXT

say() { echo "engine-up: $*"; }
die() { echo "engine-up: ERROR: $*" >&2; exit 1; }
# Any other failing command stops the run (set -e); name it so the failure is never silent.
trap 'echo "engine-up: ERROR: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR

[ "$(id -u)" = 0 ] || die "must run as root"
# shellcheck disable=SC1091
. /etc/os-release
CODENAME=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
mkdir -p "$STATE" "$CACHE"

# --- helpers --------------------------------------------------------------------------------------

# True when dpkg has every named package installed.
installed() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || return 1
    done
}

# Print the machine's own deb822 stanza for the main archive (the one whose Suites has exactly
# $CODENAME, so not -security/-updates) with Suites replaced by $1; no host is named here.
private_sources() {
    local suite=$1 f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        awk -v want="$CODENAME" -v suite="$suite" '
            function flush() { if (hit && !off && !done) { printf "%s\n", buf; done = 1 } buf = ""; hit = 0; off = 0; skip = 0 }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/   { if (!skip) buf = buf $0 "\n"; next }      # continuation line (e.g. inline key)
            {
                name = tolower(substr($0, 1, index($0, ":") - 1)); val = substr($0, index($0, ":") + 1); skip = 0
                if (name == "suites") { n = split(val, s, /[ \t]+/); for (i = 1; i <= n; i++) if (s[i] == want) hit = 1
                                        buf = buf "Suites: " suite "\n"; skip = 1; next }
                if (name == "types")   { buf = buf "Types: deb\n"; next }
                if (name == "enabled" && val ~ /no/) off = 1
                buf = buf $0 "\n"
            }
            END { flush() }' "$f"
    done
}

# Run apt-get against a private sources file and private lists, leaving the system's apt alone.
# $1 = name of the private setup (trixie, arm64); extra apt options may precede the command.
private_apt() {
    local name=$1; shift
    apt-get -q -oDir::Etc::SourceList="$CACHE/apt-$name/$name.sources" -oDir::Etc::SourceParts=/dev/null \
        -oDir::State::Lists="$CACHE/apt-$name/lists" -oDir::Cache::pkgcache= -oDir::Cache::srcpkgcache= \
        -oAPT::Sandbox::User=root "$@"
}

# Download .debs into $CACHE/debs/$name unless cached: $1 = name, $2 = suite, $3 = extra apt opts, rest = packages.
fetch_debs() {
    local name=$1 suite=$2 opts=$3 p missing=(); shift 3
    mkdir -p "$CACHE/debs/$name" "$CACHE/apt-$name/lists/partial"
    for p in "$@"; do compgen -G "$CACHE/debs/$name/${p}_*.deb" >/dev/null || missing+=("$p"); done
    [ ${#missing[@]} -gt 0 ] || return 0
    private_sources "$suite" > "$CACHE/apt-$name/$name.sources"     # must end in .sources to be read as deb822
    [ -s "$CACHE/apt-$name/$name.sources" ] || { echo "no deb822 stanza for suite $CODENAME in /etc/apt/sources.list.d"; return 1; }
    # shellcheck disable=SC2086
    private_apt "$name" $opts update
    # shellcheck disable=SC2086
    (cd "$CACHE/debs/$name" && private_apt "$name" $opts download "${missing[@]}")
}

# Run fetch_debs in the background (it only touches $CACHE), logging to a file; wait_fetch joins it.
declare -A FETCH_PIDS=()
bg_fetch() { local name=$1; mkdir -p "$CACHE/log"; fetch_debs "$@" > "$CACHE/log/fetch-$name.log" 2>&1 & FETCH_PIDS[$name]=$!; }
wait_fetch() {
    local name=$1
    [ -n "${FETCH_PIDS[$name]:-}" ] || return 0
    wait "${FETCH_PIDS[$name]}" || { cat "$CACHE/log/fetch-$name.log" >&2; die "downloading the $name .debs failed (log above)"; }
    unset "FETCH_PIDS[$name]"
}

# Run a noisy command with its output in $CACHE/log/$1.log; on failure show the tail and stop.
quiet() {
    local name=$1; shift
    mkdir -p "$CACHE/log"
    "$@" > "$CACHE/log/$name.log" 2>&1 || { tail -n 30 "$CACHE/log/$name.log" >&2; die "$name failed: $* (log above, full: $CACHE/log/$name.log)"; }
}

docker_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
registry_answers() { [ "$(curl -s --max-time 2 "http://$REGISTRY_ADDR/v2/" 2>/dev/null)" = "{}" ]; }
# True when process $1 exists, is named $2 and is not a zombie (PID 1 here is slow to reap the killed).
alive() { [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# The versions the project is built against (checked before and after installing).
versions_ok() {
    dockerd --version 2>/dev/null | grep -q ' 26\.1\.' \
        && docker buildx version 2>/dev/null | grep -Eq ' v?0\.13\.' \
        && [[ "$(docker compose version --short 2>/dev/null)" == 2.26.* ]]
}

# --- 1+2. packages (bookworm, then trixie's engine and plugins) -----------------------------------

# Which steps have work to do (checked up front so a warm rerun skips apt entirely).
# docker.io's own Depends (containerd runc tini iptables adduser sysvinit-utils), then what we run
# (systemd for `systemd-analyze verify` of the rendered drop-ins, graphviz's dot for `bakepy graph
# --format dot`; ca-certificates brings openssl).
BOOKWORM_PKGS=(containerd runc tini iptables adduser sysvinit-utils docker-registry qemu-user-static busybox-static curl ca-certificates xz-utils systemd graphviz)
need_trixie=0; need_arm64=0
versions_ok || need_trixie=1
for d in "${PLUGIN_DIRS[@]}"; do [ -x "$d/docker-buildx" ] && [ -x "$d/docker-compose" ] || need_trixie=1; done
[ -f "$STATE/busybox-arm64" ] || need_arm64=1

# Trixie's docker.io/buildx/compose and bookworm's arm64 busybox download while apt installs (saves time).
[ $need_trixie = 0 ] || { say "fetching trixie docker.io, docker-buildx, docker-compose (cache: $CACHE/debs/trixie)"; bg_fetch trixie trixie "" docker.io docker-buildx docker-compose; }
[ $need_arm64 = 0 ] || { say "fetching arm64 busybox-static (cache: $CACHE/debs/arm64)"; bg_fetch arm64 "$CODENAME" "-oAPT::Architecture=arm64 -oAPT::Architectures=arm64" busybox-static; }

# Keep package scripts from starting services (docker, docker-registry) behind our back: a
# policy-rc.d that says 101 is Debian's switch for that; add one only for this run if none exists.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

# 1. bookworm packages: the engine's runtime deps, the registry, qemu and busybox (skip if all there).
if installed "${BOOKWORM_PKGS[@]}"; then
    say "bookworm packages already installed"
else
    say "installing bookworm packages: ${BOOKWORM_PKGS[*]}"
    quiet apt-update apt-get -q update
    quiet apt-install apt-get -q install -y --no-install-recommends -oDpkg::Options::=--force-unsafe-io "${BOOKWORM_PKGS[@]}"
fi

# 2. trixie's docker.io (dockerd 26.1) over bookworm's deps; its Depends are all met by bookworm.
wait_fetch trixie
if [[ "$(dpkg-query -W -f='${Version}' docker.io 2>/dev/null)" == 26.1.* ]]; then
    say "docker.io $(dpkg-query -W -f='${Version}' docker.io) already installed"
else
    say "installing trixie docker.io with dpkg -i"
    quiet dpkg-docker.io dpkg --force-unsafe-io -i "$CACHE"/debs/trixie/docker.io_*.deb
fi
# buildx and compose are plain binaries: unpack them into the CLI plugin dirs (root's and system-wide).
if [ $need_trixie = 1 ]; then
    say "installing buildx and compose CLI plugins into ${PLUGIN_DIRS[*]}"
    rm -rf "$CACHE/x" && mkdir -p "$CACHE/x"
    for deb in "$CACHE"/debs/trixie/docker-buildx_*.deb "$CACHE"/debs/trixie/docker-compose_*.deb; do dpkg -x "$deb" "$CACHE/x"; done
    for d in "${PLUGIN_DIRS[@]}"; do
        mkdir -p "$d" && install -m 755 "$CACHE"/x/usr/libexec/docker/cli-plugins/docker-* "$d/"
    done
fi
versions_ok || die "want dockerd 26.1, buildx 0.13, compose 2.26; have: $(dockerd --version 2>&1); $(docker buildx version 2>&1); compose $(docker compose version --short 2>&1)"

# --- 3. daemon config -----------------------------------------------------------------------------
# The containerd image store is what lets the docker driver hold and push multi-platform images.
mkdir -p /etc/docker
echo '{"features": {"containerd-snapshotter": true}}' > /etc/docker/daemon.json

# --- 4. arm64 emulation ---------------------------------------------------------------------------
# Registered before dockerd starts (not after it) so its BuildKit worker lists linux/arm64 from the first call.
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
    || die "cannot mount binfmt_misc"
if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    say "qemu-aarch64 binfmt handler already registered"
else
    say "registering qemu-aarch64 binfmt handler"
    grep -v '^[[:space:]]*#' /usr/lib/binfmt.d/qemu-aarch64.conf | grep . > /proc/sys/fs/binfmt_misc/register \
        || die "cannot register /usr/lib/binfmt.d/qemu-aarch64.conf"
fi

# --- 5. dockerd -----------------------------------------------------------------------------------
# Wait until dockerd answers; give up early if process $1 (the dockerd we wait on) is gone.
wait_dockerd() {
    local pid=$1 t=$SECONDS
    until docker_answers; do
        alive "$pid" dockerd || return 1
        [ $((SECONDS - t)) -le $START_TIMEOUT ] || return 1
        sleep 0.2
    done
}
if docker_answers; then
    say "dockerd already running and answering"
else
    pid=$(cat "$DOCKERD_PID" 2>/dev/null || true)
    if alive "$pid" dockerd; then      # e.g. started a moment ago by another run: give it time
        say "dockerd (pid $pid) is running but not answering yet; waiting"
        wait_dockerd "$pid" || die "dockerd (pid $pid) does not answer; see $DOCKERD_LOG, or stop it with scripts/engine-down.sh"
    else
        if [ -e "$DOCKERD_PID" ]; then   # a killed dockerd leaves its pid file and the next one refuses to start
            say "removing stale $DOCKERD_PID (no live dockerd owns it)"
            rm -f "$DOCKERD_PID"
        fi
        # Same for its managed containerd: dockerd takes a stale (or zombie) pid there for a live
        # containerd and loses ~10 s waiting for it.
        if [ -e "$CONTAINERD_PID" ] && ! alive "$(cat "$CONTAINERD_PID" 2>/dev/null)" containerd; then
            rm -f "$CONTAINERD_PID"
        fi
        say "starting dockerd (log: $DOCKERD_LOG); it starts and supervises its own containerd"
        echo "=== engine-up: starting dockerd at $(date -u +%FT%TZ)" >> "$DOCKERD_LOG"
        setsid /usr/sbin/dockerd >> "$DOCKERD_LOG" 2>&1 < /dev/null &
        if ! wait_dockerd $!; then
            tail -n 40 "$DOCKERD_LOG" >&2 || true
            die "dockerd exited or did not answer within ${START_TIMEOUT}s (log tail above, full log $DOCKERD_LOG)"
        fi
    fi
fi
server=$(docker version --format '{{.Server.Version}}')
[[ "$server" == 26.1.* ]] || die "the engine answering on $DOCKER_HOST is $server, not 26.1"
docker info --format '{{.DriverStatus}}' | grep -q io.containerd.snapshotter.v1 \
    || die "dockerd is not using the containerd image store (/etc/docker/daemon.json not applied?)"

# --- 6. local registry ----------------------------------------------------------------------------
if registry_answers; then
    say "registry already answering on $REGISTRY_ADDR"
else
    # In-memory storage: docker-registry 2.8's filesystem driver rewrites a tag's link file in
    # place, so a HEAD racing a multi-platform push can read it half-written and answer 500
    # ("invalid checksum digest format"; seen here in CI). The in-memory driver takes a lock
    # per operation. The registry starts empty; step 7 pushes the base images again.
    say "starting docker-registry on $REGISTRY_ADDR (storage: in memory, log: $REGISTRY_LOG)"
    cat > "$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  inmemory: {}
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  secret: bakepy-local-registry
EOF
    setsid docker-registry serve "$STATE/registry.yml" >> "$REGISTRY_LOG" 2>&1 < /dev/null &
    rpid=$! t=$SECONDS
    echo "$rpid" > "$STATE/registry.pid"
    until registry_answers; do
        if ! alive "$rpid" docker-registry || [ $((SECONDS - t)) -gt $START_TIMEOUT ]; then
            tail -n 20 "$REGISTRY_LOG" >&2 || true
            die "registry exited or did not answer on $REGISTRY_ADDR within ${START_TIMEOUT}s (log tail above)"
        fi
        sleep 0.2
    done
fi

# Use the default builder (docker driver: the engine's own BuildKit); a docker-container builder
# would need to pull moby/buildkit, which cannot be done here.
docker buildx use default
docker buildx ls | grep -q 'linux/arm64' || die "docker buildx ls does not list linux/arm64 (binfmt registered after dockerd started?)"

# --- 7. base images -------------------------------------------------------------------------------
# Does the registry hold an index with both platforms for busybox:latest?
base_in_registry() {
    local m
    m=$(curl -sf --max-time 5 "http://$REGISTRY_ADDR/v2/busybox/manifests/latest" \
        -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json') || return 1
    grep -q '"arm64"' <<<"$m" && grep -q '"amd64"' <<<"$m"
}

# Build a busybox rootfs from a static busybox binary and import it as localhost:5000/busybox:ARCH.
import_busybox() {
    local arch=$1 bin=$2 root="$CACHE/rootfs-$1" applets p; shift 2   # rest: how to run that binary here
    rm -rf "$root" && mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp,proc,sys,dev,home}
    chmod 1777 "$root/tmp" "$root/var/tmp"
    install -m 755 "$bin" "$root/bin/busybox"
    applets=$("$@" "$root/bin/busybox" --list-full) || die "cannot run the $arch busybox"
    for p in $applets; do                                         # one link per applet, in its usual dir
        [ "$p" = bin/busybox ] || ln -sfn /bin/busybox "$root/$p"
    done
    [ -L "$root/bin/sh" ] || die "busybox ($arch) has no sh applet"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
    tar --numeric-owner --owner=0 --group=0 -C "$root" -c . \
        | docker import --platform "linux/$arch" \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["sh"]' \
            - "$REGISTRY/busybox:$arch" >/dev/null || die "docker import of the $arch rootfs failed"
}

wait_fetch arm64
if [ $need_arm64 = 1 ]; then   # keep the arm64 binary itself so later runs need neither apt nor the .deb
    rm -rf "$CACHE/x-arm64" && dpkg -x "$CACHE"/debs/arm64/busybox-static_*.deb "$CACHE/x-arm64"
    install -m 755 "$CACHE/x-arm64/bin/busybox" "$STATE/busybox-arm64"
fi
if base_in_registry; then
    say "busybox base images already in the registry"
else
    say "building busybox base images (amd64, arm64) and pushing them to $REGISTRY"
    import_busybox amd64 /bin/busybox env
    import_busybox arm64 "$STATE/busybox-arm64" qemu-aarch64-static   # run the arm64 busybox under qemu for its applet list
    quiet push-amd64 docker push "$REGISTRY/busybox:amd64"
    quiet push-arm64 docker push "$REGISTRY/busybox:arm64"
    quiet imagetools docker buildx imagetools create -t "$BASE_IMAGE" "$REGISTRY/busybox:amd64" "$REGISTRY/busybox:arm64"
    base_in_registry || die "the registry has no two-platform index for $BASE_IMAGE after imagetools create"
    docker image rm "$BASE_IMAGE" >/dev/null 2>&1 || true   # drop a stale local copy so the pull below refreshes it
fi
# The multi-platform image in the local store too, so builds and runs find it without a pull.
docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || docker pull -q "$BASE_IMAGE" >/dev/null || die "docker pull $BASE_IMAGE failed"

# --- 8. verify ------------------------------------------------------------------------------------
a=$(docker run --rm --platform linux/arm64 "$BASE_IMAGE" uname -m) || die "cannot run $BASE_IMAGE for linux/arm64"
[ "$a" = aarch64 ] || die "linux/arm64 container says '$a', not aarch64"
a=$(docker run --rm --platform linux/amd64 "$BASE_IMAGE" uname -m) || die "cannot run $BASE_IMAGE for linux/amd64"
[ "$a" = x86_64 ] || die "linux/amd64 container says '$a', not x86_64"
say "verified: $BASE_IMAGE runs as aarch64 and x86_64; engine $server"

# --- 9. environment for the tests -----------------------------------------------------------------
mkdir -p "$(dirname "$ENV_FILE")"
cat > "$ENV_FILE" <<EOF
export BAKEPY_BASE_IMAGE=$BASE_IMAGE
export BAKEPY_REGISTRY=$REGISTRY
export DOCKER_HOST=$DOCKER_HOST
EOF
say "ready; environment written to $ENV_FILE:"
cat "$ENV_FILE"
