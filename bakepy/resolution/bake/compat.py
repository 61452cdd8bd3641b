"""Bake files read for an older buildx: what it refuses, and what it drops without a word.

A variable's ``description``, ``validation`` or ``type``, and list entries written as objects,
stop buildx 0.13 (``Unsupported argument``, ``string required``): bakepy refuses the file for
it, naming the block and the version that has the feature. Target attributes it does not know
yet (``call``, ``entitlements``, ...) it ignores without evaluating them: bakepy leaves them
out before evaluation (and those a ``--set`` brings after it), as buildx does, and says so.
Functions newer than the buildx are refused where they are called
(``bakepy.resolution.bake.variables``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from bakepy.errors import Diagnostic, Location, ValidationError
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.features import (
    GROUP_ATTRIBUTES,
    OBJECT_FORMS,
    TARGET_ATTRIBUTES,
    VARIABLE_FIELDS,
)
from bakepy.models.toolchain import Version

Locate = Callable[[str, str], Location | None]


def refuse_newer(native: NativeBake, buildx: Version, locate: Locate) -> None:
    """Raise ValidationError for every feature ``buildx`` would stop at, each naming where
    it is written (the attribute's line and column in a file)."""
    problems: list[Diagnostic] = []

    def where(block: str, name: str, key: str) -> Location:
        return (
            native.attribute_locations.get((block, name, key))
            or locate(block, name)
            or Location(resource=f"{block} {name!r}")
        )

    for name, block in native.variables.items():
        for field, feature in VARIABLE_FIELDS.items():
            if field in block and not feature.available(buildx):
                problems.append(_refused(feature, buildx, where("variable", name, field)))
    refused = {key: form for key, form in OBJECT_FORMS.items() if not form.available(buildx)}
    if refused:  # else every target passes: not looked at
        for name, block in [*native.targets.items(), *native.repeated_targets]:
            if refused.keys().isdisjoint(block):
                continue  # one set operation for most targets, not a lookup per attribute
            for key, feature in refused.items():
                value = block.get(key)
                if isinstance(value, list) and any(isinstance(e, dict) for e in value):
                    problems.append(_refused(feature, buildx, where("target", name, key)))
    if problems:
        raise ValidationError(problems)


def _refused(feature: Any, buildx: Version, where: Location) -> Diagnostic:
    return Diagnostic(
        f"{feature.what} (buildx {feature.since} or newer): buildx {buildx} refuses the file",
        where,
        hint=f"upgrade buildx, or target it with --buildx-version {feature.since} if that is "
        "the buildx that builds this file",
    )


def translated_for(
    native: NativeBake, buildx: Version, *, declared_only: bool = False
) -> tuple[NativeBake, list[str]]:
    """``native`` as ``buildx`` can read it, where a faithful translation exists: a list
    entry written as an object (``{type = "gha", scope = "app"}``) becomes its CSV string
    (``type=gha,scope=app``), and a variable's ``description`` (documentation only) is
    left out; returns the notes on what changed. What has no faithful form (a variable's
    ``type`` or ``validation``) stays, for ``refuse_newer`` to refuse. ``declared_only``
    translates only blocks declared in Python or YAML (a bake file given to buildx as it is
    must be refused, not silently fixed)."""
    notes: list[str] = []

    def mine(kind: str, name: str) -> bool:
        return not declared_only or (kind, name) in native.sources

    variables = dict(native.variables)
    feature = VARIABLE_FIELDS["description"]
    for name, block in native.variables.items():
        if "description" in block and not feature.available(buildx) and mine("variable", name):
            variables[name] = {k: v for k, v in block.items() if k != "description"}
            notes.append(f"variable {name!r}: description left out (buildx {buildx} has none)")

    missing = [(key, form) for key, form in OBJECT_FORMS.items() if not form.available(buildx)]
    if not missing and not notes:  # this buildx reads every object form: nothing to translate
        return native, []

    missing_keys = frozenset(key for key, _form in missing)

    def target(name: str, block: dict[str, Any]) -> dict[str, Any]:
        if missing_keys.isdisjoint(block) or not mine("target", name):
            return block  # most targets: none of the attributes with an object form
        changed = block  # copied at its first change only: most targets have none
        for key, _form in missing:
            value = block.get(key)
            if not isinstance(value, list):
                continue
            as_text = _ssh_as_text if key == "ssh" else _as_csv
            entries = [as_text(entry) if isinstance(entry, dict) else entry for entry in value]
            if all(entry is not None for entry in entries) and entries != value:
                if changed is block:
                    changed = dict(block)
                changed[key] = entries
                notes.append(
                    f"target {name!r}: {key} entries written as strings for buildx {buildx}"
                )
        return changed

    targets = {name: target(name, block) for name, block in native.targets.items()}
    repeated = [(name, target(name, block)) for name, block in native.repeated_targets]
    if not notes:
        return native, []
    return replace(native, variables=variables, targets=targets, repeated_targets=repeated), notes


def _as_csv(entry: dict[str, Any]) -> str | None:
    """``{type = "gha", scope = "app"}`` as ``type=gha,scope=app``; None when a value has no
    plain CSV form (a comma, a quote, a list, an object)."""
    fields: list[str] = []
    for key, value in entry.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str) or any(c in f"{key}{value}" for c in ',"\n'):
            return None
        fields.append(f"{key}={value}")
    return ",".join(fields)


