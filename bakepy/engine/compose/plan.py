"""A typed plan: per resource create, replace, update in place, unchanged or delete, with the
fields that differ. Rendered terraform-like for people and as JSON for machines.

Secret values never appear: a plan holds only their keyed digests, and shows none of them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # types only: a stack plan, or a no-change answer, never loads them
    from bakepy.engine.compose.anonymous import AnonymousVolume
    from bakepy.engine.compose.desired import (
        DesiredContainer,
        DesiredNetwork,
        DesiredState,
        DesiredVolume,
    )

    Desired = DesiredNetwork | DesiredVolume | DesiredContainer

Action = Literal["create", "replace", "update", "unchanged", "delete"]
Kind = Literal["network", "volume", "container", "service", "config", "secret", "node"]

SYMBOLS: dict[Action, str] = {
    "create": "+",
    "replace": "-/+",
    "update": "~",
    "delete": "-",
    "unchanged": " ",
}
_VERBS: dict[Action, str] = {
    "create": "to create",
    "replace": "to replace",
    "update": "to update in place",
    "delete": "to delete",
}
HIDDEN = "(hidden)"


@dataclass(frozen=True)
class FieldChange:
    """One field whose declared value differs from what the engine object was created with."""

    path: str
    before: Any = None
    after: Any = None
    hidden: bool = False
    """A secret's content: the values are never shown, only that it changed."""

    def describe(self) -> str:
        """``path: before -> after`` with long values shortened."""
        if self.hidden:
            return f"{self.path}: content changed {HIDDEN}"
        return f"{self.path}: {_short(self.before)} -> {_short(self.after)}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (hidden values left out)."""
        if self.hidden:
            return {"path": self.path, "hidden": True}
        return {"path": self.path, "before": self.before, "after": self.after}


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class Change:
    """What apply will do to one engine object, and why."""

    kind: Kind
    resource: str
    """``network/backend``, ``volume/db-data``, ``service/app``."""
    name: str
    """The engine object's name (``webapp_backend``, ``webapp-app-2``)."""
    action: Action
    reasons: list[str] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    """For an update in place: ``start``, ``restart``, ``connect <network>``."""
    existing: str | None = None
    """The engine ID (or name, for volumes) of the object there now."""
    detach_first: bool = False
    """A container replaced because a network or volume it uses is: removed before those."""
    anonymous: tuple[AnonymousVolume, ...] = ()
    """A replaced or deleted container's anonymous volumes: inherited by the new container
    (or removed with ``renew_anonymous_volumes``); removed with a delete under
    ``prune_volumes``."""
    desired: Desired | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "resource": self.resource,
            "name": self.name,
            "action": self.action,
        }
        if self.reasons:
            out["reasons"] = list(self.reasons)
        if self.fields:
            out["fields"] = [f.to_dict() for f in self.fields]
        if self.operations:
            out["operations"] = list(self.operations)
        return out


def unbuilt_warning(image: str, service: str) -> str:
    """What a plan says of a missing image that only a build makes."""
    return f"image {image} of service/{service} is not on the engine; build it first"


@dataclass
class RuntimePlan:
    """Every change one apply would make to a project's engine objects."""

    project: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pulls: list[str] = field(default_factory=list)
    """Images apply pulls first (missing locally, needed by a container it creates)."""
    unbuilt: dict[str, str] = field(default_factory=dict)
    """Images missing locally that must be built, not pulled, by the service that builds them."""
    prune_volumes: bool = False
    """Deleted containers take their anonymous volumes with them."""
    desired: DesiredState | None = field(default=None, repr=False)
    recorded: dict[str, str] | None = field(default=None, repr=False)
    """The engine's record of the containers bakepy made (None: none yet)."""
    owners: tuple[str, ...] = ()
    """Who owns the project in a repository (CODEOWNERS or an ``owner`` label), shown."""

    @property
    def has_changes(self) -> bool:
        """True when apply would change something (``plan`` exits 1 then, 0 otherwise)."""
        return any(c.action != "unchanged" for c in self.changes)

    def counts(self) -> dict[str, int]:
        """How many changes of each action."""
        counted = Counter(c.action for c in self.changes)
        return {action: counted.get(action, 0) for action in SYMBOLS}

    def built_first(self, images: Collection[str]) -> None:
        """Forget the missing images that the same apply builds before it converges the
        project: "build it first" is said only of those nothing in the plan builds."""
        for image in [i for i in self.unbuilt if i in images]:
            warning = unbuilt_warning(image, self.unbuilt.pop(image))
            self.warnings = [w for w in self.warnings if w != warning]

    def of(self, action: Action) -> list[Change]:
        """The changes with one action."""
        return [c for c in self.changes if c.action == action]

    def find(self, name: str) -> Change | None:
        """The change to the engine object called ``name``."""
        return next((c for c in self.changes if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "project": self.project,
            "owners": list(self.owners),
            "has_changes": self.has_changes,
            "summary": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
            "pulls": list(self.pulls),
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """``plan --output json``."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    def summary(self) -> str:
        """``Plan: 1 to create, 2 to replace, ... N unchanged.`` or ``No changes. ...``."""
        counts = self.counts()
        unchanged = counts["unchanged"]
        if not self.has_changes:
            return f"No changes. {unchanged} resources unchanged."
        parts = [f"{counts[a]} {verb}" for a, verb in _VERBS.items()]
        return f"Plan: {', '.join(parts)}, {unchanged} unchanged."

    def render(self) -> str:
        """The terraform-like text of ``bakepy plan``."""
        owned = f" ({' '.join(self.owners)})" if self.owners else ""
        lines = [f"project {self.project}{owned}"]
        width = max((len(c.resource) for c in self.changes), default=0)
        for change in self.changes:
            if change.action == "unchanged":
                continue
            symbol = SYMBOLS[change.action].rjust(3)
            head = f"{symbol} {change.resource.ljust(width)}  {change.name}"
            why = change.operations or change.reasons
            lines.append(f"{head}  ({'; '.join(why)})" if why else head)
            lines += [f"        ~ {f.describe()}" for f in change.fields]
        lines += [f"warning: {w}" for w in self.warnings]
        lines.append(self.summary())
        return "\n".join(lines) + "\n"


_HIDDEN_PREFIX = "contents."
"""Spec paths under it hold secret contents (only their change is shown)."""


def field_changes(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """The leaves that differ between two specs (``environment.DB_HOST``), secrets hidden."""
    if before == after:
        return []
    if path.startswith(_HIDDEN_PREFIX):
        return [FieldChange(path, hidden=True)]
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes: list[FieldChange] = []
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}.{key}" if path else str(key)
            changes += field_changes(before.get(key), after.get(key), sub)
        return changes
    return [FieldChange(path or "(spec)", before, after)]
