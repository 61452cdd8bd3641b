# cluster-lib.sh — names and addresses shared by cluster-up.sh and cluster-down.sh (sourced).
# shellcheck shell=bash

BRIDGE=bakepy-br0
BRIDGE_ADDR=192.168.213.1
RULE_COMMENT=bakepy-cluster
CLUSTER_DIR=/var/lib/bakepy-cluster      # one folder per node: daemon.json, data-root, log
CLUSTER_RUN=/var/run/bakepy-cluster      # one folder per node: exec-root, pidfile, socket

node_name() { echo "bakepy-n$1"; }
node_addr() { echo "192.168.213.$((10 + $1))"; }
node_veth() { echo "bakepy-v$1"; }
node_dir() { echo "$CLUSTER_DIR/n$1"; }
node_run() { echo "$CLUSTER_RUN/n$1"; }
node_socket() { echo "$CLUSTER_RUN/n$1/docker.sock"; }
node_docker() { local i=$1; shift; DOCKER_HOST="unix://$(node_socket "$i")" docker "$@"; }
node_answers() { [ -S "$(node_socket "$1")" ] && node_docker "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
