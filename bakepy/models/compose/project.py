"""Compose projects and swarm stacks as typed resources.

A ``ComposeProject`` renders to a compose file (``docker compose``); a ``Stack`` deploys the
same project on swarm and renders the stricter file ``docker stack deploy`` accepts. A compose
secret is a reference (a file or an environment variable), never a value.
"""

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    WrapSerializer,
    field_validator,
    model_validator,
)

from bakepy.models.base import BakepyModel, ShortSyntax, empty_list
from bakepy.models.compose.base import (
    BoolOrVariable,
    ComposeModel,
    LabelMap,
    StringList,
    as_list,
    check_names,
)
from bakepy.models.compose.service import Service
from bakepy.models.resource import Metadata, Resource, ResourceRef

PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
STACK_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


def _string_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): str(v) if isinstance(v, int | float) else v for k, v in value.items()}
    return value


DriverOpts = Annotated[dict[str, str], BeforeValidator(_string_values)]


class IpamConfig(ComposeModel):
    """One address pool of a network."""

    subnet: str | None = Field(default=None, description="Subnet in CIDR form, e.g. 10.5.0.0/24.")
    ip_range: str | None = Field(default=None, description="Range containers get addresses from.")
    gateway: str | None = Field(default=None, description="Gateway address.")
    aux_addresses: dict[str, str] = Field(
        default_factory=dict, description="Addresses reserved for other hosts."
    )


class Ipam(ComposeModel):
    """IP address management of a network."""

    driver: str | None = Field(default=None, description="IPAM driver (default).")
    config: list[IpamConfig] = Field(default_factory=empty_list, description="Address pools.")
    options: dict[str, str] = Field(default_factory=dict, description="Driver options.")


def _external_conflicts(entity: BakepyModel, refused: tuple[str, ...]) -> None:
    """An external object is only referenced: compose refuses the attributes that would
    create it (for volumes: driver, driver_opts, labels; it accepts them on networks)."""
    if getattr(entity, "external", None):
        for key in refused:
            if key in entity.model_fields_set and getattr(entity, key):
                raise ValueError(f'conflicting parameters "external" and "{key}" specified')


class ComposeNetwork(ComposeModel):
    """A top-level network."""

    name: str | None = Field(default=None, description="Engine-side name; default <project>_<key>.")
    driver: str | None = Field(
        default=None, description="bridge (compose's default) or overlay (swarm's default)."
    )
    driver_opts: DriverOpts = Field(default_factory=dict, description="Driver options.")
    attachable: BoolOrVariable | None = Field(
        default=None, description="Let standalone containers join an overlay network."
    )
    enable_ipv4: BoolOrVariable | None = Field(
        default=None, description="Enable IPv4 (compose; false makes an IPv6-only network)."
    )
    enable_ipv6: BoolOrVariable | None = Field(default=None, description="Enable IPv6 (compose).")
    external: bool | None = Field(
        default=None, description="The network exists already; it is neither created nor removed."
    )
    internal: BoolOrVariable | None = Field(default=None, description="No route to the outside.")
    ipam: Ipam | None = Field(default=None, description="Address management.")
    labels: LabelMap = Field(default_factory=dict, description="Network labels.")

    @classmethod
    def overlay(cls, *, encrypted: bool = False, **fields: Any) -> "ComposeNetwork":
        """A swarm overlay network; ``encrypted`` turns on IPsec between nodes."""
        opts = dict(fields.pop("driver_opts", None) or {})
        if encrypted:
            opts["encrypted"] = ""
        return cls(driver="overlay", driver_opts=opts, **fields)

    @property
    def encrypted(self) -> bool:
        """Whether the overlay traffic is encrypted (``driver_opts.encrypted``)."""
        return "encrypted" in self.driver_opts


class ComposeVolume(ComposeModel):
    """A top-level named volume."""

    name: str | None = Field(default=None, description="Engine-side name; default <project>_<key>.")
    driver: str | None = Field(default=None, description="Volume driver (local).")
    driver_opts: DriverOpts = Field(default_factory=dict, description="Driver options.")
    external: bool | None = Field(
        default=None, description="The volume exists already; it is neither created nor removed."
    )
    labels: LabelMap = Field(default_factory=dict, description="Volume labels.")

    @model_validator(mode="after")
    def _external(self) -> Self:
        _external_conflicts(self, ("driver", "driver_opts", "labels"))
        return self


_VALUE_KEYS = ("value", "data", "content")


def _one_of(entity: BakepyModel, sources: tuple[str, ...]) -> None:
    """Exactly one of ``sources`` set, as compose wants of a secret or config not external."""
    given = [s for s in sources if getattr(entity, s) is not None]
    spelled = "|".join(sources)
    if not given:
        raise ValueError(f"one of {spelled} must be set")
    if len(given) > 1:
        raise ValueError(f"{spelled} attributes are mutually exclusive")


