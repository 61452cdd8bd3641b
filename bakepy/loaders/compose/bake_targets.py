"""A compose project's build sections as bake targets, the way ``docker buildx bake`` reads a
compose file (bake.md §11, buildx's ``bake/compose.go``).

Every service with ``build`` becomes a target named after it (``.`` -> ``_``), all of them
the ``default`` group. Args without a value take the service's ``environment`` value, else the
variable's; build secrets take ``file``/``environment`` from the top-level secret; ``tags``
default to the service's image; ``x-bake`` adds what compose's build section lacks. Paths are
relative to the compose file's folder, cleaned as compose-go cleans them (``./sub`` -> ``sub``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from bakepy.errors import LoadError, Location
from bakepy.loaders.compose.paths import is_local
from bakepy.models.bake.definition import NativeBake, NativeTarget
from bakepy.models.compose.base import UlimitRange
from bakepy.models.compose.build import ComposeBuild
from bakepy.models.compose.project import ComposeProject
from bakepy.models.compose.service import Service
from bakepy.models.compose.values import size_in_bytes, unescape_dollars

_XBAKE_LISTS = ("tags", "cache-from", "cache-to", "secret", "ssh", "platforms", "output")
_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def target_name(service: str) -> str:
    """A service name as a bake target name (bake allows no ``.``)."""
    return service.replace(".", "_")


def _text(value: str) -> str:
    """Compose text (``$$`` for ``$``) as bake template text (``$${`` for a literal ``${``)."""
    if "$" not in value and "%{" not in value:  # most values: nothing to rewrite
        return value
    return unescape_dollars(value).replace("${", "$${").replace("%{", "%%{")


def _native(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        return [_native(item) for item in value]
    if isinstance(value, dict):
        return {_text(str(key)): _native(item) for key, item in value.items()}
    return value


def _path(value: str) -> str:
    """A local path cleaned as Go's ``filepath.Clean`` (``./a/../b`` -> ``b``)."""
    return posixpath.normpath(value) if value and is_local(value) else value


def bytes_text(size: int) -> str:
    """A byte count as Go's ``units.BytesSize`` prints it: ``1GiB``, ``97.66KiB``."""
    value = float(size)
    unit = 0
    while value >= 1024 and unit < len(_BINARY_UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{value:.4g}{_BINARY_UNITS[unit]}"


def _bytes(size: str | int | None) -> int | None:
    """A size in bytes; None for a size bake could not read either."""
    try:
        return None if size is None else size_in_bytes(size)
    except ValueError:
        return None


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _strings(value: Any) -> list[str]:
    """An ``x-bake`` list: a list, or one string split on white space."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _args(build: ComposeBuild, service: Service, env: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in build.args.items():
        if value is None:
            value = service.environment.get(key)
            if value is None:
                value = env.get(key)
                value = None if value is None else value.replace("$", "$$")
        if value is not None:
            out[key] = value
    return out


def _secrets(build: ComposeBuild, compose: ComposeProject, service: str) -> list[str]:
    out: list[str] = []
    for index, reference in enumerate(build.secrets):
        declared = compose.spec.secrets.get(reference.source)
        entry = f"id={reference.source}"
        if declared is not None and declared.external:
            where = compose.location("spec", "services", service, "build", "secrets", index)
            raise LoadError(
                f"bake cannot build with the external secret {reference.source!r}", where
            )
        if declared is not None and declared.file:
            entry += f",src={_path(declared.file)}"
        elif declared is not None and declared.environment:
            entry += f",env={declared.environment}"
        out.append(entry)
    return out


def _ulimits(build: ComposeBuild) -> list[str]:
    out = []
    for name, limit in sorted(build.ulimits.items()):
        soft, hard = (limit.soft, limit.hard) if isinstance(limit, UlimitRange) else (limit, limit)
        out.append(f"{name}={soft}:{hard}")
    return out


def _contexts(values: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in values.items():
        scheme, sep, rest = value.partition(":")
        if sep and scheme in ("service", "target"):
            value = f"target:{target_name(rest)}"
        out[key] = _path(value)
    return out


def _x_bake(target: NativeTarget, extension: Any) -> None:
    if not isinstance(extension, dict):
        return
    for key in _XBAKE_LISTS:
        items = _strings(extension.get(key))
        if items:
            target[key] = _dedup([*target.get(key, []), *items])
    filters = _strings(extension.get("no-cache-filter"))
    if filters:
        target["no-cache-filter"] = _dedup(filters)
    for key in ("pull", "no-cache"):
        if isinstance(extension.get(key), bool):
            target[key] = extension[key]
    contexts = extension.get("contexts")
    if isinstance(contexts, dict):
        target["contexts"] = {
            **target.get("contexts", {}),
            **{str(k): str(v) for k, v in contexts.items()},
        }


def service_target(
    name: str, service: Service, compose: ComposeProject, env: Mapping[str, str]
) -> NativeTarget:
    """The bake target of one service with a build section (values in compose text)."""
    build = service.build
    assert isinstance(build, ComposeBuild)
    target: NativeTarget = {}
    if build.context is not None:
        target["context"] = _path(build.context)
    if build.additional_contexts:
        target["contexts"] = _contexts(build.additional_contexts)
    for key, value in (
        ("dockerfile", build.dockerfile),
        ("dockerfile-inline", build.dockerfile_inline),
        ("target", build.target),
        ("network", build.network),
    ):
        if value is not None:
            target[key] = value
    for key, mapping in (("args", _args(build, service, env)), ("labels", build.labels)):
        if mapping:
            target[key] = dict(mapping)
    for key, items in (
        ("tags", list(build.tags)),
        ("cache-from", list(build.cache_from)),
        ("cache-to", list(build.cache_to)),
        ("secret", _secrets(build, compose, name)),
        ("ssh", sorted(build.ssh)),
        ("platforms", list(build.platforms)),
        ("ulimits", _ulimits(build)),
    ):
        if items:
            target[key] = items
    size = _bytes(build.shm_size)
    if size:
        target["shm-size"] = bytes_text(size)
    if build.extra_hosts:
        target["extra-hosts"] = {
            host: ",".join(ips) if isinstance(ips, list) else ips
            for host, ips in build.extra_hosts.items()
        }
    for key, flag in (("no-cache", build.no_cache), ("pull", build.pull)):
        if flag:
            target[key] = True
    _x_bake(target, build.extensions.get("x-bake"))
    if not target.get("tags") and service.image is not None:
        target["tags"] = [service.image]
    return target


def compose_bake(compose: ComposeProject, env: Mapping[str, str]) -> NativeBake:
    """A target per service with a build section, and a ``default`` group of them."""
    native = NativeBake()
    # the file and resource of every service's location, worked out once (``location``
    # reads them through pydantic's private attributes: most of a target's cost here)
    services = compose.location("spec", "services")
    for name, service in compose.spec.services.items():
        if not isinstance(service.build, ComposeBuild):
            continue
        label = target_name(name)
        native.targets[label] = _native(service_target(name, service, compose, env))
        path = ("spec", "services", name)
        line = compose.line_of(path) if services.file is not None else None
        native.locations[("target", label)] = Location(services.file, line, services.resource, path)
    if native.targets:
        native.groups["default"] = {"targets": list(native.targets)}
    return native
