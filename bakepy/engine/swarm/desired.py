"""A Stack as the swarm objects ``docker stack deploy`` would make from its stack file: overlay
networks, content-named configs and secrets, and services, each with bakepy's labels.

Configs and secrets cannot change in place on a swarm, so each is named by its content
(``<stack>_<name>-<12 hex of an HMAC-SHA256 of it>``, keyed with the state folder's digest key,
so a name never lets anyone confirm a guessed value offline): new content is a new object, and
the services that use it change with it. Content is never put in a label, a spec hash or a
log line. External
networks, configs and secrets are only referenced by name, never created or removed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bakepy.engine import labels as L
from bakepy.engine.compose.declared import notify
from bakepy.engine.compose.desired import (
    InterpolatedCompose,
    interpolated_compose,
    templated_environment,
)
from bakepy.engine.labels import NAMESPACE
from bakepy.engine.state import digest_key
from bakepy.engine.swarm.objects import StackState, SwarmKind, SwarmObject
from bakepy.engine.swarm.service import ServiceContext, label_map, service_body
from bakepy.errors import BakepyError
from bakepy.models.compose.project import Stack
from bakepy.models.compose.swarm_node import SwarmNode
from bakepy.project import Project
from bakepy.resolution.compose.references import stack_compose
from bakepy.resolution.compose.stack import StackDocument, stack_document

__all__ = ["StackState", "SwarmKind", "SwarmObject", "select_stack", "stack_state"]


def content_name(stack: str, key: str, data: bytes, secret: bytes) -> str:
    """``<stack>_<key>-<first 12 hex of HMAC-SHA256(secret, content)>``: the same content gives
    the same name on this host, and the name tells nothing about the content without the key."""
    digest = hmac.new(secret, data, hashlib.sha256).hexdigest()
    return f"{stack}_{key}-{digest[:12]}"


def stack_labels(
    stack: str,
    resource: str,
    spec: Any,
    extra: Mapping[str, str],
    view: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The labels of a stack object: its own, docker stack's namespace, bakepy's ownership
    (the stack label, never a compose project's) and the view a plan compares."""
    return {
        **extra,
        NAMESPACE: stack,
        L.STACK: stack,
        L.RESOURCE: resource,
        L.SPEC_HASH: L.spec_hash(spec),
        L.SPEC: L.canonical_json(spec if view is None else view),
    }


