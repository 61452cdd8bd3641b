"""Bake files read for an older buildx: what it refuses, and what it drops without a word.

A variable's ``description``, ``validation`` or ``type``, and list entries written as objects,
stop buildx 0.13 (``Unsupported argument``, ``string required``): bakepy refuses the file for
it, naming the block and the version that has the feature. Target attributes it does not know
yet (``call``, ``entitlements``, ...) it ignores: bakepy drops them from what it prints, as
buildx does, and says so. Functions newer than the buildx are refused where they are called
(``bakepy.resolution.bake.variables``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bakepy.errors import Diagnostic, Location, ValidationError
from bakepy.models.bake.definition import NativeBake
from bakepy.models.bake.features import OBJECT_FORMS, TARGET_ATTRIBUTES, VARIABLE_FIELDS
from bakepy.models.toolchain import Version

Locate = Callable[[str, str], Location | None]


def refuse_newer(native: NativeBake, buildx: Version, locate: Locate) -> None:
    """Raise ValidationError for every feature ``buildx`` would stop at."""
    problems: list[Diagnostic] = []
    for name, block in native.variables.items():
        where = locate("variable", name)
        for field, feature in VARIABLE_FIELDS.items():
            if field in block and not feature.available(buildx):
                problems.append(_refused(feature, f"variable {name!r}", buildx, where))
    for name, block in [*native.targets.items(), *native.repeated_targets]:
        for key, feature in OBJECT_FORMS.items():
            value = block.get(key)
            objects = isinstance(value, list) and any(isinstance(e, dict) for e in value)
            if objects and not feature.available(buildx):
                where = locate("target", name)
                problems.append(_refused(feature, f"target {name!r}", buildx, where))
    if problems:
        raise ValidationError(problems)


def _refused(feature: Any, owner: str, buildx: Version, where: Location | None) -> Diagnostic:
    return Diagnostic(
        f"{owner}: {feature.what} needs buildx {feature.since} or newer; buildx {buildx} "
        "refuses the file",
        where or Location(),
        hint=f"upgrade buildx, or target it with --buildx-version {feature.since} if that is "
        "the buildx that builds this file",
    )


def drop_ignored(target: dict[str, Any], buildx: Version) -> list[str]:
    """Remove the attributes ``buildx`` does not know yet from a resolved target (it ignores
    them); returns their names."""
    dropped = [
        key
        for key, feature in TARGET_ATTRIBUTES.items()
        if key in target and not feature.available(buildx)
    ]
    for key in dropped:
        del target[key]
    return dropped


def ignored_warning(name: str, keys: list[str], buildx: Version) -> str:
    """The warning for attributes ``buildx`` ignores in target ``name``."""
    needs = ", ".join(f"{key} (buildx {TARGET_ATTRIBUTES[key].since})" for key in keys)
    return f"target {name!r}: buildx {buildx} ignores {needs}; they are left out"