class ComposeSecret(ComposeModel):
    """A top-level secret: a reference to a file or an environment variable, never a value."""

    file: str | None = Field(
        default=None, description="File holding the value, relative to the definition file."
    )
    environment: str | None = Field(
        default=None, description="Environment variable holding the value (compose only)."
    )
    external: bool | None = Field(default=None, description="The secret exists already (swarm).")
    name: str | None = Field(default=None, description="Engine-side name; default <project>_<key>.")
    labels: LabelMap = Field(default_factory=dict, description="Secret labels (swarm).")
    driver: str | None = Field(default=None, description="Secret driver (swarm).")
    driver_opts: DriverOpts = Field(default_factory=dict, description="Driver options (swarm).")
    template_driver: str | None = Field(default=None, description="Template driver (swarm).")

    @model_validator(mode="before")
    @classmethod
    def _no_values(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for forbidden in _VALUE_KEYS:
                if forbidden in data:
                    raise ValueError(
                        "a compose secret takes a reference (file or environment), "
                        f"never a {forbidden}"
                    )
        return data

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if not self.external and self.driver is None:
            _one_of(self, ("file", "environment"))
        return self


class ComposeConfig(ComposeModel):
    """A top-level config: a file, an environment variable, or inline content."""

    file: str | None = Field(
        default=None, description="File with the content, relative to the definition file."
    )
    environment: str | None = Field(
        default=None, description="Environment variable with the content (compose only)."
    )
    content: str | None = Field(
        default=None, description="Inline content (compose interpolates it: write $$ for $)."
    )
    external: bool | None = Field(default=None, description="The config exists already (swarm).")
    name: str | None = Field(default=None, description="Engine-side name; default <project>_<key>.")
    labels: LabelMap = Field(default_factory=dict, description="Config labels (swarm).")
    template_driver: str | None = Field(default=None, description="Template driver (swarm).")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if not self.external:
            _one_of(self, ("file", "environment", "content"))
        return self


class ComposeInclude(ShortSyntax):
    """Another compose file whose services join this project."""

    path: StringList = Field(description="Compose file(s), relative to the definition file.")
    env_file: StringList = Field(default_factory=empty_list, description="Env files for them.")
    project_directory: str | None = Field(
        default=None, description="Folder their relative paths resolve against."
    )

    @model_validator(mode="before")
    @classmethod
    def _short(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value


def _none_is_empty(value: Any) -> Any:
    """``networks: {backend: }`` (null) declares a network with every default."""
    if isinstance(value, dict):
        return {k: ({} if v is None else v) for k, v in value.items()}
    return value


class ComposeProjectSpec(ComposeModel):
    """A compose file: services and the networks, volumes, configs and secrets they use."""

    name: str | None = Field(
        default=None, description="Compose project name; default metadata.name."
    )
    services: dict[str, Service] = Field(
        default_factory=dict, description="Services, in the order they are rendered."
    )
    networks: Annotated[
        dict[str, ComposeNetwork],
        BeforeValidator(_none_is_empty, json_schema_input_type=dict[str, ComposeNetwork | None]),
    ] = Field(default_factory=dict, description="Networks.")
    volumes: Annotated[
        dict[str, ComposeVolume],
        BeforeValidator(_none_is_empty, json_schema_input_type=dict[str, ComposeVolume | None]),
    ] = Field(default_factory=dict, description="Named volumes.")
    configs: dict[str, ComposeConfig] = Field(default_factory=dict, description="Configs.")
    secrets: dict[str, ComposeSecret] = Field(
        default_factory=dict, description="Secrets (references to files or variables)."
    )
    include: Annotated[
        list[ComposeInclude],
        BeforeValidator(as_list, json_schema_input_type=list[ComposeInclude | str] | str),
    ] = Field(default_factory=empty_list, description="Other compose files to include.")

    @model_validator(mode="before")
    @classmethod
    def _no_version(cls, data: Any) -> Any:
        if isinstance(data, dict) and "version" in data:
            raise ValueError("`version` is obsolete (compose ignores it); remove it")
        return data

    @field_validator("name")
    @classmethod
    def _project_name(cls, value: str | None) -> str | None:
        if value is not None and not PROJECT_NAME.match(value):
            raise ValueError(
                f"project name {value!r} must be lowercase letters, digits, '_' and '-'"
            )
        return value

    @field_validator("services", "networks", "volumes", "configs", "secrets")
    @classmethod
    def _keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_names(value, "object")


class ComposeProject(Resource):
    """A compose project (``kind: ComposeProject``), rendered to compose.yaml.

    Example::

        web = ComposeProject(metadata="web", spec=ComposeProjectSpec(services={
            "app": Service(image="nginx", ports=["8080:80"])}))
    """

    KIND: ClassVar[str] = "ComposeProject"
    kind: Literal["ComposeProject"] = Field(default="ComposeProject", description="Resource kind.")
    spec: ComposeProjectSpec = Field(
        default_factory=ComposeProjectSpec, description="The compose file's content."
    )

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            metadata: Metadata | str,
            spec: ComposeProjectSpec = ...,
            api_version: str = ...,
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    _dotenv: str | None = PrivateAttr(default=None)
    _active_profiles: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def project_name(self) -> str:
        """The compose project name: ``spec.name`` or ``metadata.name``."""
        return self.spec.name or self.metadata.name

    @property
    def dotenv(self) -> str | None:
        """The ``.env`` text a compose file was loaded with, if it had one: rendered beside
        the compose file so that compose reads the same variables there (for ``environment``
        keys without a value, env files, ``COMPOSE_PROFILES``). Never part of the spec."""
        return self._dotenv

    @property
    def active_profiles(self) -> frozenset[str]:
        """The profiles ``COMPOSE_PROFILES`` turned on where a compose file was loaded (``*``
        means all): compose checks only the services that run without ``--profile``."""
        return self._active_profiles

    def remember_loading(self, dotenv: str | None, active_profiles: frozenset[str]) -> None:
        """Remember the ``.env`` text and the active profiles of the folder this project was
        loaded from."""
        self._dotenv = dotenv
        self._active_profiles = active_profiles

    def runs_by_default(self, service: Service) -> bool:
        """Whether ``service`` runs without ``--profile`` flags (no profiles, or an active one)."""
        if not service.profiles or "*" in self._active_profiles:
            return True
        return any(profile in self._active_profiles for profile in service.profiles)

    @model_validator(mode="after")
    def _name(self) -> Self:
        if self.spec.name is None and not PROJECT_NAME.match(self.metadata.name):
            raise ValueError(
                f"{self.metadata.name!r} is not a compose project name (lowercase letters, "
                "digits, '_' and '-'); set spec.name"
            )
        return self

    def references(self) -> list[Resource]:
        """The Targets its services build from, held as objects."""
        return [s.build for s in self.spec.services.values() if isinstance(s.build, Resource)]


def _project_ref(value: Any) -> Any:
    """``ComposeProject/NAME`` becomes a reference; any other string is refused by name, since
    the schema's "mapping" would mislead (a bare name or another kind is the usual slip)."""
    parsed = ResourceRef.parse(value, "ComposeProject")
    if isinstance(parsed, str):
        name = parsed.rpartition("/")[2] or parsed
        raise ValueError(
            f"{parsed!r} is not a ComposeProject reference: write ComposeProject/{name}"
        )
    return parsed


def _project_serialized(value: Any, handler: SerializerFunctionWrapHandler) -> Any:
    if isinstance(value, ComposeProject):
        return value.ref
    if isinstance(value, ResourceRef):
        return str(value)
    return handler(value)


ProjectRef = Annotated[
    ComposeProject | ResourceRef,
    BeforeValidator(_project_ref, json_schema_input_type=str),
    WrapSerializer(_project_serialized),
]


class StackSpec(BakepyModel):
    """A swarm stack: a compose project deployed with ``docker stack deploy``."""

    model_config = ConfigDict(defer_build=True)  # built when a stack is first declared

    project: ProjectRef = Field(
        description="The ComposeProject to deploy (object, or ComposeProject/name in YAML)."
    )
    name: str | None = Field(
        default=None, description="Stack name (the stack file is <name>.stack.yaml)."
    )

    @field_validator("name")
    @classmethod
    def _stack_name(cls, value: str | None) -> str | None:
        if value is not None and not STACK_NAME.match(value):
            raise ValueError(f"stack name {value!r} must be letters, digits, '.', '_' and '-'")
        return value


class Stack(Resource):
    """A swarm stack (``kind: Stack``), rendered to <name>.stack.yaml.

    Example::

        Stack(metadata="web", spec=StackSpec(project=web))
    """

    model_config = ConfigDict(defer_build=True)  # built when a stack is first declared

    KIND: ClassVar[str] = "Stack"
    kind: Literal["Stack"] = Field(default="Stack", description="Resource kind.")
    spec: StackSpec = Field(description="The project to deploy.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: StackSpec, api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @model_validator(mode="after")
    def _name(self) -> Self:
        if self.spec.name is None and not STACK_NAME.match(self.metadata.name):
            raise ValueError(f"{self.metadata.name!r} is not a stack name; set spec.name")
        return self

    @property
    def stack_name(self) -> str:
        """The stack name: ``spec.name`` or ``metadata.name``."""
        return self.spec.name or self.metadata.name

    def references(self) -> list[Resource]:
        """The ComposeProject it deploys, when held as an object."""
        return [self.spec.project] if isinstance(self.spec.project, Resource) else []
