"""The Kubernetes-style envelope every declared object shares: apiVersion, kind, metadata, spec."""

import re
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator
from pydantic_core import ValidationError as PydanticCoreValidationError

from bakepy.errors import Location
from bakepy.models.base import BakepyModel, SourceTracked
from bakepy.models.version import API_VERSION as API_VERSION

_NOT_IN_FILE_NAMES = re.compile(r"[/\\\x00-\x1f\x7f]")


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be one file name inside an output folder (a path separator, ``.``
    or ``..``, a control character), or None when it can."""
    if name in (".", ".."):
        return f"{name!r} names a folder"
    bad = _NOT_IN_FILE_NAMES.search(name)
    if bad is None:
        return None
    char = bad.group()
    return "it holds a path separator" if char in "/\\" else f"it holds the character {char!r}"


_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)


class Metadata(BakepyModel):
    """Identity of a resource: its name, and labels that selectors (``-l key=value``) match."""

    name: str = Field(description="Name of the resource, unique among resources of its kind.")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Key/value labels used by selectors (`-l team=payments`), as in Kubernetes.",
    )
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Free-form notes for tools and humans; never rendered."
    )

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("name must not be empty")
        return value

    @field_validator("labels")
    @classmethod
    def _label_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not _LABEL_KEY.match(key):
                raise ValueError(f"label key {key!r} is not a valid label key")
        return value


def _coerce_metadata(value: Any) -> Any:
    """Let Python users write ``metadata="name"`` for a resource with only a name."""
    return {"name": value} if isinstance(value, str) else value


MetadataField = Annotated[
    Metadata, BeforeValidator(_coerce_metadata, json_schema_input_type=Metadata | str)
]


class Resource(SourceTracked):
    """A declared object: ``apiVersion``, ``kind``, ``metadata`` and a kind-specific ``spec``."""

    KIND: ClassVar[str] = ""
    NAME_IS_FILE_NAME: ClassVar[bool] = False
    """Whether ``metadata.name`` becomes a rendered file's name (``NAME.Dockerfile``)."""

    api_version: str = Field(
        default=API_VERSION,
        alias="apiVersion",
        description=f"Schema version of the manifest; `{API_VERSION}`.",
    )
    metadata: MetadataField = Field(description="Name, labels and annotations of the resource.")

    @field_validator("api_version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if value != API_VERSION:
            raise ValueError(f"unsupported apiVersion {value!r}; expected {API_VERSION!r}")
        return value

    @field_validator("metadata")
    @classmethod
    def _name_is_a_file_name(cls, value: Metadata) -> Metadata:
        problem = file_name_problem(value.name) if cls.NAME_IS_FILE_NAME else None
        if problem is not None:
            message = (
                f"name {value.name!r} cannot be a file name ({problem}): a {cls.KIND} "
                "is rendered to a file named after it"
            )
            error = {"loc": ("name",), "input": value.name, "ctx": {"error": message}}
            raise PydanticCoreValidationError.from_exception_data(
                "Metadata",
                [{"type": "value_error", **error}],  # type: ignore[typeddict-item]
            )
        return value

    @property
    def name(self) -> str:
        """The resource's name (``metadata.name``)."""
        return self.metadata.name

    @property
    def ref(self) -> str:
        """``Kind/name``, the way messages and YAML references name a resource."""
        return f"{self.KIND}/{self.metadata.name}"

    def references(self) -> list["Resource"]:
        """Resources this one holds by object (a Target's parents, a Stack's project, ...)."""
        return []

    def location(self, *field_path: str | int) -> Location:
        """Where this resource (or one of its fields) was declared, for error messages."""
        source = self.source
        if source is None or source[0].startswith("<"):
            return Location(None, None, self.ref, field_path)
        return Location(Path(source[0]), self.line_of(field_path), self.ref, field_path)

    def __repr__(self) -> str:
        return f"<{self.ref}>"

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


class ResourceRef(BakepyModel):
    """A reference to another resource by kind and name, as YAML writes it (``Dockerfile/app``)."""

    kind: str = Field(description="Kind of the referenced resource.")
    name: str = Field(description="Name of the referenced resource.")

    @classmethod
    def parse(cls, value: Any, kind: str) -> Any:
        """``Kind/name`` strings become ResourceRef; anything else is returned unchanged."""
        if isinstance(value, str) and value.startswith(kind + "/"):
            return cls(kind=kind, name=value[len(kind) + 1 :])
        return value

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"
