"""The table of addresses and the bake names derived from them, as ``addresses`` lists it and
``print --addresses`` / ``render --addresses`` show it (on stderr, beside their output)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module at start: nothing heavy
    from bakepy.project import Project


def address_rows(
    project: Project, owner: str | None = None, names: Collection[str] | None = None
) -> list[tuple[str, str, str, str]]:
    """``(address, kind, bake name, owners)`` of each resource, sorted: those ``owner`` owns
    (default all), and only targets and groups called one of ``names`` when given."""
    return sorted(
        (str(project.address_of(r)), r.KIND, r.name, " ".join(project.owners_of(r)))
        for r in project
        if (owner is None or owner in project.owners_of(r))
        and (names is None or (r.KIND in ("Target", "Group") and r.name in names))
    )


def table_lines(rows: list[tuple[str, str, str, str]]) -> list[str]:
    """The rows in aligned columns, trailing blanks removed."""
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    return [
        f"{address:<{widths[0]}}  {kind:<{widths[1]}}  {name:<{widths[2]}}  {owners}".rstrip()
        for address, kind, name, owners in rows
    ]
