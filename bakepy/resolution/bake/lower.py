"""Lower typed bake resources to bake's native form: the dicts an HCL or JSON bake file holds.

Both file generators and the resolver start from this one form, so the files bakepy writes and
the targets ``bakepy print`` reports cannot disagree. Typed values become their string forms,
referenced objects become names, Dockerfile resources become paths (or inline text), and paths
declared relative to a definition file are rewritten relative to where the bake file lands.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bakepy.hcl.escaping import escape_template
from bakepy.models.bake.definition import NativeBake, NativeTarget
from bakepy.models.bake.targets import Attribute, Function, Group, Target, TargetSpec, Variable
from bakepy.models.dockerfile.instructions import Dockerfile, Stage
from bakepy.models.resource import Resource
from bakepy.project import Project
from bakepy.resolution.bake.paths import PathMapper
from bakepy.resolution.bake.relocate import Relocation


def dockerfile_filename(dockerfile: Dockerfile) -> str:
    """File name a Dockerfile resource is rendered to, beside the bake file."""
    return f"{dockerfile.name}.Dockerfile"


def _string(value: object) -> str:
    to_string = getattr(value, "to_string", None)
    return str(to_string()) if callable(to_string) else str(value)


def _each(values: Any, lower: Callable[[Any], Any]) -> Any:
    """Each item of a list attribute lowered; a whole expression (a string) as written."""
    return values if isinstance(values, str) else [lower(value) for value in values]


def _sorted_map(values: Any) -> Any:
    """A map attribute with sorted keys; a whole expression (a string) as written."""
    return values if isinstance(values, str) else dict(sorted(values.items()))


def _name_of(value: object) -> str:
    """The name a reference writes: a string as it is (most are, after a repository load's
    qualification), a resource's or a stage's name."""
    if type(value) is str:
        return value
    if isinstance(value, Resource):
        return value.name
    if isinstance(value, Stage):
        return value.name or ""
    return str(value)


class _Lowering:
    """One lowering pass over a project for one output folder."""

    def __init__(
        self,
        project: Project,
        out_dir: Path,
        render_dockerfile: Callable[[Dockerfile], str],
    ) -> None:
        self.project = project
        self.paths = PathMapper(out_dir.resolve())
        self.out_dir = out_dir.resolve()
        self.render_dockerfile = render_dockerfile
        self.parents: dict[str, Target | None] = {}
        """Each parent name's Target (None: none), found once: most targets of a repository
        inherit one base, asked for each target's context and Dockerfile."""

    def effective(
        self, target: Target, attr: str, visiting: tuple[Target, ...] = ()
    ) -> tuple[Any, Target | None]:
        """Value of ``attr`` after inherits (last parent wins, own value last) and its declarer.

        Asked from the own value back to the first parent, stopping at the first value: a
        target's own context is found without walking its parents (2,000 targets of a
        repository inherit one base). A parent already being visited (an inherits cycle,
        told by identity: no ``id()``, an audited event) is skipped here: lowering still
        succeeds and the resolver reports the cycle with its path.
        """
        spec = target.spec
        own = getattr(spec, attr)
        if own is not None and attr in spec.model_fields_set:
            return own, target
        parents = spec.inherits  # ``spec.parents`` without its copy: only read here
        if not parents or isinstance(parents, str):  # none, or an expression: none known
            return None, None
        visiting = (*visiting, target)
        for parent in reversed(parents):
            parent_target = (
                self.parent_named(parent)
                if type(parent) is str or not isinstance(parent, Target)
                else parent
            )
            if parent_target is None or _among(parent_target, visiting):
                continue
            value, declarer = self.effective(parent_target, attr, visiting)
            if value is not None:
                return value, declarer
        return None, None

    def parent_named(self, name: str) -> Target | None:
        """The Target called ``name`` (None: none), found once per name."""
        if name not in self.parents:
            self.parents[name] = self.project.find(Target, name)
        return self.parents[name]

    def context_dir(self, target: Target, base: Path) -> tuple[str | None, Path, str | None]:
        """The effective context as written in the bake file, the folder its declarer's paths
        are relative to (``base``, the target's own folder, when none is declared) and the
        context as declared when it is a local path (the folder it names is joined only when
        a Dockerfile path is written relative to it: most targets never need it)."""
        context, declarer = self.effective(target, "context")
        if declarer is None or context is None:
            return None, base, None
        if declarer is not target:
            base = self.project.base_dir_of(declarer)
        if "${" in context or "://" in context or context.startswith("git@"):
            return Relocation(base, self.out_dir).path(context, keep_empty=False), base, None
        return self.paths.map(context, base), base, context

    def moved(self, base: Path, key: str, values: Any) -> Any:
        """The entries of a list attribute declared in ``base`` (or its whole expression),
        their paths moved to the output folder."""
        return Relocation(base, self.out_dir).entries(key, _each(values, _string))

    def lower_target(self, target: Target, base: Path) -> NativeTarget:
        """One target's native block, its keys in bake's order, its paths relative to ``base``
        (its folder). Written out attribute by attribute: it runs for every target of a
        monorepo, most attributes unset."""
        spec: TargetSpec = target.spec
        fields = spec.model_fields_set
        native: NativeTarget = {}
        if spec.description is not None:
            native["description"] = spec.description
        if _given(spec.inherits):
            native["inherits"] = _each(spec.inherits, _name_of)
        if spec.matrix is not None:
            native["matrix"] = spec.matrix
        if spec.name is not None:
            native["name"] = spec.name

        context, context_base, declared = self.context_dir(target, base)
        if "context" in fields and spec.context is not None:
            if context is not None:
                native["context"] = context
        elif context is None and not spec.inherits:  # an expression may inherit a context
            mapped = self.paths.map(".", base)
            if mapped != ".":
                native["context"] = mapped
        if _given(spec.contexts):
            relocation = Relocation(base, self.out_dir)
            native["contexts"] = (
                spec.contexts
                if isinstance(spec.contexts, str)
                else {
                    key: relocation.context(_string(value))
                    for key, value in sorted(spec.contexts.items())
                }
            )
        dockerfile = (
            self.effective(target, "dockerfile")[0]
            if "dockerfile" in fields or "context" in fields
            else None
        )
        if dockerfile is not None and isinstance(dockerfile, Dockerfile):  # None: most targets
            file = self.out_dir / dockerfile_filename(dockerfile)
            folder = os.path.normpath(os.path.join(context_base, declared or "."))
            native["dockerfile"] = os.path.relpath(file, folder).replace(os.sep, "/")
        elif isinstance(spec.dockerfile, str):
            native["dockerfile"] = spec.dockerfile
        inline = spec.dockerfile_inline  # None for most: tested before a model isinstance
        if inline is not None:
            native["dockerfile-inline"] = (
                escape_template(self.render_dockerfile(inline))
                if isinstance(inline, Dockerfile)
                else inline
            )
        if spec.target is not None:
            native["target"] = _name_of(spec.target)
        if _given(spec.args):
            native["args"] = _sorted_map(spec.args)
        if _given(spec.labels):
            native["labels"] = _sorted_map(spec.labels)
        if _given(spec.annotations):
            native["annotations"] = _each(spec.annotations, _string)
        if spec.tags is not None:
            native["tags"] = spec.tags if isinstance(spec.tags, str) else list(spec.tags)
        if spec.platforms is not None:
            native["platforms"] = _each(spec.platforms, _string)
        if _given(spec.cache_from):
            native["cache-from"] = self.moved(base, "cache-from", spec.cache_from)
        if spec.cache_to is not None:
            native["cache-to"] = self.moved(base, "cache-to", spec.cache_to)
        if _given(spec.secret):
            native["secret"] = self.moved(base, "secret", spec.secret)
        if _given(spec.ssh):
            native["ssh"] = self.moved(base, "ssh", spec.ssh)
        if spec.output is not None:
            native["output"] = self.moved(base, "output", spec.output)
        if _given(spec.attest):
            native["attest"] = _each(spec.attest, _string)
        if spec.pull is not None:
            native["pull"] = spec.pull
        if spec.no_cache is not None:
            native["no-cache"] = spec.no_cache
        if _given(spec.no_cache_filter):
            native["no-cache-filter"] = _each(spec.no_cache_filter, _name_of)
        if spec.network is not None:
            native["network"] = spec.network
        if spec.shm_size is not None:
            native["shm-size"] = spec.shm_size
        if _given(spec.ulimits):
            native["ulimits"] = _each(spec.ulimits, _string)
        if spec.call is not None:
            native["call"] = spec.call
        if _given(spec.entitlements):
            native["entitlements"] = _each(spec.entitlements, str)
        if _given(spec.extra_hosts):
            native["extra-hosts"] = _sorted_map(spec.extra_hosts)
        return native


