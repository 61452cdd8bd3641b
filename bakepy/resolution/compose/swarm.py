"""What ``docker stack deploy`` (docker CLI 28, compose file format 3.13) takes from a service.

The stack loader is not compose's: it validates against the v3.13 schema, refuses a few keys
outright, accepts but ignores others (printing "Ignoring unsupported options"), and knows
nothing of compose-only keys such as ``develop`` or ``profiles``.
"""

from __future__ import annotations

STACK_VERSION = "3.13"

REFUSED = {
    "extends": "extends is a compose feature; declare the service in full",
    "volumes_from": "list the volumes the service needs",
    "cpu_quota": "use deploy.resources.limits.cpus",
    "cpu_shares": "use deploy.resources.reservations.cpus",
    "cpuset": "swarm has no cpuset; drop it",
    "mem_limit": "use deploy.resources.limits.memory",
    "memswap_limit": "swarm has no swap limit; drop it",
}
"""Service keys ``docker stack deploy`` refuses ("Compose file contains unsupported options")."""

IGNORED = {
    "build": "build and push the image before deploying",
    "cgroup": "",
    "cgroup_parent": "",
    "container_name": "swarm names containers itself",
    "devices": "",
    "domainname": "",
    "expose": "services on one overlay network reach each other's ports",
    "external_links": "",
    "ipc": "",
    "links": "use networks",
    "mac_address": "",
    "network_mode": "",
    "pid": "",
    "privileged": "",
    "security_opt": "",
    "shm_size": "",
    "tmpfs": "use a volume of type tmpfs",
    "userns_mode": "",
}
"""Service keys swarm accepts but ignores (with a hint, if any); the stack file leaves them out."""

COMPOSE_ONLY = {
    "develop": "it is for docker compose watch",
    "profiles": "every service of a stack is deployed",
    "pull_policy": "swarm pulls on every node that needs the image",
    "platform": "use deploy.placement.constraints on node.platform",
    "scale": "use deploy.replicas",
    "annotations": "",
    "dns_opt": "",
    "mem_reservation": "use deploy.resources.reservations.memory",
    "mem_swappiness": "",
    "oom_kill_disable": "",
    "pids_limit": "use deploy.resources.limits.pids",
    "cpus": "use deploy.resources.limits.cpus",
    "cpu_period": "",
    "runtime": "",
    "storage_opt": "",
    "group_add": "",
}
"""Compose keys the v3.13 stack schema lacks (with a hint, if any); left out, with a warning."""

ENGINE_ONLY = ("dns_opt", "group_add", "pids_limit")
"""Keys the stack file format lacks but the Engine API's service spec takes (``DNSConfig.Options``,
``ContainerSpec.Groups``, ``Resources.Limits.Pids``): apply_stack applies them."""

KEPT = (
    "image",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "volumes",
    "networks",
    "depends_on",
    "healthcheck",
    "deploy",
    "labels",
    "hostname",
    "user",
    "working_dir",
    "cap_add",
    "cap_drop",
    "read_only",
    "init",
    "stdin_open",
    "tty",
    "isolation",
    "stop_signal",
    "stop_grace_period",
    "ulimits",
    "sysctls",
    "logging",
    "configs",
    "secrets",
    "extra_hosts",
    "dns",
    "dns_search",
    "oom_score_adj",
)
"""Service keys the stack file keeps (some converted, e.g. depends_on to a list)."""

NETWORK_KEYS = (
    "name",
    "driver",
    "driver_opts",
    "ipam",
    "external",
    "internal",
    "attachable",
    "labels",
)
VOLUME_KEYS = ("name", "driver", "driver_opts", "external", "labels")
SECRET_KEYS = ("name", "file", "external", "labels", "driver", "driver_opts", "template_driver")
CONFIG_KEYS = ("name", "file", "external", "labels", "template_driver")
LOCAL_ONLY_NETWORK_DRIVERS = ("bridge", "host", "none")
