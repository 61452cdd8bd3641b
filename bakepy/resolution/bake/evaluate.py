"""Resolve a native bake definition exactly as ``docker buildx bake --print`` does.

Phases, in buildx's order: evaluate variables (environment overrides, validation), expand
matrices and evaluate every attribute, pick the requested targets through groups, merge
``inherits``, follow ``target:`` links, then fill defaults and drop empty attributes.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bakepy.errors import (
    CycleError,
    Diagnostic,
    EvaluationError,
    Location,
    SelectionError,
    ValidationError,
)
from bakepy.models.bake.definition import NativeBake, nested_key
from bakepy.models.bake.features import (
    LINKS_BY_SUBSET,
    MERGE_SECRETS_BY_ID,
    OBJECT_FORMS,
    TARGET_ATTRIBUTES,
)
from bakepy.models.bake.targets import BAKE_NAME
from bakepy.models.toolchain import LATEST_BUILDX, Version
from bakepy.project import location_of
from bakepy.resolution.bake.coerce import (
    LISTS,
    MAPS,
    STRINGS,
    AttributeTypeError,
    coerce_attribute,
    coerce_entries,
    coerce_group_targets,
)
from bakepy.resolution.bake.compat import (
    drop_ignored,
    ignored_attributes,
    ignored_warning,
    refuse_newer,
    translated_for,
    without_ignored,
)
from bakepy.resolution.bake.merge import BY_ID, BY_ID_BEFORE_0_20, PRINT_ORDER, merge_target
from bakepy.resolution.bake.normalize import NORMALIZED
from bakepy.resolution.bake.overrides import Override, apply_overrides, check_patterns
from bakepy.resolution.bake.printed import printed_target
from bakepy.resolution.bake.variables import VariableResolver
from bakepy.support.json_text import indented_json

_NOT_EVALUATED = frozenset({"matrix", "name"})


@dataclass
class ResolvedBake:
    """Resolved groups and targets, in the shape ``docker buildx bake --print`` prints them."""

    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    linked: list[str] = field(default_factory=list)
    """Targets present only because a requested one links them (``target:`` contexts)."""
    warnings: list[str] = field(default_factory=list)
    """What buildx does without a word and bakepy says (a loop cut, an attribute dropped)."""
    version_notes: list[str] = field(default_factory=list)
    """Those of ``warnings`` about what the targeted buildx leaves out of its print (an
    attribute it ignores, an object form it lacks): true of ``print``, not of a rendered
    file, which keeps every attribute for any buildx to read."""
    buildx: Version | None = None
    """The buildx whose ``--print`` ``to_dict`` imitates (entries as objects from 0.19); None
    keeps every entry in its text form."""

    def to_dict(self) -> dict[str, Any]:
        """``{"group": {...}, "target": {...}}``; ``group`` is left out when empty."""
        out: dict[str, Any] = {}
        if self.groups:
            out["group"] = {name: self.groups[name] for name in sorted(self.groups)}
        targets = {name: self.targets[name] for name in sorted(self.targets)}
        if self.buildx is not None:
            targets = {name: printed_target(t, self.buildx) for name, t in targets.items()}
        out["target"] = targets
        return out

    def to_json(self) -> str:
        """JSON text with buildx's indentation."""
        return indented_json(self.to_dict()) + "\n"


class _TargetReferences(dict[str, Any]):
    """The ``target`` variable: ``target.NAME.ATTR`` is a target's own attribute.

    Evaluated on demand, attribute by attribute, as buildx does: the referenced target's own
    attributes (inherited ones are not visible), null where unset, ``name`` its name; a target
    may read its own attributes, and only a reference that comes back to the attribute being
    evaluated loops.
    """

    def __init__(self, resolver: _Resolver) -> None:
        super().__init__()
        self._resolver = resolver
        self._targets: dict[str, _TargetAttributes] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._resolver.native.targets

    def __getitem__(self, name: str) -> dict[str, Any]:
        if name not in self._targets:
            block = self._resolver.last_block(name)
            if block is not None and "matrix" not in block:
                self._targets[name] = _TargetAttributes(self._resolver, name, block)
            else:
                return self._resolver.generated(name)
        return self._targets[name]


