"""Typed values for the attributes buildx takes as strings: platforms, secrets, outputs, ...

Each type accepts its native string form (``type=registry,ref=...``) and renders back to it
with ``to_string()``, the form every buildx from 0.13 on accepts. A value parsed from a string
renders back exactly as it was written (``linux/i386`` stays ``linux/i386``, ``.`` stays
``.``) unless one of its fields was changed since; what buildx prints is what the file says.
A string that holds an HCL template (``${...}``, ``%{...}``) is not parsed at all: the list
attributes keep it as the expression it is (``Template``), evaluated when the file is.
"""

import re
from abc import abstractmethod
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    field_validator,
    model_serializer,
    model_validator,
)

from bakepy.models.bake.csv_attrs import format_csv_attrs, parse_csv_attrs
from bakepy.models.base import ShortSyntax, empty_list

_OS = {
    "linux",
    "windows",
    "darwin",
    "freebsd",
    "netbsd",
    "openbsd",
    "solaris",
    "illumos",
    "android",
    "ios",
    "aix",
    "plan9",
    "dragonfly",
    "js",
    "wasip1",
}
_ARCH = {
    "amd64",
    "arm64",
    "arm",
    "386",
    "ppc64le",
    "ppc64",
    "s390x",
    "riscv64",
    "mips64le",
    "mips64",
    "mipsle",
    "mips",
    "loong64",
    "wasm",
}
_ARCH_ALIASES = {
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "armhf": "arm",
    "i386": "386",
    "armel": "arm",
}
_VARIANTS = {
    "arm": {"v5", "v6", "v7", "v8"},
    "arm64": {
        "v8",
        "v8.0",
        "v8.1",
        "v8.2",
        "v8.3",
        "v8.4",
        "v8.5",
        "v8.6",
        "v8.7",
        "v8.8",
        "v8.9",
        "v9",
        "v9.0",
        "v9.1",
        "v9.2",
        "v9.3",
        "v9.4",
        "v9.5",
    },
    "amd64": {"v1", "v2", "v3", "v4"},
    # Go's GOMIPS, GO386, GOPPC64 and GORISCV64 levels, which cross-compiling images (xx,
    # goxx) take as the platform's variant: linux/mips/softfloat, linux/386/sse2
    **{arch: {"hardfloat", "softfloat"} for arch in ("mips", "mipsle", "mips64", "mips64le")},
    "386": {"sse2", "softfloat"},
    **{arch: {"power8", "power9", "power10"} for arch in ("ppc64", "ppc64le")},
    "riscv64": {"rva20u64", "rva22u64"},
}


def _from_csv(value: Any, first_key: str | None = None) -> Any:
    """Turn a CSV string into a dict; ``first_key`` names a leading value given without a key."""
    if not isinstance(value, str):
        return value
    result: dict[str, Any] = {}
    for index, (key, val) in enumerate(parse_csv_attrs(value)):
        if val is None:
            if index == 0 and first_key is not None:
                result[first_key] = key
                continue
            raise ValueError(f"{key!r} in {value!r} needs the form key=value")
        result[key] = val
    return result


def is_template(value: object) -> bool:
    """Whether ``value`` is a string holding an HCL template (``${...}`` or ``%{...}``)."""
    return isinstance(value, str) and ("${" in value or "%{" in value)


def _require_template(value: str) -> str:
    if not is_template(value):
        raise ValueError("not an HCL template")
    return value


Template = Annotated[
    str,
    AfterValidator(_require_template),
    WithJsonSchema({"type": "string", "pattern": r"\$\{|%\{", "title": "HCL template"}),
]
"""A string holding an HCL template, kept as written: its value is known when bake evaluates it."""


def _item_kind(value: Any) -> str:
    """Which branch of a typed-or-template list item validates ``value`` (one, so that an
    error names only what is wrong with the typed value)."""
    return "Template" if is_template(value) else "Value"


def _list_kind(value: Any) -> str:
    """A list attribute is a list, or one expression (a string) that bake turns into one."""
    return "Template" if isinstance(value, str) else "List"


def _scalar_kind(value: Any) -> str:
    """A scalar attribute is its typed value, or an expression (``"${NOCACHE}"``)."""
    return "Template" if is_template(value) else "Value"


def _map_kind(value: Any) -> str:
    """A map attribute is a map, or one expression (``merge(COMMON, {...})``)."""
    return "Template" if isinstance(value, str) else "Map"


