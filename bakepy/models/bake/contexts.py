"""Build contexts as typed values: a folder, a git or HTTP URL, an image, an OCI layout or a target.

Each parses from and renders to the string bake writes in ``contexts``
(``docker-image://alpine:3.20``, ``target:base``, ``https://host/repo.git#main:dir``, ...).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer

from bakepy.models.base import BakepyModel
from bakepy.models.resource import Resource

if TYPE_CHECKING:
    from bakepy.models.bake.targets import Target

_GIT_URL = re.compile(r"^(git@|git://|ssh://|github\.com/|gitlab\.com/|https?://.*\.git(#|$))")


class LocalContext(BakepyModel):
    """A folder on the machine running the build, relative to the definition file."""

    type: Literal["local"] = Field(default="local", description="Context kind.")
    path: str = Field(description="Folder path.")

    def to_string(self) -> str:
        """The folder path."""
        return self.path


class GitContext(BakepyModel):
    """A git repository, optionally at a ref and in a subfolder (``url#ref:dir``)."""

    type: Literal["git"] = Field(default="git", description="Context kind.")
    url: str = Field(description="Repository URL, e.g. https://github.com/org/repo.git.")
    ref: str | None = Field(default=None, description="Branch, tag or commit.")
    subdir: str | None = Field(default=None, description="Folder inside the repository.")

    def to_string(self) -> str:
        """``url#ref:subdir``."""
        if self.ref is None and self.subdir is None:
            return self.url
        return f"{self.url}#{self.ref or ''}" + (f":{self.subdir}" if self.subdir else "")


class HttpContext(BakepyModel):
    """A tarball served over HTTP(S)."""

    type: Literal["http"] = Field(default="http", description="Context kind.")
    url: str = Field(description="URL of a tar archive.")

    def to_string(self) -> str:
        """The URL."""
        return self.url


class ImageContext(BakepyModel):
    """An image used as a context (``docker-image://alpine:3.20``), e.g. to pin a base image."""

    type: Literal["docker-image"] = Field(default="docker-image", description="Context kind.")
    image: str = Field(description="Image reference.")

    def to_string(self) -> str:
        """``docker-image://IMAGE``."""
        return f"docker-image://{self.image}"


class OciLayoutContext(BakepyModel):
    """An OCI image layout on disk (``oci-layout://path[:tag][@digest]``)."""

    type: Literal["oci-layout"] = Field(default="oci-layout", description="Context kind.")
    path: str = Field(description="Layout folder, with an optional :tag and @digest.")

    def to_string(self) -> str:
        """``oci-layout://PATH``."""
        return f"oci-layout://{self.path}"


class TargetContext(BakepyModel):
    """The result of another target, built first (``target:NAME``)."""

    type: Literal["target"] = Field(default="target", description="Context kind.")
    target: Target | str = Field(description="The Target object, or its name.")

    @property
    def target_name(self) -> str:
        """Name of the referenced target."""
        return self.target if isinstance(self.target, str) else self.target.name

    def to_string(self) -> str:
        """``target:NAME``."""
        return f"target:{self.target_name}"


BuildContext = (
    LocalContext | GitContext | HttpContext | ImageContext | OciLayoutContext | TargetContext
)


def parse_build_context(value: Any) -> Any:
    """Turn the native string form (or a Target object) into one of the context models."""
    if isinstance(value, Resource) and value.KIND == "Target":  # targets.py imports this module
        return TargetContext(target=value)
    if not isinstance(value, str):
        return value
    if value.startswith("target:"):
        return TargetContext(target=value.removeprefix("target:").removeprefix("Target/"))
    if value.startswith("docker-image://"):
        return ImageContext(image=value.removeprefix("docker-image://"))
    if value.startswith("oci-layout://"):
        return OciLayoutContext(path=value.removeprefix("oci-layout://"))
    if _GIT_URL.match(value):
        url, _, fragment = value.partition("#")
        ref, _, subdir = fragment.partition(":")
        return GitContext(url=url, ref=ref or None, subdir=subdir or None)
    if value.startswith(("http://", "https://")):
        return HttpContext(url=value)
    return LocalContext(path=value)


def _context_string(value: object) -> object:
    return value.to_string() if hasattr(value, "to_string") else value


BuildContextValue = Annotated[
    Annotated[BuildContext, Field(discriminator="type")],
    BeforeValidator(parse_build_context, json_schema_input_type=BuildContext | str),
    PlainSerializer(_context_string, return_type=str),
]
"""A named context; accepts strings, Target objects and the typed models."""
