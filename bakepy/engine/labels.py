"""The labels that mark what bakepy owns on an engine, and the stable hash of a desired spec."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

PROJECT = "dev.bakepy.project"
"""The compose project an object belongs to."""
STACK = "dev.bakepy.stack"
"""The swarm stack an object belongs to (never on a compose project's objects, so a stack and a
compose project of the same name never see each other's objects)."""
NAMESPACE = "com.docker.stack.namespace"
"""docker stack's own label for the stack an object belongs to; bakepy sets it on stack objects
too, and older bakepy marked stack objects with it and the project label only."""
RESOURCE = "dev.bakepy.resource"
"""``kind/name`` of the declaration the object comes from (``service/db``, ``network/backend``)."""
SPEC_HASH = "dev.bakepy.spec-hash"
"""sha256 of the desired spec the object was created from."""
SPEC = "dev.bakepy.spec"
"""The desired spec as compact JSON, so a plan can name the fields that changed."""
REPLICA = "dev.bakepy.replica"
"""The replica number of a service's container (1, 2, ...)."""

OWNED = (PROJECT, STACK, RESOURCE, SPEC_HASH, SPEC, REPLICA)


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def spec_hash(value: Any) -> str:
    """A stable hash of a desired spec (``sha256:`` and 64 hex digits)."""
    return "sha256:" + hashlib.sha256(canonical_json(value).encode()).hexdigest()


def owned_labels(
    project: str, resource: str, spec: Mapping[str, Any], digest: str, replica: int | None = None
) -> dict[str, str]:
    """The labels bakepy puts on every object it creates."""
    labels = {
        PROJECT: project,
        RESOURCE: resource,
        SPEC_HASH: digest,
        SPEC: canonical_json(spec),
    }
    if replica is not None:
        labels[REPLICA] = str(replica)
    return labels


def stored_spec(labels: Mapping[str, str]) -> dict[str, Any] | None:
    """The desired spec an object was created from, if its label holds one."""
    text = labels.get(SPEC)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
