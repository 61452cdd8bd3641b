"""Compose's older spellings, read as compose reads them (with its deprecation warnings).

``external: {name: real}`` on a top-level network, volume, secret or config is ``name: real``
with ``external: true``; a ``name`` that says otherwise is an error, as it is for compose.
"""

from __future__ import annotations

from collections.abc import Mapping

from bakepy.loaders.compose.raw import LoadContext, RawModel

_KINDS = ("networks", "volumes", "secrets", "configs")


def external_names(raw: RawModel, env: Mapping[str, str], ctx: LoadContext) -> None:
    """Turn every ``external: {name: ...}`` into ``name`` and ``external: true``."""
    for kind in _KINDS:
        entries = raw.data.get(kind)
        if not isinstance(entries, dict):
            continue
        for key, entry in entries.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("external"), dict):
                continue
            external = entry["external"]
            where = (kind, key, "external")
            if "name" in external:
                name = external["name"]
                if "name" in entry and entry["name"] != name:
                    raise raw.error("name and external.name conflict; only use name", where)
                ctx.warn(
                    f"{kind}.{key}: external.name is deprecated. Please set name and external: true"
                )
                entry["name"] = name
            entry["external"] = True