def _ssh_as_text(entry: dict[str, Any]) -> str | None:
    """``{id = "git", paths = ["k"]}`` as ``git=k`` (an id alone as itself), the text form
    buildx's SSH reads; None for anything else."""
    ident, paths = entry.get("id", ""), entry.get("paths") or []
    if set(entry) - {"id", "paths"} or not isinstance(ident, str) or not isinstance(paths, list):
        return None
    if not all(isinstance(path, str) and "," not in path for path in paths) or "=" in ident:
        return None
    return f"{ident}={','.join(paths)}" if paths else ident


def without_ignored(native: NativeBake, buildx: Version) -> tuple[NativeBake, list[str]]:
    """``native`` without the target and group attributes ``buildx`` does not know yet, and
    a warning per block that had some. buildx never decodes them, so they are left out
    before anything is evaluated: ``network = ["host"]`` is no type error for buildx 0.13."""
    warnings: list[str] = []
    unknown = {kind: _unknown(kind, buildx) for kind in ("target", "group")}
    if not (unknown["target"] or unknown["group"]):  # this buildx knows every attribute
        return native, []
    unknown_set = {kind: frozenset(keys) for kind, keys in unknown.items()}
    known_target, known_group = unknown_set["target"].isdisjoint, unknown_set["group"].isdisjoint
    if (
        all(map(known_target, native.targets.values()))
        and all(known_target(block) for _name, block in native.repeated_targets)
        and all(map(known_group, native.groups.values()))
    ):
        return native, []  # no block has one (most definitions): nothing to copy

    def kept(kind: str, name: str, block: dict[str, Any]) -> dict[str, Any]:
        if unknown_set[kind].isdisjoint(block):
            return block  # one set operation for most blocks
        dropped = [key for key in unknown[kind] if key in block]
        if not dropped:
            return block
        warning = ignored_warning(name, dropped, buildx, kind)
        if warning not in warnings:
            warnings.append(warning)
        return {key: value for key, value in block.items() if key not in dropped}

    targets = {name: kept("target", name, block) for name, block in native.targets.items()}
    repeated = [(name, kept("target", name, block)) for name, block in native.repeated_targets]
    groups = {name: kept("group", name, block) for name, block in native.groups.items()}
    if not warnings:
        return native, []
    changed = replace(native, targets=targets, repeated_targets=repeated, groups=groups)
    return changed, warnings


def ignored_attributes(buildx: Version) -> frozenset[str]:
    """The target attributes ``buildx`` does not know yet (``drop_ignored`` removes them): a
    resolve tests each target against them with one set operation."""
    return frozenset(_unknown("target", buildx))


def drop_ignored(target: dict[str, Any], buildx: Version) -> list[str]:
    """Remove the attributes ``buildx`` does not know yet from a resolved target (it ignores
    them); returns their names."""
    dropped = [key for key in _unknown("target", buildx) if key in target]
    for key in dropped:
        del target[key]
    return dropped


@lru_cache(maxsize=64)
def _unknown(kind: str, buildx: Version) -> tuple[str, ...]:
    """The ``kind`` (target, group) attributes ``buildx`` does not know yet, in their order:
    found once per version, not per block (each comparison of versions is a Python call)."""
    features = TARGET_ATTRIBUTES if kind == "target" else GROUP_ATTRIBUTES
    return tuple(key for key, feature in features.items() if not feature.available(buildx))


def ignored_warning(name: str, keys: list[str], buildx: Version, kind: str = "target") -> str:
    """The warning for attributes ``buildx`` ignores in target (or group) ``name``."""
    features = TARGET_ATTRIBUTES if kind == "target" else GROUP_ATTRIBUTES
    needs = ", ".join(f"{key} (buildx {features[key].since})" for key in keys)
    return f"{kind} {name!r}: buildx {buildx} ignores {needs}; they are left out"
