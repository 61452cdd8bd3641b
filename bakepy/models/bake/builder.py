"""A buildx builder as a resource: which driver, where, with which options and platforms.

``bakepy apply`` creates a declared builder, replaces it when its settings changed, or leaves
it alone; a Target names the builder it runs on.
"""

import re
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from bakepy.models.bake.values import Platform
from bakepy.models.base import KebabModel, empty_list
from bakepy.models.resource import Metadata, Resource

_BUILDER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


class BuilderSpec(KebabModel):
    """``docker buildx create`` settings of one builder (one node)."""

    model_config = ConfigDict(defer_build=True)  # built when a Builder is first declared

    driver: Literal["docker", "docker-container", "kubernetes", "remote"] = Field(
        default="docker-container", description="BuildKit driver."
    )
    endpoint: str | None = Field(
        default=None,
        description="Docker context or endpoint for docker/docker-container/kubernetes; the "
        "BuildKit address (tcp://, unix://) for remote.",
    )
    driver_opts: dict[str, str] = Field(
        default_factory=dict,
        description="Driver options (`--driver-opt`), e.g. image, network, namespace, replicas.",
    )
    platforms: list[Platform] = Field(
        default_factory=empty_list, description="Platforms this builder is fixed to (`--platform`)."
    )
    buildkitd_flags: str | None = Field(
        default=None, description="Flags for the BuildKit daemon (`--buildkitd-flags`)."
    )
    buildkitd_config: str | None = Field(
        default=None, description="BuildKit daemon config file (`--buildkitd-config`)."
    )

    @field_validator(
        "driver_opts", mode="before", json_schema_input_type=dict[str, str | int | float | bool]
    )
    @classmethod
    def _strings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _driver_rules(self) -> Self:
        if self.driver == "remote" and not self.endpoint:
            raise ValueError("a remote builder needs an endpoint (tcp://host:port or unix://...)")
        if self.driver == "docker" and (self.driver_opts or self.platforms):
            raise ValueError("the docker driver takes no driver options or fixed platforms")
        return self


class Builder(Resource):
    """A buildx builder (``kind: Builder``)."""

    model_config = ConfigDict(defer_build=True)  # a Target may name one: imported, not built

    KIND: ClassVar[str] = "Builder"
    kind: Literal["Builder"] = Field(default="Builder", description="Resource kind.")
    spec: BuilderSpec = Field(default_factory=BuilderSpec, description="Driver and options.")

    if TYPE_CHECKING:

        def __init__(
            self, *, metadata: Metadata | str, spec: BuilderSpec = ..., api_version: str = ...
        ) -> None:
            """The constructor as type checkers see it: ``metadata`` may be just the name."""

    @field_validator("metadata")
    @classmethod
    def _name(cls, value: Any) -> Any:
        if not _BUILDER_NAME.match(value.name):
            raise ValueError(f"builder name {value.name!r} is not valid for buildx")
        return value