TemplateBranch = Annotated[Template, Tag("Template")]
ItemOf = Discriminator(_item_kind)
ListOf = Discriminator(_list_kind)
ScalarOf = Discriminator(_scalar_kind)
MapOf = Discriminator(_map_kind)


class _StringForm(ShortSyntax):
    """A value whose serialized form (manifests, JSON) is its native string."""

    _written: str | None = PrivateAttr(default=None)
    _written_state: str | None = PrivateAttr(default=None)

    @abstractmethod
    def native(self) -> str:
        """The native string form made from the fields."""

    def remember(self, text: str) -> None:
        """Record the text this value was parsed from; it is rendered back while unchanged."""
        self._written = text
        self._written_state = self._state()

    def _state(self) -> str:
        return repr([getattr(self, name) for name in type(self).model_fields])

    def to_string(self) -> str:
        """The native string form: as written when parsed from text and unchanged since."""
        if self._written is not None and self._written_state == self._state():
            return self._written
        return self.native()

    @model_serializer(mode="plain")
    def _as_string(self) -> str:
        return self.to_string()

    def __str__(self) -> str:
        return self.to_string()


def _keep_written(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate, then let a value parsed from a string remember the string."""
    model = handler(value)
    if isinstance(value, str) and isinstance(model, _StringForm):
        model.remember(value)
    return model


AsWritten = WrapValidator(_keep_written)
"""Field annotation: a typed value parsed from text renders back as that text."""


class Platform(_StringForm):
    """A target platform, ``os/arch[/variant]``, e.g. ``linux/arm64/v8``; validated."""

    os: str = Field(description="Operating system, e.g. linux.")
    architecture: str = Field(description="CPU architecture, e.g. amd64 or arm64.")
    variant: str | None = Field(default=None, description="CPU variant, e.g. v7 or v8.")

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.strip() == "local":  # buildx: the platform of the machine that builds
            return {"os": "local", "architecture": ""}
        parts = value.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"platform {value!r} must be os/arch or os/arch/variant")
        return {
            "os": parts[0],
            "architecture": parts[1],
            "variant": parts[2] if len(parts) == 3 else None,
        }

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.os.startswith("$") or self.os == "local":  # $BUILDPLATFORM; buildx's "local"
            return self
        if self.os not in _OS:
            raise ValueError(
                f"unknown operating system {self.os!r} in platform {self.to_string()!r}"
            )
        arch = _ARCH_ALIASES.get(self.architecture, self.architecture)
        if arch not in _ARCH:
            raise ValueError(
                f"unknown architecture {self.architecture!r} in platform {self.to_string()!r}"
            )
        self.architecture = arch
        if self.variant is not None and self.variant not in _VARIANTS.get(arch, set()):
            raise ValueError(f"unknown variant {self.variant!r} for architecture {arch!r}")
        return self

    def native(self) -> str:
        """``os/arch[/variant]``."""
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


class _CsvValue(_StringForm):
    """A value whose native form is ``key=value,...``; subclasses list their known keys."""

    FIRST_KEY: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _from_csv(value, cls.FIRST_KEY)

    @abstractmethod
    def pairs(self) -> list[tuple[str, str | None]]:
        """Ordered key/value pairs of the native string form."""

    def native(self) -> str:
        """The native ``key=value,...`` form."""
        return format_csv_attrs(self.pairs())


def _option_pairs(options: dict[str, str]) -> list[tuple[str, str | None]]:
    return [(key, options[key]) for key in sorted(options)]


def _split_options(data: Any, known: set[str]) -> Any:
    """Move keys that are not model fields into ``options`` (exporter-specific attributes)."""
    if not isinstance(data, dict):
        return data
    options = dict(data.get("options") or {})
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key in known or key == "options":
            result[key] = value
        else:
            options[key] = value if isinstance(value, str) else _stringify(value)
    if options:
        result["options"] = options
    return result


_OPTIONS_INLINE = ConfigDict(
    json_schema_extra={"additionalProperties": {"type": ["string", "number", "boolean"]}}
)
"""Config of a value whose unknown keys are its ``options`` (``{type: gha, scope: main}``)."""


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Secret(_CsvValue):
    """A build secret reference: an id and where its value comes from (a file or an env var).

    The value itself never enters bakepy: only the reference is rendered or passed to buildx.
    """

    id: str = Field(description="Secret id, as `RUN --mount=type=secret,id=...` names it.")
    src: str | None = Field(default=None, description="File holding the value.")
    env: str | None = Field(default=None, description="Environment variable holding the value.")
    type: Literal["file", "env"] | None = Field(
        default=None, description="Source type; implied by src or env."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_values(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for forbidden in ("value", "data", "content"):
                if forbidden in data:
                    raise ValueError(
                        f"a Secret takes a reference (src=FILE or env=VAR), never a {forbidden}"
                    )
            if "source" in data and "src" not in data:
                data = {**data, "src": data["source"]}
                del data["source"]
        return data

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.src is not None and self.env is not None:
            raise ValueError(f"secret {self.id!r} takes one of src (a file) or env, not both")
        if self.type == "file" and self.env is not None:
            raise ValueError(f"secret {self.id!r}: type 'file' does not match env=")
        return self

    def pairs(self) -> list[tuple[str, str | None]]:
        """``id=...,src=...`` or ``id=...,env=...`` (or the id alone: buildx then reads the
        environment variable of that name, else the file of that name)."""
        pairs: list[tuple[str, str | None]] = [("id", self.id)]
        if self.type is not None:
            pairs.append(("type", self.type))
        if self.src is not None:
            pairs.append(("src", self.src))
        elif self.env is not None:
            pairs.append(("env", self.env))
        return pairs


class SSH(_StringForm):
    """An SSH agent socket or keys forwarded to ``RUN --mount=type=ssh``."""

    id: str = Field(default="default", description="SSH id; `default` is the agent.")
    paths: list[str] = Field(
        default_factory=empty_list,
        description="Agent socket or key files (default: $SSH_AUTH_SOCK).",
    )

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        ident, _, paths = value.partition("=")
        return {"id": ident, "paths": [p for p in paths.split(",") if p]}

    def native(self) -> str:
        """``default`` or ``id=path[,path]``."""
        return f"{self.id}={','.join(self.paths)}" if self.paths else self.id


AnnotationLevel = Literal["index", "manifest", "manifest-descriptor", "index-descriptor"]
"""Where an annotation goes: the image index, the manifest, or a descriptor of either."""
ANNOTATION_LEVELS: tuple[AnnotationLevel, ...] = get_args(AnnotationLevel)
_ANNOTATION = re.compile(
    r"^(?:(?P<levels>[a-z-]+(?:,[a-z-]+)*)(?:\[(?P<platform>[^\]]+)\])?:)?(?P<key>[^=:\s]+)=(?P<value>.*)$",
    re.S,
)


class Annotation(_StringForm):
    """An OCI annotation with optional levels (index, manifest, ...) and platform qualifier."""

    key: str = Field(description="Annotation key, e.g. org.opencontainers.image.title.")
    value: str = Field(description="Annotation value.")
    levels: list[AnnotationLevel] = Field(
        default_factory=empty_list,
        description="Where the annotation goes; empty means the manifest.",
    )
    platform: Platform | None = Field(
        default=None, description="Only for this platform's manifest (`manifest[linux/arm64]:`)."
    )

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            key: str,
            value: str,
            levels: list[AnnotationLevel] = ...,
            platform: Platform | str | None = None,
        ) -> None:
            """The constructor as type checkers see it: ``platform`` may be ``"linux/arm64"``."""

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _ANNOTATION.match(value)
        if not match:
            raise ValueError(f"annotation {value!r} must be [levels[platform]:]key=value")
        levels = match["levels"]
        if levels and any(level not in ANNOTATION_LEVELS for level in levels.split(",")):
            bad = [lvl for lvl in levels.split(",") if lvl not in ANNOTATION_LEVELS]
            raise ValueError(
                f"unknown annotation level {bad[0]!r}; use one of {', '.join(ANNOTATION_LEVELS)}"
            )
        return {
            "key": match["key"],
            "value": match["value"],
            "levels": levels.split(",") if levels else [],
            "platform": match["platform"],
        }

    @model_validator(mode="after")
    def _platform_needs_level(self) -> Self:
        if self.platform is not None and not self.levels:
            raise ValueError("an annotation with a [platform] qualifier needs a level")
        return self

    def native(self) -> str:
        """``index,manifest[linux/amd64]:key=value``."""
        prefix = ",".join(self.levels)
        if self.platform is not None:
            prefix += f"[{self.platform.to_string()}]"
        return f"{prefix}:{self.key}={self.value}" if prefix else f"{self.key}={self.value}"


OutputType = Literal["registry", "local", "oci", "docker", "tar", "image", "cacheonly"]


class Output(_CsvValue):
    """An exporter: where the build result goes (``type=registry``, ``type=local,dest=out``)."""

    model_config = _OPTIONS_INLINE

    FIRST_KEY: ClassVar[str | None] = "dest"
    type: OutputType = Field(default="local", description="Exporter type.")
    dest: str | None = Field(
        default=None, description="Destination path (local, tar, oci, docker)."
    )
    options: dict[str, str] = Field(
        default_factory=dict,
        description="Exporter options, e.g. push=true, name=..., compression=zstd.",
    )

    @model_validator(mode="before")
    @classmethod
    def _collect_options(cls, data: Any) -> Any:
        data = _from_csv(data, cls.FIRST_KEY)
        return _split_options(data, {"type", "dest"})

    def pairs(self) -> list[tuple[str, str | None]]:
        """``type=...,dest=...,options...``."""
        pairs: list[tuple[str, str | None]] = [("type", self.type)]
        if self.dest is not None:
            pairs.append(("dest", self.dest))
        return pairs + _option_pairs(self.options)


CacheType = Literal["registry", "local", "inline", "gha", "s3", "azblob"]


class Cache(_CsvValue):
    """A cache import or export: ``type=registry,ref=...``, ``type=gha``, ``type=local,src=...``."""

    model_config = _OPTIONS_INLINE

    FIRST_KEY: ClassVar[str | None] = "ref"
    type: CacheType = Field(default="registry", description="Cache backend.")
    ref: str | None = Field(default=None, description="Image reference for registry caches.")
    mode: Literal["min", "max"] | None = Field(default=None, description="Export mode (cache-to).")
    options: dict[str, str] = Field(
        default_factory=dict, description="Backend options, e.g. src, dest, scope, region."
    )

    @model_validator(mode="before")
    @classmethod
    def _collect_options(cls, data: Any) -> Any:
        data = _from_csv(data, cls.FIRST_KEY)
        return _split_options(data, {"type", "ref", "mode"})

    def pairs(self) -> list[tuple[str, str | None]]:
        """``type=...,ref=...,mode=...,options...``."""
        pairs: list[tuple[str, str | None]] = [("type", self.type)]
        if self.ref is not None:
            pairs.append(("ref", self.ref))
        if self.mode is not None:
            pairs.append(("mode", self.mode))
        return pairs + _option_pairs(self.options)


class Attest(_CsvValue):
    """An attestation to attach: an SBOM or SLSA provenance, with its options."""

    model_config = _OPTIONS_INLINE

    type: Literal["sbom", "provenance"] = Field(description="Attestation type.")
    disabled: bool | None = Field(default=None, description="Turn off an inherited attestation.")
    options: dict[str, str] = Field(
        default_factory=dict, description="Options, e.g. mode=max for provenance, generator=..."
    )

    @model_validator(mode="before")
    @classmethod
    def _collect_options(cls, data: Any) -> Any:
        return _split_options(_from_csv(data), {"type", "disabled"})

    def pairs(self) -> list[tuple[str, str | None]]:
        """``type=...,disabled=...,options...``."""
        pairs: list[tuple[str, str | None]] = [("type", self.type)]
        if self.disabled is not None:
            pairs.append(("disabled", "true" if self.disabled else "false"))
        return pairs + _option_pairs(self.options)


_ULIMIT_NAMES = {
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
}


class Ulimit(_StringForm):
    """A resource limit for RUN containers, ``nofile=1024:2048``."""

    name: str = Field(description="Limit name, e.g. nofile.")
    soft: int = Field(description="Soft limit (-1 for unlimited).")
    hard: int | None = Field(default=None, description="Hard limit (default: the soft limit).")

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        name, sep, limits = value.partition("=")
        if not sep:
            raise ValueError(f"ulimit {value!r} must be name=soft[:hard]")
        soft, _, hard = limits.partition(":")
        try:
            return {"name": name, "soft": int(soft), "hard": int(hard) if hard else None}
        except ValueError:
            raise ValueError(f"ulimit {value!r} must have integer limits") from None

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in _ULIMIT_NAMES:
            raise ValueError(
                f"unknown ulimit {value!r}; use one of {', '.join(sorted(_ULIMIT_NAMES))}"
            )
        return value

    def native(self) -> str:
        """``name=soft[:hard]``."""
        return f"{self.name}={self.soft}" + (f":{self.hard}" if self.hard is not None else "")
