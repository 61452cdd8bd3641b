"""buildx bake as typed resources: Target, Group, Variable and Function.

Field names are bake's own (``cache-from``, ``no-cache-filter``); Python spells them in
snake_case. References between resources are objects (or ``Kind/name`` strings in YAML), never
loose names, and are checked when the project is resolved.
"""

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, Union

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Tag,
    field_validator,
    model_validator,
)

from bakepy.models.bake.builder import Builder
from bakepy.models.bake.contexts import BuildContext, BuildContextValue, TargetContext
from bakepy.models.bake.values import (
    SSH,
    Annotation,
    AsWritten,
    Attest,
    Cache,
    ItemOf,
    ListOf,
    MapOf,
    Output,
    Platform,
    ScalarOf,
    Secret,
    TemplateBranch,
    Ulimit,
    is_template,
)
from bakepy.models.base import BakepyModel, KebabModel, empty_list
from bakepy.models.dockerfile.instructions import Dockerfile, Stage
from bakepy.models.on_demand import OnDemand
from bakepy.models.resource import Metadata, Resource, ResourceRef

BAKE_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
HCL_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _check_bake_name(name: str) -> str:
    if not BAKE_NAME.match(name):
        raise ValueError(f'invalid name {name!r}: only "[a-zA-Z0-9_-]+" is allowed, as in bake')
    return name


def _resource_name(value: object) -> object:
    """Serialize a referenced resource by name; strings are already names."""
    return value.metadata.name if isinstance(value, Resource) else value


def _stage_or_name(value: object) -> object:
    return value.name if isinstance(value, Stage) else value


