"""Annotations in rendered bake files, one per level: ``index,manifest:k=v`` is written as
``index:k=v`` and ``manifest:k=v``.

Seen with buildx 0.13.1 (docker-buildx 0.13.1 on dockerd 26.1): ``bake --print`` keeps
``index,manifest:k=v`` as written, and a push puts it on each platform manifest under the
literal key ``index,manifest:k``, and on the index not at all. One entry per level lands on each
level under the key itself. ``bakepy print`` keeps the annotations as declared (as buildx prints
them); the rendered files, which ``apply`` builds from too, say each level on its own.
"""

from __future__ import annotations

import dataclasses
import re

from bakepy.models.bake.definition import NativeBake, NativeTarget
from bakepy.models.bake.values import is_template
from bakepy.resolution.bake.relocate import unwrap_expression

_LEVEL_LIST = re.compile(
    r"^(?P<levels>[a-z-]+(?:,[a-z-]+)+)(?P<platform>\[[^\]]*\])?:(?P<rest>.*)$", re.DOTALL
)


def annotation_per_level(text: str) -> list[str]:
    """``index,manifest:k=v`` as ``index:k=v`` and ``manifest:k=v`` (a ``[platform]`` kept on
    each); any other text (one level, none, or a template that makes the levels) unchanged."""
    found = _LEVEL_LIST.match(text)
    if not found:
        return [text]
    platform = found["platform"] or ""
    return [f"{level}{platform}:{found['rest']}" for level in found["levels"].split(",")]


_LEVELS_PATTERN = r"^([a-z-]+(?:,[a-z-]+)+)(\\[[^\\]]*\\]|):([\\s\\S]*)$"
"""``_LEVEL_LIST`` in RE2 inside an HCL string (the platform group matches empty when absent)."""


def _split_at_bake_time(expression: str) -> str:
    """A whole-list expression (``[for k in KEYS : "index,manifest:${k}=1"]``) whose entries
    bake splits by level when it evaluates the file: the same split as ``annotation_per_level``,
    written in HCL."""
    found = f'regex("{_LEVELS_PATTERN}", a)'
    split = f'[for l in split(",", {found}[0]) : "${{l}}${{{found}[1]}}:${{{found}[2]}}"]'
    matches = f'length(regexall("{_LEVELS_PATTERN}", a)) > 0'
    return f"${{flatten([for a in {unwrap_expression(expression)} : {matches} ? {split} : [a]])}}"


def _target(body: NativeTarget) -> NativeTarget:
    annotations = body.get("annotations")
    if isinstance(annotations, str) and is_template(annotations):
        return {**body, "annotations": _split_at_bake_time(annotations)}
    if not isinstance(annotations, list):
        return body
    split = [text for item in annotations for text in _item(item)]
    return body if split == annotations else {**body, "annotations": split}


def _item(item: object) -> list[object]:
    return list(annotation_per_level(item)) if isinstance(item, str) else [item]


def annotations_per_level(native: NativeBake) -> NativeBake:
    """``native`` with every target's multi-level annotations written once per level (a new
    definition when any is; ``native`` itself is left alone)."""
    targets = {name: _target(body) for name, body in native.targets.items()}
    repeated = [(name, _target(body)) for name, body in native.repeated_targets]
    unchanged = all(targets[n] is b for n, b in native.targets.items()) and all(
        new is old for (_, new), (_, old) in zip(repeated, native.repeated_targets, strict=True)
    )
    if unchanged:
        return native
    return dataclasses.replace(native, targets=targets, repeated_targets=repeated)