class _Lowering:
    def __init__(self, document: StackDocument, compose: InterpolatedCompose) -> None:
        self.doc = document
        self.data: dict[str, Any] = document.data
        self.base = compose.base
        self.variables = compose.variables
        self.templated = compose.templated
        self.stack = document.stack.stack_name
        warnings = [*compose.warnings, *document.warnings]
        self.state = StackState(self.stack, warnings=warnings)
        self.names: dict[str, dict[str, str]] = {"networks": {}, "configs": {}, "secrets": {}}

    def build(self) -> StackState:
        data = self.data
        services = data.get("services") or {}
        networks = dict(data.get("networks") or {})
        if any(not s.get("networks") for s in services.values()) and "default" not in networks:
            networks["default"] = {}
        for key, entry in networks.items():
            self.network(key, entry or {})
        for kind in ("configs", "secrets"):
            for key, entry in (data.get(kind) or {}).items():
                self.content_object(kind, key, entry or {})
        context = ServiceContext(
            self.stack,
            self.base,
            self.names,
            data.get("volumes") or {},
            digest_key,
            self.variables,
            {key: templated_environment(self.templated, key) for key in services},
        )
        for key, service in services.items():
            lowered = service_body(key, service, context)
            spec = lowered.spec
            spec["Labels"] = stack_labels(
                self.stack, f"service/{key}", spec, spec["Labels"], lowered.view
            )
            hashed = spec["Labels"][L.SPEC_HASH]
            replicas = lowered.replicas
            self.add(SwarmObject("service", key, spec["Name"], spec, hashed, replicas=replicas))
        return self.state

    def network(self, key: str, entry: Mapping[str, Any]) -> None:
        name = str(entry.get("name") or f"{self.stack}_{key}")
        self.names["networks"][key] = name
        if entry.get("external"):
            self.state.external.setdefault("network", {})[name] = f"networks.{key}"
            return
        driver = entry.get("driver") or "overlay"
        spec: dict[str, Any] = {
            "Name": name,
            "Driver": driver,
            "Options": {str(k): str(v) for k, v in (entry.get("driver_opts") or {}).items()},
            "Internal": bool(entry.get("internal")),
            "Attachable": bool(entry.get("attachable", True)),
            "Labels": label_map(entry.get("labels")),
        }
        if entry.get("ipam"):
            ipam = entry["ipam"]
            spec["IPAM"] = {
                "Driver": ipam.get("driver") or "default",
                "Config": [{"Subnet": p["subnet"]} for p in ipam.get("config") or []],
            }
        spec["Labels"] = stack_labels(self.stack, f"network/{key}", spec, spec["Labels"])
        self.add(SwarmObject("network", key, name, spec, spec["Labels"][L.SPEC_HASH]))

    def content(self, kind: str, key: str, entry: Mapping[str, Any]) -> tuple[bytes, str]:
        """The content of a config or secret, and the file on disk it was read from (if any)."""
        where = f"{kind}.{key}"
        if entry.get("file"):
            text = str(entry["file"])
            inline = self.doc.files.get(text.removeprefix("./"))
            if inline is not None:
                return inline.encode(), ""
            path = Path(text) if Path(text).is_absolute() else self.base / text
            try:
                return path.read_bytes(), str(path.absolute())
            except OSError:
                raise BakepyError(f"{where}: file {path} cannot be read") from None
        if entry.get("environment"):
            variable = str(entry["environment"])
            if variable not in self.variables:
                raise BakepyError(f"{where}: reads ${variable}, which is not set")
            return self.variables[variable].encode(), ""
        if entry.get("content") is not None:
            return str(entry["content"]).encode(), ""
        raise BakepyError(f"{where}: has no file, environment or content")

    def content_object(self, kind: str, key: str, entry: Mapping[str, Any]) -> None:
        single: SwarmKind = "secret" if kind == "secrets" else "config"
        if entry.get("external"):
            name = str(entry.get("name") or key)
            self.names[kind][key] = name
            self.state.external.setdefault(single, {})[name] = f"{kind}.{key}"
            return
        data, source = self.content(kind, key, entry)
        name = content_name(self.stack, str(entry.get("name") or key), data, digest_key())
        self.names[kind][key] = name
        spec: dict[str, Any] = {"Name": name, "Labels": label_map(entry.get("labels"))}
        if kind == "secrets" and entry.get("driver"):
            spec["Driver"] = {"Name": entry["driver"], "Options": entry.get("driver_opts") or {}}
        if entry.get("template_driver"):
            spec["Templating"] = {"Name": entry["template_driver"]}
        spec["Labels"] = stack_labels(self.stack, f"{single}/{key}", spec, spec["Labels"])
        hashed = spec["Labels"][L.SPEC_HASH]
        self.add(SwarmObject(single, key, name, spec, hashed, data, source=source))

    def add(self, item: SwarmObject) -> None:
        self.state.objects.append(item)


def select_stack(project: Stack | Project, name: str | None) -> tuple[Project, Stack]:
    """The project that holds the Stack, and the Stack to converge."""
    whole = project if isinstance(project, Project) else Project([project])
    found = whole.of_kind(Stack)
    if name is not None:
        found = [s for s in found if name in (s.name, s.stack_name)]
    if len(found) != 1:
        names = ", ".join(s.stack_name for s in whole.of_kind(Stack)) or "none"
        what = f"no Stack named {name!r}" if name else "not one Stack"
        hint = "name one with --stack NAME (stack=NAME from Python)"
        raise BakepyError(f"{what} (declared: {names})", hint=hint)
    return whole, found[0]


def stack_state(
    whole: Project, stack: Stack, environment: Mapping[str, str] | None = None
) -> StackState:
    """The swarm objects of ``stack``, from the stack file ``docker stack deploy`` would read
    (with what the Engine API takes beyond that file's format), its compose variables
    interpolated from ``environment`` (default: the process's) over the project's ``.env``."""
    compose = stack_compose(whole, stack)
    if compose is None:
        raise BakepyError(f"{stack.ref}: the ComposeProject it deploys is not declared")
    done = interpolated_compose(whole, compose, environment, stack.ref)
    state = _Lowering(stack_document(stack, done.document, engine=True), done).build()
    state.nodes = whole.of_kind(SwarmNode)
    notify(whole, state)  # the no-change apply cache keeps it (bakepy.cli.noop_apply)
    return state
