"""A service's ``build`` section, written out or taken from a bake Target.

One declaration can feed both files: ``build=app_target`` (``build: Target/app`` in YAML) makes
the compose build section follow the resolved target (context, Dockerfile, args, tags, ...).
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SerializerFunctionWrapHandler, WrapSerializer

from bakepy.models.bake.targets import Target
from bakepy.models.base import empty_list
from bakepy.models.compose.base import (
    BoolOrVariable,
    ByteSize,
    ComposeModel,
    EnvMap,
    LabelMap,
    StringList,
    Ulimits,
    as_list,
    is_templated,
    split_outside_variables,
)
from bakepy.models.compose.mounts import ServiceSecret
from bakepy.models.resource import ResourceRef


def _extra_hosts(value: Any) -> Any:
    """``["host=ip", "host:ip"]`` or ``{host: ip | [ip]}`` as a sorted mapping (a ``${VAR}``
    as a whole entry is kept as a host of that name, with no address, for lowering to write
    back as a list entry)."""
    if isinstance(value, list):
        hosts: dict[str, Any] = {}
        for entry in value:
            text = str(entry)
            parts = split_outside_variables(text, "=")
            separator = "="
            if len(parts) == 1:
                parts, separator = split_outside_variables(text, ":"), ":"
            if len(parts) == 1 and not is_templated(text):
                raise ValueError(f"extra host {text!r} must be host=address")
            host, address = parts[0], separator.join(parts[1:])
            previous = hosts.get(host)
            if previous is None:
                hosts[host] = address
            else:
                hosts[host] = [*as_list(previous), address]
        value = hosts
    if isinstance(value, dict):
        if "" in value:
            raise ValueError("bad host name ''")  # compose's words for ':1.2.3.4' too
        return dict(sorted(value.items()))
    return value


ExtraHosts = Annotated[
    dict[str, str | list[str]],
    BeforeValidator(_extra_hosts, json_schema_input_type=dict[str, str | list[str]] | list[str]),
]
"""Extra ``/etc/hosts`` entries: host name to one address or several."""


def _ssh_list(value: Any) -> Any:
    if isinstance(value, dict):
        return [f"{key}={path}" if path else str(key) for key, path in value.items()]
    return as_list(value)


class ComposeBuild(ComposeModel):
    """Every attribute of compose's ``build`` section."""

    context: str | None = Field(
        default=None, description="Build context: a folder (relative to the definition) or URL."
    )
    dockerfile: str | None = Field(
        default=None, description="Dockerfile path, relative to the context."
    )
    dockerfile_inline: str | None = Field(
        default=None, description="Dockerfile text (compose interpolates it: write $$ for $)."
    )
    args: EnvMap = Field(default_factory=dict, description="Build args; null takes the shell's.")
    ssh: Annotated[
        list[str],
        BeforeValidator(_ssh_list, json_schema_input_type=list[str] | dict[str, str | None]),
    ] = Field(
        default_factory=empty_list, description="SSH agent sockets or keys: default or id=path."
    )
    cache_from: StringList = Field(default_factory=empty_list, description="Cache sources.")
    cache_to: StringList = Field(default_factory=empty_list, description="Cache destinations.")
    additional_contexts: dict[str, str] = Field(
        default_factory=dict,
        description="Named contexts: folders, docker-image://, service:<name>, URLs.",
    )
    extra_hosts: ExtraHosts = Field(
        default_factory=dict, description="Extra /etc/hosts entries during the build."
    )
    isolation: str | None = Field(default=None, description="Isolation technology (Windows).")
    privileged: BoolOrVariable | None = Field(
        default=None, description="Build with extra privileges."
    )
    labels: LabelMap = Field(default_factory=dict, description="Image labels.")
    pull: BoolOrVariable | None = Field(default=None, description="Always pull base images.")
    network: str | None = Field(default=None, description="Network for RUN steps.")
    shm_size: ByteSize | None = Field(default=None, description="Size of /dev/shm for RUN steps.")
    target: str | None = Field(default=None, description="Dockerfile stage to build.")
    secrets: list[ServiceSecret] = Field(
        default_factory=empty_list, description="Top-level secrets the build may mount."
    )
    tags: StringList = Field(default_factory=empty_list, description="Extra image tags.")
    ulimits: Ulimits = Field(default_factory=dict, description="Limits for RUN steps.")
    platforms: StringList = Field(default_factory=empty_list, description="Target platforms.")
    no_cache: BoolOrVariable | None = Field(default=None, description="Build without cache.")
    entitlements: StringList = Field(
        default_factory=empty_list, description="Privileges the build needs (network.host, ...)."
    )


def _build_value(value: Any) -> Any:
    """``Target/name`` references a target; any other string is a context folder."""
    if isinstance(value, str):
        parsed = ResourceRef.parse(value, "Target")
        return parsed if isinstance(parsed, ResourceRef) else {"context": value}
    if isinstance(value, bool | int | float | list):
        raise ValueError(f"must be a string or a mapping, not {_noun(value)}")
    return value


def _noun(value: Any) -> str:
    """A value's form, in an error's words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    return "a list" if isinstance(value, list) else "a number"


def _build_serialized(value: Any, handler: SerializerFunctionWrapHandler) -> Any:
    if isinstance(value, Target):
        return f"Target/{value.name}"
    if isinstance(value, ResourceRef):
        return str(value)
    return handler(value)


ServiceBuild = Annotated[
    ComposeBuild | Target | ResourceRef,
    # the first that takes the value (a mapping, a Target, a ResourceRef can be only one of
    # them): smart mode would also try a mapping as a Target (and make its spec) each time
    Field(union_mode="left_to_right"),
    BeforeValidator(_build_value, json_schema_input_type=ComposeBuild | str),
    WrapSerializer(_build_serialized),
]
"""A build section, a bake Target (object or ``Target/name``), or a context folder."""
