"""Image references as the distribution grammar reads them (``ParseNormalizedNamed``).

``nginx``, ``nginx:latest``, ``library/nginx``, ``docker.io/library/nginx:latest`` and
``index.docker.io/library/nginx`` are one image; the engine lists it in its familiar form
(``nginx:latest``) and a digest without the tag (``nginx@sha256:...``). Comparing references
by their text made a reference written another way look missing, so it was pulled again on
every apply. References compare by their canonical form here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_DOMAIN = "docker.io"
_LEGACY_DOMAIN = "index.docker.io"
_OFFICIAL = "library/"
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN = re.compile(
    r"(?:localhost|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}")


@dataclass(frozen=True)
class ImageReference:
    """One parsed reference: registry domain, repository path, tag and digest."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageReference:
        """Parse ``text`` as the engine does; ValueError naming what is wrong."""
        remainder, _, digest = text.partition("@")
        if digest and not _DIGEST.fullmatch(digest):
            raise ValueError(f"invalid digest in image reference {text!r}")
        name, tag = remainder, None
        colon = remainder.rfind(":")
        if colon > remainder.rfind("/"):
            name, tag = remainder[:colon], remainder[colon + 1 :]
            if not _TAG.fullmatch(tag):
                raise ValueError(f"invalid tag {tag!r} in image reference {text!r}")
        domain, path = _split_domain(name)
        if not _DOMAIN.fullmatch(domain):
            raise ValueError(f"invalid registry {domain!r} in image reference {text!r}")
        if not _PATH.fullmatch(path):
            if path.lower() != path and _PATH.fullmatch(path.lower()):
                raise ValueError(f"repository name must be lowercase: {text!r}")
            raise ValueError(f"invalid image reference {text!r}")
        return cls(domain, path, tag, digest or None)

    @property
    def name(self) -> str:
        """``docker.io/library/nginx``: the repository with its registry."""
        return f"{self.domain}/{self.path}"

    @property
    def familiar_name(self) -> str:
        """``nginx`` for Docker Hub's official images, ``user/app`` for Docker Hub, else the
        full name: the form the engine lists."""
        if self.domain != DEFAULT_DOMAIN:
            return self.name
        return self.path.removeprefix(_OFFICIAL)

    def canonical(self) -> str:
        """``docker.io/library/nginx:latest``: one text per image (``latest`` when neither a
        tag nor a digest is given)."""
        return self.name + self._suffix()

    def familiar(self) -> str:
        """``nginx:latest``, as the engine lists tags and ``docker images`` filters them."""
        return self.familiar_name + self._suffix()

    def _suffix(self) -> str:
        tag = self.tag if self.tag is not None or self.digest else "latest"
        return (f":{tag}" if tag else "") + (f"@{self.digest}" if self.digest else "")

    def same_image(self, listed: ImageReference) -> bool:
        """Whether ``listed`` (a tag or a digest the engine lists) names this reference's image:
        by digest when this one has one (the engine lists digests without the tag), else by
        repository and tag."""
        if self.name != listed.name:
            return False
        if self.digest:
            return listed.digest == self.digest
        return listed.digest is None and (listed.tag or "latest") == (self.tag or "latest")


def _split_domain(name: str) -> tuple[str, str]:
    """The registry and the repository path, with Docker Hub's defaults filled in."""
    first, slash, rest = name.partition("/")
    if not slash or (
        not any(c in first for c in ".:") and first != "localhost" and first.lower() == first
    ):
        domain, path = DEFAULT_DOMAIN, name
    else:
        domain, path = first, rest
    if domain == _LEGACY_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = _OFFICIAL + path
    return domain, path
