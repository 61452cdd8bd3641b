"""A compose ``build`` section derived from a resolved bake target.

The target is resolved exactly as ``docker buildx bake --print`` resolves it (inherits merged,
variables at their defaults, paths relative to the output folder), then each attribute is
spelled the compose way. Its first tag names the service's image; bake secrets become top-level
compose secrets (references, as in bake). What compose cannot express is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bakepy.models.bake.values import Secret, Ulimit
from bakepy.models.compose.values import dot_relative, escape_dollars

_SAME_NAME = {
    "context": "context",
    "dockerfile": "dockerfile",
    "dockerfile-inline": "dockerfile_inline",
    "target": "target",
    "network": "network",
    "shm-size": "shm_size",
    "pull": "pull",
    "no-cache": "no_cache",
}
_LISTS = {
    "cache-from": "cache_from",
    "cache-to": "cache_to",
    "platforms": "platforms",
    "ssh": "ssh",
    "entitlements": "entitlements",
}
_NOT_IN_COMPOSE = ("attest", "annotations", "call", "no-cache-filter", "output")


@dataclass
class DerivedBuild:
    """A compose build section, the image its first tag names, and the secrets it needs."""

    build: dict[str, Any]
    image: str | None = None
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape_dollars(value)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    return value


def _local(value: str) -> bool:
    return ":" not in value.split("/", 1)[0] and "://" not in value


def build_from_target(
    name: str, resolved: dict[str, Any], where: str, image: str | None
) -> DerivedBuild:
    """The compose form of the resolved target ``name`` for a service (``where``).

    The service's ``image`` (if it names one) or else the target's first tag names the image;
    the other tags go to ``build.tags``.
    """
    build: dict[str, Any] = {}
    derived = DerivedBuild(build)
    for key, compose_key in _SAME_NAME.items():
        if key in resolved:
            build[compose_key] = resolved[key]
    if "dockerfile_inline" in build:  # bake prints its default dockerfile even then
        build.pop("dockerfile", None)
    for key in ("args", "labels"):
        if resolved.get(key):
            build[key] = dict(sorted(resolved[key].items()))
    for key, compose_key in _LISTS.items():
        if resolved.get(key):
            build[compose_key] = list(resolved[key])
    contexts = resolved.get("contexts") or {}
    if "context" in build and _local(build["context"]):
        build["context"] = dot_relative(build["context"])
    additional = {
        k: dot_relative(v) if _local(v) else v
        for k, v in contexts.items()
        if not str(v).startswith("target:")
    }
    if additional:
        build["additional_contexts"] = dict(sorted(additional.items()))
    for context, value in contexts.items():
        if str(value).startswith("target:"):
            derived.warnings.append(
                f"{where}: Target/{name} context {context!r} ({value}) has no compose form"
            )
    if resolved.get("extra-hosts"):
        build["extra_hosts"] = dict(sorted(resolved["extra-hosts"].items()))
    if resolved.get("ulimits"):
        limits = [Ulimit.model_validate(text) for text in resolved["ulimits"]]
        build["ulimits"] = {
            u.name: u.soft if u.hard is None else {"soft": u.soft, "hard": u.hard} for u in limits
        }
    for text in resolved.get("secret") or []:
        secret = Secret.model_validate(text)
        source = (
            {"file": dot_relative(secret.src)}
            if secret.src is not None
            else {"environment": secret.env}
        )
        derived.secrets[secret.id] = {k: v for k, v in source.items() if v is not None}
        build.setdefault("secrets", []).append({"source": secret.id})
    for key in _NOT_IN_COMPOSE:
        if resolved.get(key):
            derived.warnings.append(f"{where}: compose builds ignore {key} of Target/{name}")
    derived.build = _escaped(build)
    derived.secrets = _escaped(derived.secrets)
    tags = [escape_dollars(tag) for tag in resolved.get("tags") or []]
    derived.image = image if image is not None else (tags[0] if tags else None)
    if any(tag != derived.image for tag in tags):
        derived.build["tags"] = [tag for tag in tags if tag != derived.image]
    return derived
