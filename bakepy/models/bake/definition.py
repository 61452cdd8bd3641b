"""A bake definition in native form: the blocks of an HCL or JSON bake file, as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bakepy.errors import Location

if TYPE_CHECKING:
    from bakepy.models.resource import Resource

NativeTarget = dict[str, Any]
"""One target block: bake attribute names to values (template strings, lists, maps)."""


def nested_key(path: tuple[str | int, ...]) -> str:
    """The ``attribute_locations`` key of a nested block's field: ``validation.1.condition``."""
    return ".".join(str(part) for part in path)


@dataclass
class NativeBake:
    """A whole bake definition in native form, blocks in declaration order."""

    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, NativeTarget] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    """Top-level attributes of an HCL/JSON file: constants usable in expressions."""
    sources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    """The resource each block came from, keyed by (block type, name), for error messages."""
    locations: dict[tuple[str, str], Location] = field(default_factory=dict)
    """Where each block is in a file that was read (HCL/JSON), for error messages."""
    attribute_locations: dict[tuple[str, str, str], Location] = field(default_factory=dict)
    """Where each attribute's value is, by (block type, name, attribute): errors about a
    value name its line and column, as buildx names the expression's. A nested block and its
    attributes are keyed by ``nested_key`` (``validation.1``, ``validation.1.condition``)."""
    repeated_targets: list[tuple[str, NativeTarget]] = field(default_factory=list)
    """Later blocks of a target name seen before (same file or a later one); bake merges them."""

    def location_of(self, block: str, name: str) -> Location | None:
        """Where block ``(block, name)`` was declared: its resource's file and line, or its
        place in the bake file it was read from."""
        resource = self.sources.get((block, name))
        if resource is not None:
            return resource.location()
        return self.locations.get((block, name))

    def merged_with(self, later: NativeBake) -> NativeBake:
        """This definition followed by ``later``, merged as bake merges several files.

        Variables, functions and groups of the same name are replaced by the later one;
        targets of the same name are kept as repeated blocks that resolution merges in order.
        """
        repeated = [*self.repeated_targets]
        targets = dict(self.targets)
        for name, block in later.targets.items():
            if name in targets:
                repeated.append((name, block))
            else:
                targets[name] = block
        return NativeBake(
            variables={**self.variables, **later.variables},
            functions={**self.functions, **later.functions},
            groups={**self.groups, **later.groups},
            targets=targets,
            attributes={**self.attributes, **later.attributes},
            sources={**self.sources, **later.sources},
            locations={**self.locations, **later.locations},
            attribute_locations={**self.attribute_locations, **later.attribute_locations},
            repeated_targets=[*repeated, *later.repeated_targets],
        )