def _among(target: Target, visiting: tuple[Target, ...]) -> bool:
    """Whether ``target`` is one of ``visiting`` (the same object, not an equal one)."""
    return any(seen is target for seen in visiting)


def _given(value: object) -> bool:
    """Whether a list or map attribute holds something (an expression always does, even an
    empty one: ``""`` is the one falsy value that counts; None, ``[]`` and ``{}`` do not)."""
    return bool(value) or value == ""


def lower_variable(variable: Variable) -> dict[str, Any]:
    """A Variable as a native ``variable`` block."""
    spec = variable.spec
    block: dict[str, Any] = {}
    if spec.type is not None:
        block["type"] = spec.type
    if "default" in spec.model_fields_set:
        block["default"] = spec.default
    if spec.description is not None:
        block["description"] = spec.description
    if spec.validation:
        block["validation"] = [
            {"condition": v.condition, "error_message": v.error_message} for v in spec.validation
        ]
    return block


def lower_function(function: Function) -> dict[str, Any]:
    """A Function as a native ``function`` block."""
    block: dict[str, Any] = {"params": list(function.spec.params)}
    if function.spec.variadic_params is not None:
        block["variadic_params"] = function.spec.variadic_params
    block["result"] = function.spec.result
    return block


def lower_group(group: Group) -> dict[str, Any]:
    """A Group as a native ``group`` block."""
    block: dict[str, Any] = {}
    if group.spec.description is not None:
        block["description"] = group.spec.description
    block["targets"] = _each(group.spec.targets, _name_of)
    return block


def lower_project(
    project: Project, out_dir: Path, render_dockerfile: Callable[[Dockerfile], str]
) -> NativeBake:
    """The bake part of ``project`` in native form, as it reads from a bake file in ``out_dir``."""
    lowering = _Lowering(project, out_dir, render_dockerfile)
    native = NativeBake()
    for resource, folder in project.placed():  # targets first: most resources are
        if isinstance(resource, Target):
            native.targets[resource.name] = lowering.lower_target(resource, folder)
            native.sources[("target", resource.name)] = resource
        elif isinstance(resource, Group):
            native.groups[resource.name] = lower_group(resource)
            native.sources[("group", resource.name)] = resource
        elif isinstance(resource, Variable):
            native.variables[resource.name] = lower_variable(resource)
            native.sources[("variable", resource.name)] = resource
        elif isinstance(resource, Function):
            native.functions[resource.name] = lower_function(resource)
            native.sources[("function", resource.name)] = resource
        elif isinstance(resource, Attribute):
            native.attributes[resource.name] = resource.spec.value
            native.sources[("attribute", resource.name)] = resource
    return native