_VISIBLE = frozenset((*PRINT_ORDER, "inherits"))


class _TargetAttributes(dict[str, Any]):
    """One target block's own attributes as ``target.NAME`` shows them, each evaluated once."""

    def __init__(self, resolver: _Resolver, name: str, block: dict[str, Any]) -> None:
        super().__init__()
        self._resolver = resolver
        self._name = name
        self._block = block
        self._values = resolver.own_values(name)

    def __contains__(self, key: object) -> bool:
        return key == "name" or key in _VISIBLE

    def __getitem__(self, key: str) -> Any:
        if key == "name":
            return self._name
        if key not in _VISIBLE:
            raise KeyError(key)
        if key not in self._values:
            if key not in self._block:
                return None
            self._values[key] = self._resolver.evaluate_attribute(
                self._name, self._block, key, self._resolver.target_scope
            )
        return self._values[key]


class _Resolver:
    def __init__(
        self,
        native: NativeBake,
        env: Mapping[str, str],
        overrides: Sequence[Override] = (),
        buildx: Version = LATEST_BUILDX,
    ) -> None:
        self.native = native
        self.env = env
        self.overrides = overrides
        self.buildx = buildx
        self.by_id = BY_ID if buildx >= MERGE_SECRETS_BY_ID else BY_ID_BEFORE_0_20
        self.object_forms = frozenset(
            key for key, form in OBJECT_FORMS.items() if form.available(buildx)
        )
        """The list attributes whose entries this buildx reads as objects too (once, not
        per attribute: a version comparison is a Python call)."""
        self.variables = VariableResolver(
            native.variables,
            native.functions,
            env,
            self.locate,
            native.attributes,
            buildx,
            {"target": lambda: self.references},
            self.locate_field,
        )
        self.evaluated: dict[str, dict[str, Any]] = {}
        self.origin: dict[str, str] = {}
        self.matrix_groups: dict[str, list[str]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self._full: dict[str, dict[str, Any]] = {}
        self._alone: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        """Per parent: its resolved attributes, and those merged over nothing (``_merged_into``)."""
        self._looped: set[str] = set()
        """Targets whose result depended on an inherits loop: resolved anew per request."""
        self._loops_said: set[frozenset[str]] = set()
        """The inherits loops warned about (each once, from whichever target it was met)."""
        self.warnings: list[str] = []
        self._expanded: set[int] = set()
        """Matrix blocks already expanded (a ``target.NAME`` reference may expand one early)."""
        self._own_values: dict[str, dict[str, Any]] = {}
        """Each target's own visible attributes, evaluated once whether its block or a
        ``target.NAME.ATTR`` reference asks first (``_TargetAttributes`` shows them)."""
        self.references = _TargetReferences(self)
        self.target_scope = self.variables.scope.child({"target": self.references})
        self._evaluating: set[tuple[str, str]] = set()
        """The (target, attribute) pairs being evaluated right now: a reference back loops."""

    def generated(self, name: str) -> dict[str, Any]:
        """A matrix-generated target's own attributes, as ``target.NAME`` reads them (its
        matrix expanded now if it was not yet); KeyError when no matrix makes ``name``."""
        if name not in self.evaluated:
            for label, block in [*self.native.targets.items(), *self.native.repeated_targets]:
                if "matrix" in block and id(block) not in self._expanded:
                    self._expand_matrix(label, block)
        if name not in self.evaluated:
            raise KeyError(name)
        own = self.evaluated[name]
        return {**{key: own.get(key) for key in _VISIBLE}, "name": name}

    def last_block(self, name: str) -> dict[str, Any] | None:
        """The last ``target`` block called ``name`` (of the last file declaring it): the one
        ``target.NAME.ATTR`` reads, as buildx's evaluator keeps the last block of a name."""
        for repeated, block in reversed(self.native.repeated_targets):
            if repeated == name:
                return block
        return self.native.targets.get(name)

    def locate_attribute(self, where: tuple[str, str], key: str) -> Location:
        """Where attribute ``key`` of block ``where`` is: its value's line and column in a
        file that was read, its field in a declared resource, else its block's line."""
        resource = self.native.sources.get(where)
        if resource is not None:
            return location_of(resource, "spec", key)
        found = self.native.attribute_locations.get((*where, key))
        return found or (self.locate(*where) or Location()).with_field(key)

    def locate_field(self, where: tuple[str, str], path: tuple[str | int, ...]) -> Location | None:
        """Where a nested field of block ``where`` is (``validation[1].condition``): its line
        in a declared resource; in a bake file its own line, else its nested block's header
        line, else the block's."""
        resource = self.native.sources.get(where)
        if resource is not None:
            return location_of(resource, "spec", *path)
        for depth in range(len(path), 0, -1):
            found = self.native.attribute_locations.get((*where, nested_key(path[:depth])))
            if found is not None:
                return Location(found.file, found.line, found.resource, path, found.column)
        base = self.locate(*where)
        if base is None:
            return None
        return Location(base.file, base.line, base.resource, path, base.column)

    def locate(self, block: str, name: str) -> Location | None:
        resource = self.native.sources.get((block, name))
        if resource is not None:
            return location_of(resource)
        return self.native.locations.get((block, name))

    # -- evaluation -------------------------------------------------------------------------

    def evaluate_all(self) -> None:
        self.variables.evaluate_all()
        self.variables.validate()
        for name, block in self.native.groups.items():
            where = ("group", name)
            plain = _plain_group(block)
            if plain is not None:
                self.groups[name] = plain
                continue
            evaluated = self.variables.evaluate_value(block, where)
            try:
                evaluated["targets"] = coerce_group_targets(evaluated.get("targets"))
            except AttributeTypeError as exc:
                raise EvaluationError(str(exc), self.locate_attribute(where, "targets")) from None
            self.groups[name] = evaluated
        blocks = [*self.native.targets.items(), *self.native.repeated_targets]
        for name, block in blocks:
            if "matrix" in block:
                self._expand_matrix(name, block)
            elif "name" in block:
                raise EvaluationError("name requires matrix", self.locate("target", name))
            else:
                self._add_target(name, name, self.evaluate_target(name, block, None))

    def _add_target(self, name: str, origin: str, attrs: dict[str, Any]) -> None:
        if name in self.evaluated:
            # a generated name equal to an existing target merges into it, as bake does
            attrs = merge_target(self.evaluated[name], attrs, self.by_id)
        self.evaluated[name] = attrs
        self.origin[name] = origin

    def evaluate_target(
        self, name: str, block: dict[str, Any], matrix_values: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Every attribute of one target block evaluated (matrix values in scope, if any)."""
        scope = self.target_scope.child(matrix_values) if matrix_values else self.target_scope
        own = matrix_values is None and self.last_block(name) is block
        shared = self.own_values(name) if own else None  # what target.NAME.ATTR shares
        out: dict[str, Any] = {}
        evaluating = self._evaluating
        for key in block:
            if key in _NOT_EVALUATED:
                continue
            if shared is not None and key in _VISIBLE and key in shared:
                evaluated = shared[key]
            else:
                # a plain value is what evaluate_attribute would make of it, said here (most
                # of a monorepo's values), unless a reference is being evaluated: a loop back
                # to this attribute is found there
                value = block[key]
                plain: Any = None
                if not evaluating:
                    if type(value) is str:
                        if key in STRINGS and "${" not in value and "%{" not in value:
                            plain = value
                    else:
                        plain = _plain_copy(key, value)
                if plain is None:
                    evaluated = self.evaluate_attribute(name, block, key, scope)
                else:
                    evaluated = plain
                if shared is not None and key in _VISIBLE:
                    shared[key] = evaluated
            if evaluated is not None:  # null leaves the attribute unset
                out[key] = evaluated
        return out

    def own_values(self, name: str) -> dict[str, Any]:
        """The evaluated own attributes of the last block called ``name``, shared by its
        evaluation and ``target.NAME.ATTR`` (a dict, not a ``_TargetAttributes`` per target:
        most targets are never referenced)."""
        values = self._own_values.get(name)
        if values is None:
            values = self._own_values[name] = {}
        return values

    def evaluate_attribute(self, name: str, block: dict[str, Any], key: str, scope: Any) -> Any:
        """One attribute of a target block, evaluated and brought to bake's type."""
        where = ("target", name)
        pending = (name, key)
        if pending in self._evaluating:
            raise EvaluationError(
                f"reference cycle not allowed for target.{name}.{key}", self.locate(*where)
            )
        value = block[key]
        try:
            if type(value) is str and "${" not in value and "%{" not in value:
                # no template: nothing it reads loops; a string attribute is itself
                return value if key in STRINGS else self._coerce(key, value, where)
            plain = _plain_copy(key, value)
            if plain is not None:
                return plain
            if _template_free(value):  # a copy, as _evaluate makes, without a call an entry
                return self._coerce(key, value.copy(), where)
            self._evaluating.add(pending)
            try:
                return self._coerce(key, self._evaluate(value, where, scope), where)
            finally:
                self._evaluating.discard(pending)
        except EvaluationError as exc:
            raise self._in_attribute(exc, where, key) from None

    def _in_attribute(
        self, error: EvaluationError, where: tuple[str, str], key: str
    ) -> EvaluationError:
        """``error`` pointing at attribute ``key`` when it is about this very block."""
        location = self.locate(*where)
        if location is None or error.location != location:
            return error  # about another block (a target.NAME.ATTR reference): keep it
        return EvaluationError(
            error.message, self.locate_attribute(where, key), error.diagnostic.hint
        )

    def _coerce(self, key: str, value: Any, where: tuple[str, str]) -> Any:
        try:
            if key in self.object_forms and value is not None:
                return coerce_entries(key, value)
            return coerce_attribute(key, value)
        except AttributeTypeError as exc:
            raise EvaluationError(str(exc), self.locate(*where)) from None

    def _evaluate(self, value: Any, where: tuple[str, str], scope: Any) -> Any:
        # a string with no template is itself (as ``template`` and ``key`` return it), said
        # here: most of a monorepo's values are plain, and each call costs more than the test
        if isinstance(value, str):
            if "${" not in value and "%{" not in value:
                return value
            return self.variables.template(value, where, scope)
        if isinstance(value, list):
            return [self._evaluate(item, where, scope) for item in value]
        if isinstance(value, dict):
            return {
                (
                    key
                    if "${" not in key and "%{" not in key
                    else self.variables.key(key, where, scope)
                ): self._evaluate(item, where, scope)
                for key, item in value.items()
            }
        return value

    def _expand_matrix(self, label: str, block: dict[str, Any]) -> None:
        if id(block) in self._expanded:
            return
        self._expanded.add(id(block))
        where = ("target", label)
        try:
            matrix = self._evaluate(block["matrix"], where, None)
        except EvaluationError as exc:
            raise self._in_attribute(exc, where, "matrix") from None
        if not isinstance(matrix, dict):
            raise EvaluationError("matrix must be a map of lists", self.locate(*where))
        axes = sorted(matrix)
        for axis in axes:
            if not isinstance(matrix[axis], list):
                raise EvaluationError(f"matrix value {axis!r} must be a list", self.locate(*where))
        generated: list[str] = []
        for combination in itertools.product(*(matrix[axis] for axis in axes)):
            values = dict(zip(axes, combination, strict=True))
            scope = self.variables.scope.child(values)
            name = label
            if "name" in block:
                try:
                    name = str(self.variables.template(block["name"], where, scope))
                except EvaluationError as exc:
                    raise self._in_attribute(exc, where, "name") from None
            if not BAKE_NAME.match(name):
                raise EvaluationError(
                    f'invalid name {name!r} from matrix: only "[a-zA-Z0-9_-]+" are allowed',
                    self.locate(*where),
                    hint="use sanitize() or replace() in the name template",
                )
            if name in generated:
                raise EvaluationError(
                    f"duplicate name {name!r} from matrix",
                    self.locate(*where),
                    hint="give the target a name template that uses every matrix key",
                )
            generated.append(name)
            self._add_target(name, label, self.evaluate_target(label, block, values))
        if not generated or generated == [label]:
            return  # an empty matrix makes no group, nor one that renames nothing (as buildx)
        self.matrix_groups[label] = generated

    # -- selection and inheritance -----------------------------------------------------------

    def select(self, requested: Sequence[str]) -> tuple[list[str], dict[str, dict[str, Any]]]:
        names: list[str] = []
        chosen: set[str] = set()  # the members of ``names``, for O(1) membership tests
        reached: dict[str, dict[str, Any]] = {}
        groups, matrices = self.groups, self.matrix_groups

        def expand(name: str, visiting: tuple[str, ...]) -> None:
            if name in visiting:
                # a group naming itself (or a group above it) means the target of that name,
                # if there is one: buildx's group() then falls back to the name itself
                if name in self.evaluated and name not in chosen:
                    chosen.add(name)
                    names.append(name)
                return
            if name in self.groups:
                group = self.groups[name]
                reached[name] = {k: group[k] for k in ("description", "targets") if k in group}
                if "targets" in group:  # buildx de-duplicates a group's members
                    reached[name]["targets"] = list(dict.fromkeys(group["targets"]))
                inside = (*visiting, name)
                for member in group.get("targets", []):
                    if member in chosen and member not in groups and member not in matrices:
                        continue  # a target chosen already: expand would do nothing (most
                        # members, when every target and group is asked for)
                    expand(member, inside)
            elif name in self.matrix_groups:  # before a target of that name, as in buildx
                reached[name] = {"targets": list(self.matrix_groups[name])}
                for member in self.matrix_groups[name]:
                    expand(member, (*visiting, name))
            elif name in self.evaluated:
                if name not in chosen:
                    chosen.add(name)
                    names.append(name)
            else:
                # a group's member is located at the group's targets; a name asked for on
                # the command line has no place in a file
                where = (
                    self.locate_attribute(("group", visiting[-1]), "targets") if visiting else None
                )
                raise SelectionError(
                    f"failed to find target {name}",
                    where,
                    hint="bakepy validate lists the declared targets and groups",
                )

        for name in requested:
            expand(name, ())
        return names, reached

    def full(self, name: str) -> dict[str, Any]:
        """``name`` with what it inherits merged in, and the ``--set`` overrides applied."""
        if name in self._full:
            return self._full[name]
        resolved = self._inherit(name, {})
        assert resolved is not None
        return resolved

    def _inherit(
        self, name: str, visiting: dict[str, dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """buildx's ``Config.target``: parents merged left to right, then the target itself.

        A parent already being resolved for the same request (an inherits loop, or a target
        inheriting itself) counts as empty, as in buildx, which tolerates loops; a result that
        depended on such a loop is not remembered for other requests, whose loop is cut
        elsewhere.
        """
        if name in self._full:
            return self._full[name]
        if name in visiting:
            loop = [pending for pending, value in visiting.items() if value is None]
            self._looped.update(loop)
            if visiting[name] is None:
                cycle = loop[loop.index(name) :]
                if frozenset(cycle) not in self._loops_said:  # once a loop, from any start
                    self._loops_said.add(frozenset(cycle))
                    path = " -> ".join([*cycle, name])
                    self.warnings.append(f"inherits loop {path}: buildx ignores the link back")
            return visiting[name]
        visiting[name] = None
        own = self.evaluated[name]
        result: dict[str, Any] = {}
        for parent in own.get("inherits", []):
            if parent not in self.evaluated:
                raise SelectionError(
                    f"failed to find target {parent}",
                    self.locate("target", self.origin.get(name, name)),
                    hint=f"target {name} inherits {parent!r}, which is not a target",
                )
            inherited = self._full.get(parent)  # resolved already (most parents): no call
            if inherited is None:
                inherited = self._inherit(parent, visiting)
            if inherited is not None:
                result = self._merged_into(result, parent, inherited)
        if "inherits" in own and "inherits" not in result:
            # merged, then taken out of the new dict merge_target made: the other keys keep
            # their order, and the target's own attributes are not copied once more first
            result = merge_target(result, own, self.by_id)
            del result["inherits"]
        else:
            mine = {k: v for k, v in own.items() if k != "inherits"} if "inherits" in own else own
            result = merge_target(result, mine, self.by_id)  # a new dict: merge_target copies
        if self.overrides:
            result = apply_overrides(name, result, self.overrides, self.env)
        visiting[name] = result
        if name not in self._looped:
            self._full[name] = result
        return result

    def _merged_into(
        self, result: dict[str, Any], parent: str, inherited: dict[str, Any]
    ) -> dict[str, Any]:
        """``inherited`` (``parent`` resolved) merged over ``result``. Over nothing, as for a
        first parent, the merge is kept per parent: the many targets inheriting one base
        share it (merge_target never changes its inputs; each child merges over a copy)."""
        if result:
            return merge_target(result, inherited, self.by_id)
        kept = self._alone.get(parent)
        if kept is None or kept[0] is not inherited:  # a looped parent resolves anew
            kept = (inherited, merge_target({}, inherited, self.by_id))
            self._alone[parent] = kept
        return kept[1]

    def links(self, names: list[str]) -> list[str]:
        """Targets reached through ``target:`` contexts, after the requested ones."""
        ordered = list(names)

        def follow(name: str, stack: tuple[str, ...]) -> None:
            for value in (self.full(name).get("contexts") or {}).values():
                if not isinstance(value, str) or not value.startswith("target:"):
                    continue
                linked = value.removeprefix("target:")
                if linked == name:
                    raise CycleError(
                        f"target {linked} cannot link to itself",
                        self.locate("target", self.origin.get(name, name)),
                    )
                if linked in stack:
                    raise CycleError(
                        f"infinite loop from {name} to {linked}",
                        self.locate("target", self.origin.get(name, name)),
                    )
                if linked not in self.evaluated:
                    raise SelectionError(
                        f"target {name} uses context target:{linked}, which is not a target",
                        self.locate("target", self.origin.get(name, name)),
                    )
                if linked not in ordered:
                    ordered.append(linked)
                follow(linked, (*stack, name))
                self._check_link_platforms(name, linked)

        for name in names:
            follow(name, ())
        return ordered

    def _check_link_platforms(self, name: str, linked: str) -> None:
        """A multi-platform target may only use a multi-platform ``target:`` context that is
        built for each of its platforms (buildx >= 0.20). Before, the two lists must hold the
        same platforms, and buildx sorts both while it compares them, which shows in what it
        prints (§6)."""
        mine_full, theirs_full = self.full(name), self.full(linked)
        mine = list(mine_full.get("platforms") or [])
        theirs = list(theirs_full.get("platforms") or [])
        if len(mine) <= 1 or len(theirs) <= 1:
            return
        where = self.locate_attribute(("target", self.origin.get(name, name)), "contexts")
        if self.buildx < LINKS_BY_SUBSET:
            if len(mine) == len(theirs):
                mine_full["platforms"], theirs_full["platforms"] = sorted(mine), sorted(theirs)
                for changed in (name, linked):  # what their children merge changed too
                    self._alone.pop(changed, None)
            if sorted(mine) != sorted(theirs):
                message = (
                    f"target {linked} can't be used by {name} because it is defined for "
                    f"different platforms [{' '.join(theirs)}] and [{' '.join(mine)}]"
                )
                hint = f"build {linked} and {name} for the same platforms"
                raise ValidationError([Diagnostic(message, where, hint)])
            return
        if not set(mine) <= set(theirs):
            message = (
                f"target {linked} can't be used by {name}: {name} builds for "
                f"{', '.join(mine)} but {linked} only for {', '.join(theirs)}"
            )
            hint = f"build {linked} for every platform of {name}"
            raise ValidationError([Diagnostic(message, where, hint)])


def _plain_copy(key: str, value: Any) -> list[str] | dict[str, str] | None:
    """A copy of a list attribute of strings, or of a map attribute of strings to strings, with
    no template in any (most of a monorepo's ``inherits``, ``args``, ``labels``): what its
    evaluation and coercion make of it (each entry itself), in one pass; None for any other
    value, which takes those steps."""
    if type(value) is list:
        if key not in LISTS:
            return None
        for item in value:
            if type(item) is not str or "${" in item or "%{" in item:
                return None
        return value.copy()
    if type(value) is dict:
        if key not in MAPS:
            return None
        for name, item in value.items():
            if type(item) is not str or "${" in item or "%{" in item:
                return None
            if type(name) is not str or "${" in name or "%{" in name:
                return None
        return value.copy()
    return None


def _plain_group(block: dict[str, Any]) -> dict[str, Any] | None:
    """A group block of a list of plain target names (and a plain description), copied: what
    evaluating and coercing it gives (each name itself), without a call per name; None for
    any other block, which takes those steps."""
    targets = block.get("targets")
    if type(targets) is not list:
        return None
    for name in targets:
        if type(name) is not str or "${" in name or "%{" in name:
            return None
    for key, value in block.items():
        if key == "targets":
            continue
        if key != "description" or type(value) is not str or "${" in value or "%{" in value:
            return None
    return {**block, "targets": targets.copy()}


def _template_free(value: Any) -> bool:
    """Whether ``value`` is a list of strings, or a map of strings to strings, with no
    template in any (most lists and maps of a monorepo's targets: ``inherits``, ``args``).
    Plain loops: a generator per attribute costs more than the test."""
    items: Iterable[Any]
    if type(value) is dict:
        for name in value:
            if type(name) is not str or "${" in name or "%{" in name:
                return False
        items = value.values()
    elif type(value) is list:
        items = value
    else:
        return False
    free = True
    for item in items:
        if type(item) is not str or "${" in item or "%{" in item:
            free = False
            break
    return free


def finalize(
    attrs: Mapping[str, Any], env: Mapping[str, str], linked: bool, buildx: Version
) -> dict[str, Any]:
    """Defaults, SOURCE_DATE_EPOCH, the entitlement host networking needs, null and empty
    removal, and print order."""
    target = dict(attrs)
    target.pop("inherits", None)
    if not target.get("context"):
        target["context"] = "."
    if not target.get("dockerfile"):
        target["dockerfile"] = "Dockerfile"
    for key in ("args", "labels"):
        if key in target:
            target[key] = {
                name: value if type(value) is str else _as_string(value)
                for name, value in sorted(target[key].items())
                if value is not None
            }
    if "SOURCE_DATE_EPOCH" in env:
        args = dict(target.get("args") or {})
        args.setdefault("SOURCE_DATE_EPOCH", env["SOURCE_DATE_EPOCH"])
        target["args"] = dict(sorted(args.items()))
    for key in ("contexts", "extra-hosts"):
        if key in target:
            target[key] = {k: v for k, v in sorted(target[key].items()) if v is not None}
    if target.get("network") == "host" and TARGET_ATTRIBUTES["network"].available(buildx):
        target["entitlements"] = [*(target.get("entitlements") or []), "network.host"]
    if linked:
        target.pop("output", None)
    ordered: dict[str, Any] = {}
    for key in PRINT_ORDER:
        if key in target:
            value = target[key]
            # empty list entries, duplicates and empty contexts go; the context path is
            # cleaned (§2): buildx's normalization, attribute by attribute, in this same pass
            normalize = NORMALIZED.get(key)
            if normalize is not None:
                value = normalize(value)
            if value is None or (not value and (value == [] or value == {} or value == "")):
                continue
            ordered[key] = value
    return ordered


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def resolve_bake(
    native: NativeBake,
    requested: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    overrides: Sequence[Override] = (),
    buildx: Version = LATEST_BUILDX,
    *,
    everything: bool = False,
) -> ResolvedBake:
    """Resolve ``requested`` targets/groups (default: the ``default`` group) of ``native``,
    with ``--set`` style ``overrides`` applied to the targets they match, as ``buildx`` does
    (its version decides the few rules that changed). A requested name with a ``.`` means
    the name with ``_`` instead, as buildx reads names from the command line. ``everything``
    resolves every target and group instead (a matrix of no values makes no target)."""
    env = dict(env or {})
    native, ignored = without_ignored(native, buildx)
    native, translated = translated_for(native, buildx, declared_only=True)
    resolver = _Resolver(native, env, overrides, buildx)
    resolver.warnings += [*ignored, *translated]
    refuse_newer(native, buildx, resolver.locate)
    resolver.evaluate_all()
    check_patterns(overrides, resolver.evaluated)
    wanted = [name.replace(".", "_") for name in requested] or ["default"]
    if everything:  # every target (matrix ones by their generated names) and every group
        wanted = [*resolver.evaluated, *_buildable_groups(resolver)]
    names, reached = resolver.select(wanted)
    chosen = resolver.links(names)
    selected = set(names)
    targets = {
        name: finalize(resolver.full(name), env, linked=name not in selected, buildx=buildx)
        for name in chosen
    }
    notes = [*ignored, *translated]
    unknown = ignored_attributes(buildx)
    for name, target in targets.items():
        if unknown.isdisjoint(target):
            continue  # most targets: nothing this buildx ignores
        dropped = drop_ignored(target, buildx)
        if dropped and (warning := ignored_warning(name, dropped, buildx)) not in ignored:
            resolver.warnings.append(warning)
            notes.append(warning)
    _add_requested_to_default(reached, wanted)
    linked = [name for name in chosen if name not in selected]
    warnings = [*resolver.variables.warnings, *resolver.warnings]
    return ResolvedBake(
        groups=reached,
        targets=targets,
        linked=linked,
        warnings=warnings,
        version_notes=notes,
        buildx=buildx,
    )


def _buildable_groups(resolver: _Resolver) -> list[str]:
    """The groups whose members all resolve; the others are warned about: buildx reads such a
    file and fails only when that group is built, so the rest of the file stays usable."""
    kept: list[str] = []
    for name, group in resolver.groups.items():
        if _of_targets_only(resolver, group):
            kept.append(name)  # select would find each member (most groups: a package's)
            continue
        try:
            resolver.select([name])
        except SelectionError as exc:
            where = exc.location.describe() if exc.location else f"group {name!r}"
            resolver.warnings.append(
                f"{where}: {exc.message}; buildx fails only when group {name} is built"
            )
            continue
        kept.append(name)
    return kept


def _of_targets_only(resolver: _Resolver, group: Mapping[str, Any]) -> bool:
    """Whether every member of ``group`` is a target, and no group or matrix of that name
    (which ``select`` would expand instead): such a group resolves, no need to select it."""
    evaluated, groups, matrices = resolver.evaluated, resolver.groups, resolver.matrix_groups
    for member in group.get("targets", ()):
        if member not in evaluated or member in groups or member in matrices:
            return False
    return True


def _add_requested_to_default(reached: dict[str, dict[str, Any]], wanted: Sequence[str]) -> None:
    """The ``default`` group ``--print`` shows: the requested names other than ``default``,
    appended (once each) to the declared ``default`` group when that one was requested too."""
    extra = [name for name in wanted if name != "default"]
    if not extra:
        return
    group = dict(reached.get("default", {}))
    members = list(group.get("targets", []))
    known = set(members)  # a set: ``everything`` asks for each of thousands of targets
    group["targets"] = members + [n for n in dict.fromkeys(extra) if n not in known]
    reached["default"] = group