def _strip_kind(*prefixes: str) -> Any:
    """Accept ``Target/name`` (``Group/name`` in a group) in YAML for a reference by name
    (kubectl's kind/name)."""

    kinds = tuple(prefix + "/" for prefix in prefixes)

    def strip(value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith(kinds):  # one test for most names, which have no kind
                for kind in kinds:
                    if value.startswith(kind):
                        return value[len(kind) :]
            return value
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip


_WHOLE_INTERPOLATION = re.compile(r"^\$\{(?P<body>.*)\}$", re.S)


def is_expression(value: object) -> bool:
    """Whether ``value`` is one ``${...}`` interpolation and nothing else: an HCL expression
    whose value may be of any type (a list, a map, a bool), as ``platforms = PLATFORMS`` is."""
    if not isinstance(value, str):
        return False
    match = _WHOLE_INTERPOLATION.match(value)
    if match is None:
        return False
    depth = 0
    for index, char in enumerate(value[2:-1]):  # the braces must pair inside the body
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
        del index
    return depth == 0


def _as_list(value: Any) -> Any:
    """Let a single value stand for a one-element list, as buildx accepts for strings; a whole
    expression (``${PLATFORMS}``) stays one: its value is the list."""
    if type(value) is list:  # most values: no expression test, no ``model_fields`` lookup
        return value
    if is_expression(value):
        return value
    return [value] if isinstance(value, str | dict) or hasattr(value, "model_fields") else value


def _stringify_map(value: Any) -> Any:
    """Build args and labels are strings; numbers and booleans are written as bake prints them."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            out[key] = "true" if item else "false"
        elif isinstance(item, int | float):
            out[key] = str(item)
        else:
            out[key] = item
    return out


TargetRef = Annotated[
    Union["Target", str],
    BeforeValidator(_strip_kind("Target")),
    PlainSerializer(_resource_name, return_type=str),
]
GroupMember = Annotated[
    Union["Target", "Group", str],
    BeforeValidator(_strip_kind("Target", "Group")),
    PlainSerializer(_resource_name, return_type=str),
]
StageName = Annotated[Stage | str, OnDemand(), PlainSerializer(_stage_or_name, return_type=str)]
TargetRefList = Annotated[
    Annotated[list[TargetRef], Tag("List")] | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[str] | str),
]
"""Targets or their names, or one expression yielding the names."""
GroupMemberList = Annotated[
    Annotated[list[GroupMember], Tag("List")] | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[str] | str),
]
"""Members of a group, or one expression yielding their names."""
ContextMap = Annotated[Annotated[dict[str, BuildContextValue], Tag("Map")] | TemplateBranch, MapOf]
"""Named contexts, or one expression yielding the map (``cond ? {...} : null``)."""


def _dockerfile_ref(value: Any) -> Any:
    return ResourceRef.parse(value, "Dockerfile")


def _dockerfile_serialized(value: object) -> object:
    if isinstance(value, Dockerfile):
        return f"Dockerfile/{value.name}"
    if isinstance(value, ResourceRef):
        return str(value)
    return value


DockerfileRef = Annotated[
    Dockerfile | ResourceRef | str,
    OnDemand(),  # the Dockerfile models are built when a manifest writes one inline, not here
    BeforeValidator(_dockerfile_ref),
    PlainSerializer(_dockerfile_serialized, return_type=str),
]
"""A Dockerfile resource (object or ``Dockerfile/name``), or a path / inline text."""
BuilderRef = Annotated[
    Builder | str,
    OnDemand(),
    BeforeValidator(_strip_kind("Builder")),
    PlainSerializer(_resource_name, return_type=str),
]
"""A Builder resource, or the name of a builder that exists outside the project."""
StringMap = Annotated[
    dict[str, str | None],
    BeforeValidator(
        _stringify_map, json_schema_input_type=dict[str, str | int | float | bool | None]
    ),
]
AnnotationList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[Annotation, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Annotation] | Annotation),
]
"""A list of Annotation values (each may be a template), or one expression yielding the list."""
AttestList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[Attest, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Attest] | Attest),
]
"""A list of Attest values (each may be a template), or one expression yielding the list."""
CacheList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[Cache, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Cache] | Cache),
]
"""A list of Cache values (each may be a template), or one expression yielding the list."""
SecretList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[Secret, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Secret] | Secret),
]
"""A list of Secret values (each may be a template), or one expression yielding the list."""
SSHList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[SSH, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[SSH] | SSH),
]
"""A list of SSH values (each may be a template), or one expression yielding the list."""
PlatformList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[Platform, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Platform] | Platform),
]
"""A list of Platform values (each may be a template), or one expression yielding the list."""
OutputList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[Output, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Output] | Output),
]
"""A list of Output values (each may be a template), or one expression yielding the list."""
UlimitList = Annotated[
    Annotated[
        list[Annotated[TemplateBranch | Annotated[Ulimit, AsWritten, Tag("Value")], ItemOf]],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Ulimit] | Ulimit),
]
"""A list of Ulimit values (each may be a template), or one expression yielding the list."""
StringList = Annotated[
    Annotated[list[str], Tag("List")] | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[str] | str),
]
"""A list of strings (templates among them), or one expression yielding the list."""
StageNameList = Annotated[
    Annotated[list[StageName], Tag("List")] | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[str] | str),
]
"""Stage objects or names, or one expression yielding the list."""
Entitlement = Literal["network.host", "security.insecure"]
"""A privilege a build may ask for."""
EntitlementList = Annotated[
    Annotated[
        list[
            Annotated[
                TemplateBranch | Annotated[Entitlement, Tag("Value")],
                ItemOf,
            ]
        ],
        Tag("List"),
    ]
    | TemplateBranch,
    ListOf,
    BeforeValidator(_as_list, json_schema_input_type=list[Entitlement | str] | Entitlement | str),
]
"""Privileges, or one expression yielding the list."""
Flag = Annotated[Annotated[bool, Tag("Value")] | TemplateBranch, ScalarOf]
"""A boolean attribute, or an expression (``"${NOCACHE}"``)."""
Network = Annotated[
    Annotated[Literal["default", "host", "none"], Tag("Value")] | TemplateBranch, ScalarOf
]
"""A network mode, or an expression."""
Call = Annotated[
    Annotated[Literal["build", "check", "outline", "targets"], Tag("Value")] | TemplateBranch,
    ScalarOf,
]
"""A frontend method, or an expression."""
ArgsMap = Annotated[Annotated[StringMap, Tag("Map")] | TemplateBranch, MapOf]
"""Build args or labels, or one expression yielding the map (``merge(COMMON, {...})``)."""
HostMap = Annotated[Annotated[dict[str, str], Tag("Map")] | TemplateBranch, MapOf]
"""Extra hosts, or one expression yielding the map."""
MatrixMap = Annotated[Annotated[dict[str, list[Any] | str], Tag("Map")] | TemplateBranch, MapOf]
"""Matrix axes (each a list or an expression yielding one), or one expression."""


class TargetSpec(KebabModel):
    """Every attribute of a bake ``target`` block, typed."""

    model_config = ConfigDict(defer_build=True)  # built once Target exists (end of this module)

    description: str | None = Field(default=None, description="Human description of the target.")
    inherits: TargetRefList = Field(
        default_factory=empty_list,
        description="Targets whose attributes this one starts from (or one expression).",
    )
    context: str | None = Field(
        default=None,
        description="Build context: a folder (relative to the definition file) or a URL.",
    )
    contexts: ContextMap = Field(
        default_factory=dict,
        description="Named contexts: folders, git/HTTP URLs, docker-image://, oci-layout:// "
        "or another Target.",
    )
    dockerfile: DockerfileRef | None = Field(
        default=None,
        description="Dockerfile path (relative to the context) or a Dockerfile resource, "
        "rendered beside the bake file.",
    )
    dockerfile_inline: DockerfileRef | None = Field(
        default=None,
        description="Dockerfile text, or a Dockerfile resource rendered inline.",
    )
    args: ArgsMap = Field(
        default_factory=dict, description="Build args; null keeps the Dockerfile default."
    )
    labels: ArgsMap = Field(
        default_factory=dict, description="Image labels; null keeps the Dockerfile value."
    )
    annotations: AnnotationList = Field(
        default_factory=empty_list, description="OCI annotations with optional levels."
    )
    attest: AttestList = Field(
        default_factory=empty_list, description="Attestations: SBOM, provenance."
    )
    tags: StringList | None = Field(default=None, description="Image names and tags.")
    cache_from: CacheList = Field(default_factory=empty_list, description="Cache sources.")
    cache_to: CacheList | None = Field(default=None, description="Cache destinations.")
    target: StageName | None = Field(
        default=None, description="Stage to build: a Stage object or its name."
    )
    secret: SecretList = Field(
        default_factory=empty_list, description="Build secrets, as references (file or env)."
    )
    ssh: SSHList = Field(default_factory=empty_list, description="SSH agent sockets or keys.")
    platforms: PlatformList | None = Field(
        default=None, description="Target platforms, e.g. linux/amd64, linux/arm64."
    )
    output: OutputList | None = Field(
        default=None, description="Exporters: registry, local, oci, docker, tar, image."
    )
    pull: Flag | None = Field(default=None, description="Always pull base images.")
    no_cache: Flag | None = Field(default=None, description="Build without cache.")
    network: Network | None = Field(default=None, description="Network mode for RUN steps.")
    no_cache_filter: StageNameList = Field(
        default_factory=empty_list, description="Stages to build without cache."
    )
    shm_size: str | None = Field(default=None, description="Size of /dev/shm, e.g. 128m.")
    ulimits: UlimitList = Field(
        default_factory=empty_list, description="Resource limits for RUN containers."
    )
    call: Call | None = Field(
        default=None, description="Frontend method: build, check, outline or targets."
    )
    entitlements: EntitlementList = Field(
        default_factory=empty_list, description="Privileges the build needs."
    )
    extra_hosts: HostMap = Field(
        default_factory=dict, description="Extra /etc/hosts entries, host to IP."
    )
    builder: BuilderRef | None = Field(
        default=None,
        description="bakepy only (not a bake attribute): the Builder this target runs on when "
        "`bakepy apply` builds it; default: the current buildx builder.",
    )
    matrix: MatrixMap | None = Field(
        default=None,
        description="Fork the target over the cartesian product of these lists.",
    )
    name: str | None = Field(
        default=None, description="Name template of each matrix variant, e.g. app-${tgt}."
    )

    @field_validator("shm_size")
    @classmethod
    def _size(cls, value: str | None) -> str | None:
        if (
            value is not None
            and not is_template(value)
            and not re.fullmatch(r"\d+(\.\d+)?[bkmgBKMG]?[bB]?", value)
        ):
            raise ValueError(f"shm-size {value!r} must be a size such as 128m or 1g")
        return value

    @property
    def parents(self) -> list["Target | str"]:
        """The inherited targets as written (none known while ``inherits`` is an expression)."""
        return [] if isinstance(self.inherits, str) else list(self.inherits)

    @property
    def named_contexts(self) -> dict[str, BuildContext]:
        """The named contexts (none known while ``contexts`` is an expression)."""
        return {} if isinstance(self.contexts, str) else dict(self.contexts)

    @model_validator(mode="after")
    def _matrix_rules(self) -> Self:
        if self.name is not None and self.matrix is None:
            raise ValueError("name requires matrix")
        return self


class Target(Resource):
    """A bake target (``kind: Target``): one image or artifact to build.

    Example::

        app = Target(metadata="app", spec=TargetSpec(context=".", tags=["app:latest"]))
    """

    model_config = ConfigDict(defer_build=True)  # built after TargetSpec (end of this module)

    KIND: ClassVar[str] = "Target"
    kind: Literal["Target"] = Field(default="Target", description="Resource kind.")
    spec: TargetSpec = Field(default_factory=TargetSpec, description="Bake target attributes.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: TargetSpec = ..., api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @field_validator("metadata")
    @classmethod
    def _name(cls, value: Any) -> Any:
        _check_bake_name(value.name)
        return value

    def references(self) -> list[Resource]:
        """Inherited targets, ``target:`` contexts, Dockerfiles and the Builder, as objects.
        The spec's fields are read as they are (``parents``/``named_contexts`` copy them), a
        name told as a str before isinstance of a pydantic class (an ABC's slower test): a
        project asks every target this as it adds it."""
        spec = self.spec
        inherits = spec.inherits
        found: list[Resource] = (
            []
            if isinstance(inherits, str)
            else [p for p in inherits if not isinstance(p, str) and isinstance(p, Resource)]
        )
        contexts = spec.contexts
        if contexts and not isinstance(contexts, str):  # most targets have none
            found += [
                c.target
                for c in contexts.values()
                if isinstance(c, TargetContext) and isinstance(c.target, Resource)
            ]
        for dockerfile in (spec.dockerfile, spec.dockerfile_inline):
            if (
                dockerfile is not None
                and not isinstance(dockerfile, str)
                and isinstance(dockerfile, Resource)
            ):
                found.append(dockerfile)
        builder = spec.builder
        if builder is not None and not isinstance(builder, str) and isinstance(builder, Resource):
            found.append(builder)
        return found


class GroupSpec(KebabModel):
    """A bake ``group`` block: targets (or groups) built together."""

    model_config = ConfigDict(defer_build=True)  # built once Group exists (end of this module)

    targets: GroupMemberList = Field(
        description="Targets or groups in this group (or one expression yielding their names)."
    )
    description: str | None = Field(default=None, description="Human description of the group.")

    @property
    def members(self) -> list["Target | Group | str"]:
        """The members as written (none known while ``targets`` is an expression)."""
        return [] if isinstance(self.targets, str) else list(self.targets)


class Group(Resource):
    """A bake group (``kind: Group``)."""

    model_config = ConfigDict(defer_build=True)  # built after GroupSpec (end of this module)

    KIND: ClassVar[str] = "Group"
    kind: Literal["Group"] = Field(default="Group", description="Resource kind.")
    spec: GroupSpec = Field(description="Members of the group.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: GroupSpec, api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @field_validator("metadata")
    @classmethod
    def _name(cls, value: Any) -> Any:
        _check_bake_name(value.name)
        return value

    def references(self) -> list[Resource]:
        """Member targets and groups held as objects (a name told as a str first)."""
        targets = self.spec.targets
        if isinstance(targets, str):
            return []
        return [m for m in targets if not isinstance(m, str) and isinstance(m, Resource)]


class VariableValidation(BakepyModel):
    """A ``validation`` block: a condition over variables and the error shown when it fails."""

    condition: str = Field(description='HCL expression that must be true, e.g. TAG != "".')
    error_message: str = Field(description="Message shown when the condition is false.")


class VariableSpec(KebabModel):
    """A bake ``variable`` block: a value that the environment can override."""

    default: Any = Field(default=None, description="Default value (string, number, bool or list).")
    description: str | None = Field(default=None, description="What the variable is for.")
    type: str | None = Field(
        default=None, description="Type constraint: string, number, bool, list(string), ..."
    )
    validation: list[VariableValidation] = Field(
        default_factory=empty_list, description="Conditions the final value must meet."
    )

    @field_validator("type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(
            r"(string|number|bool|any|(list|set|map)\((string|number|bool|any)\))", value
        ):
            raise ValueError(
                f"type {value!r} must be string, number, bool, any or list/set/map(<primitive>)"
            )
        return value


class Variable(Resource):
    """A bake variable (``kind: Variable``); the environment variable of the same name overrides."""

    KIND: ClassVar[str] = "Variable"
    kind: Literal["Variable"] = Field(default="Variable", description="Resource kind.")
    spec: VariableSpec = Field(default_factory=VariableSpec, description="Default and checks.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: VariableSpec = ..., api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @field_validator("metadata")
    @classmethod
    def _name(cls, value: Any) -> Any:
        if not HCL_IDENTIFIER.match(value.name):
            raise ValueError(f"variable name {value.name!r} is not an HCL identifier")
        return value


class FunctionSpec(BakepyModel):
    """A bake ``function`` block: parameters and a result expression."""

    model_config = ConfigDict(defer_build=True)  # built when a bake file first declares one

    params: list[str] = Field(default_factory=empty_list, description="Parameter names.")
    variadic_params: str | None = Field(
        default=None, description="Name of a list parameter taking the remaining arguments."
    )
    result: Any = Field(
        description="HCL expression or template computing the result; a list or object of "
        "them where the result is one (result = [...])."
    )

    @field_validator("params")
    @classmethod
    def _identifiers(cls, value: list[str]) -> list[str]:
        for param in value:
            if not HCL_IDENTIFIER.match(param):
                raise ValueError(f"parameter {param!r} is not an HCL identifier")
        return value


class Function(Resource):
    """A bake user function (``kind: Function``)."""

    model_config = ConfigDict(defer_build=True)  # built when a bake file first declares one

    KIND: ClassVar[str] = "Function"
    kind: Literal["Function"] = Field(default="Function", description="Resource kind.")
    spec: FunctionSpec = Field(description="Parameters and result.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: FunctionSpec, api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @field_validator("metadata")
    @classmethod
    def _name(cls, value: Any) -> Any:
        if not HCL_IDENTIFIER.match(value.name):
            raise ValueError(f"function name {value.name!r} is not an HCL identifier")
        return value


class AttributeSpec(BakepyModel):
    """A global-scope attribute's value."""

    model_config = ConfigDict(defer_build=True)  # built when a bake file first declares one

    value: Any = Field(
        description="The value: a string template, a number, a bool, a list or an object, "
        'or an HCL expression (``${split(".", VERSION)}``).'
    )


class Attribute(Resource):
    """A global-scope attribute of a bake file (``kind: Attribute``): ``REGISTRY = "..."``
    written at the top level, a constant that expressions read by name. Unlike a Variable,
    the environment never overrides it, and it wins over a Variable of the same name."""

    model_config = ConfigDict(defer_build=True)  # built when a bake file first declares one

    KIND: ClassVar[str] = "Attribute"
    kind: Literal["Attribute"] = Field(default="Attribute", description="Resource kind.")
    spec: AttributeSpec = Field(description="The value.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: AttributeSpec, api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @field_validator("metadata")
    @classmethod
    def _name(cls, value: Any) -> Any:
        if not HCL_IDENTIFIER.match(value.name):
            raise ValueError(f"attribute name {value.name!r} is not an HCL identifier")
        return value


# TargetSpec and Target (GroupSpec and Group) refer to each other. Each is built once, here: the
# spec first, holding the resource it refers to inline, then the resource, reusing the spec's
# validator. Built as the classes are declared, the spec failed (no Target yet), the resource
# built the whole spec inline, and the spec's rebuild built it again (~10 ms of every command).
for _model in (TargetSpec, Target, GroupSpec, Group):
    _model.model_rebuild()
TargetContext.model_rebuild(_types_namespace={"Target": Target})
