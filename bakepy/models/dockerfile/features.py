"""Which Dockerfile frontend has which Dockerfile feature, and which frontend reads a file.

A Dockerfile is parsed by a *frontend*: the one built into the builder (the engine's BuildKit,
with the ``docker`` driver) unless a ``# syntax=`` line names a frontend image, which is then
pulled at build time. A frontend older than a feature refuses it (``unknown flag: exclude``) or,
for a few, builds without it and says nothing (a symbolic ``--chmod`` before 1.10). Features of
the *labs* channel (``docker/dockerfile:1-labs``) reach the stable channel in a later release.

The tables record, for each feature, the first stable and the first labs release that parse it;
anything not listed is in every 1.x frontend (``COPY --chown``, ``COPY --from`` a stage or an
image, ``FROM --platform``, ...). Sources: the frontend release notes (docs.docker.com) and,
for the labs channel, the build tags each ``dockerfile/1.x`` release of moby/buildkit is built
with (``frontend/dockerfile/release/labs/tags``); which frontend each BuildKit embeds comes from
the ``dockerfile/1.x`` tag on each BuildKit release commit, and which BuildKit each engine
embeds from moby's ``vendor.mod``. ``bakepy.resolution.checks.dockerfile_versions`` uses them to
refuse a Dockerfile its frontend would reject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bakepy.models.toolchain import Version


def _v(text: str) -> Version:
    return Version.parse(text)


def short_version(version: Version) -> str:
    """``1.19`` for 1.19.0, ``1.7.1`` for 1.7.1: how a ``# syntax=`` tag names a release."""
    minor = f"{version.major}.{version.minor}"
    return f"{minor}.{version.patch}" if version.patch else minor


@dataclass(frozen=True)
class DockerfileFeature:
    """A Dockerfile feature: the first stable and labs frontends that have it, and a note.

    ``stable`` None: only the labs channel has it. ``labs`` None: it was never labs-only (it
    came to both channels at once). ``ignored_before``: frontends older than this build without
    the feature and without a word (None: older frontends refuse the file).
    """

    name: str
    stable: Version | None
    labs: Version | None
    note: str
    ignored_before: Version | None = None

    @property
    def first(self) -> Version:
        """The first release of either channel that has it."""
        versions = [v for v in (self.stable, self.labs) if v is not None]
        return min(versions)

    def available(self, frontend: Version, labs: bool = False) -> bool:
        """Whether ``frontend`` (its labs channel when ``labs``) has the feature."""
        if self.stable is not None and frontend >= self.stable:
            return True
        return labs and self.labs is not None and frontend >= self.labs

    def ignored_by(self, frontend: Version) -> bool:
        """Whether ``frontend`` lacks the feature and builds without it, saying nothing."""
        return self.ignored_before is not None and frontend < self.ignored_before

    def needs(self) -> str:
        """``Dockerfile frontend 1.19 (labs from 1.7)``, or the labs channel a labs-only needs."""
        if self.stable is None:
            assert self.labs is not None
            return f"the labs channel of Dockerfile frontend {short_version(self.labs)} or later"
        text = f"Dockerfile frontend {short_version(self.stable)}"
        return f"{text} (labs from {short_version(self.labs)})" if self.labs else text

    def syntax_tag(self, labs: bool = False) -> str:
        """The ``docker/dockerfile`` tag of the first frontend with it (of the labs channel when
        ``labs``, if it was ever labs-only): ``1.19``, ``1.7-labs``, ``1.14-labs``."""
        if self.labs is not None and (labs or self.stable is None):
            return f"{short_version(self.labs)}-labs"
        assert self.stable is not None
        return short_version(self.stable)


def _feature(
    name: str, stable: str | None, labs: str | None, note: str, ignored_before: str | None = None
) -> DockerfileFeature:
    return DockerfileFeature(
        name,
        _v(stable) if stable else None,
        _v(labs) if labs else None,
        note,
        _v(ignored_before) if ignored_before else None,
    )


FEATURES: tuple[DockerfileFeature, ...] = (
    _feature(
        "RUN --mount",
        "1.2",
        "1.0",
        "cache, bind, tmpfs, secret and ssh mounts with id, target, source, from, ro/rw, "
        "sharing, required, mode, uid and gid; the experimental channel had them from 1.0",
    ),
    _feature(
        "RUN --security",
        "1.20",
        "1.1.2",
        "sandbox or insecure (insecure also needs the security.insecure entitlement); "
        "older stable frontends stop at `unknown flag: security`",
    ),
    _feature(
        "RUN --network",
        "1.3",
        "1.1.6",
        "default, none or host (host needs the network.host entitlement)",
    ),
    _feature("COPY --chmod", "1.2", None, "octal modes such as 0755"),
    _feature("ADD --chmod", "1.2", None, "octal modes such as 0755"),
    _feature(
        "heredocs",
        "1.4",
        "1.3",
        "`<<EOT` scripts for RUN and inline files for COPY/ADD",
    ),
    _feature("COPY --link", "1.4", None, "copy into an independent layer (MergeOp)"),
    _feature("ADD --link", "1.4", None, "copy into an independent layer (MergeOp)"),
    _feature("RUN --mount=type=tmpfs,size=", "1.4", None, "a size limit for a tmpfs mount"),
    _feature(
        "ADD from a Git URL",
        "1.6",
        "1.5",
        "git@, git://, ssh:// and https://...git sources; stable 1.5 refuses them "
        "(`requires the labs channel`)",
    ),
    _feature(
        "ADD --checksum",
        "1.6",
        "1.5",
        "verifies an HTTP(S) source; stable 1.5 refuses it (`requires the labs channel`)",
    ),
    _feature(
        "ADD --keep-git-dir",
        "1.5",
        None,
        "keeps the .git directory of a Git source (Git sources themselves need 1.6, labs 1.5)",
    ),
    _feature(
        "HEALTHCHECK --start-interval",
        "1.6",
        None,
        "written to the image; the engine applies it from Docker Engine 25.0 (API 1.44)",
    ),
    _feature(
        "${VAR-word}, ${VAR+word} or ${VAR?word} (no colon)",
        "1.6",
        None,
        "POSIX substitutions without `:`; older frontends refuse them as unsupported modifiers",
    ),
    _feature(
        "${VAR#pattern}, ${VAR%pattern} or ${VAR/old/new}",
        "1.7",
        None,
        "trimming and replacing substitutions; older frontends refuse them",
    ),
    _feature(
        "COPY --exclude",
        "1.19",
        "1.7",
        "patterns to leave out; older stable frontends stop at `unknown flag: exclude`",
    ),
    _feature(
        "ADD --exclude",
        "1.19",
        "1.7",
        "patterns to leave out; older stable frontends stop at `unknown flag: exclude`",
    ),
    _feature(
        "COPY --parents",
        "1.20",
        "1.7",
        "keeps the source directories; older stable frontends stop at `unknown flag: parents`",
    ),
    _feature(
        "the # check= directive",
        "1.8",
        None,
        "build-check settings; older frontends take the line for a comment",
        ignored_before="1.8",
    ),
    _feature(
        "# check=experimental=",
        "1.10",
        None,
        "enables experimental checks; 1.8 and 1.9 refuse it (`invalid check option`), "
        "older frontends ignore the whole directive",
        ignored_before="1.8",
    ),
    _feature(
        "RUN --mount=type=secret,env=",
        "1.10",
        None,
        "exposes a secret as an environment variable; older frontends refuse "
        "(`unexpected key 'env'`)",
    ),
    _feature(
        "COPY --chmod with a variable",
        "1.10",
        None,
        "build arguments expanded in --chmod; older frontends keep the default mode",
        ignored_before="1.10",
    ),
    _feature(
        "ADD --chmod with a variable",
        "1.10",
        None,
        "build arguments expanded in --chmod; older frontends keep the default mode",
        ignored_before="1.10",
    ),
    _feature(
        "an ONBUILD trigger using --from or a mount from=",
        "1.11",
        None,
        "older frontends fail when the trigger runs (`cannot copy from stage`); it is the "
        "frontend of the build that uses the image that matters",
    ),
    _feature(
        "COPY --chmod with a symbolic mode",
        "1.14",
        "1.11",
        "modes such as u+x; before 1.10 they are ignored, 1.10 to 1.13 refuse them",
        ignored_before="1.10",
    ),
    _feature(
        "ADD --chmod with a symbolic mode",
        "1.14",
        "1.11",
        "modes such as u+x; before 1.10 they are ignored, 1.10 to 1.13 refuse them",
        ignored_before="1.10",
    ),
    _feature(
        "RUN --device",
        "1.27",
        "1.14",
        "CDI devices (needs BuildKit 0.20 or later); the model has no field for it",
    ),
    _feature(
        "ADD --checksum with a Git source",
        "1.16",
        None,
        "the commit checksum of a Git source; older frontends refuse it for most Git URLs "
        "and, before 1.9, skip it for https://...git ones",
    ),
    _feature("ADD --unpack", "1.17", None, "whether to extract a local or remote archive"),
)
"""Every Dockerfile feature newer than frontend 1.0, by the first release that has it."""

FEATURE_BY_NAME: dict[str, DockerfileFeature] = {feature.name: feature for feature in FEATURES}
"""The features by name."""

LATEST_FRONTEND = _v("1.28")
"""The newest stable Dockerfile frontend bakepy knows (``docker/dockerfile:1``)."""

BUILDKIT_FRONTENDS: dict[Version, Version] = {
    _v(buildkit): _v(frontend)
    for buildkit, frontend in (
        ("0.5", "1.1.0"),
        ("0.6", "1.1.2"),
        ("0.7", "1.1.6"),
        ("0.8", "1.2"),
        ("0.9", "1.3"),
        ("0.10", "1.4"),
        ("0.11", "1.5"),
        ("0.12", "1.6"),
        ("0.13", "1.7"),
        ("0.14", "1.8"),
        ("0.15", "1.9"),
        ("0.16", "1.10"),
        ("0.17", "1.11"),
        ("0.18", "1.12"),
        ("0.19", "1.13"),
        ("0.20", "1.14"),
        ("0.21", "1.15"),
        ("0.22", "1.16"),
        ("0.23", "1.17"),
        ("0.24", "1.18"),
        ("0.25", "1.19"),
        ("0.26", "1.20"),
        ("0.27", "1.21"),
        ("0.28", "1.22"),
        ("0.29", "1.23"),
        ("0.30", "1.24"),
        ("0.31", "1.25"),
        ("0.32", "1.26"),
    )
}
"""BuildKit ``major.minor`` -> the Dockerfile frontend its first release of that minor embeds
(a later patch may carry a patch release of the frontend, e.g. 0.13.2 has 1.7.1)."""

ENGINE_BUILDKIT: dict[Version, Version] = {
    _v(engine): _v(buildkit)
    for engine, buildkit in (
        ("19.03", "0.6"),
        ("20.10", "0.8"),
        ("23.0", "0.10"),
        ("24.0", "0.11"),
        ("25.0", "0.12"),
        ("26.0", "0.13"),
        ("26.1", "0.13"),
        ("27.0", "0.14"),
        ("27.1", "0.15"),
        ("27.2", "0.15"),
        ("27.3", "0.16"),
        ("27.4", "0.17"),
        ("27.5", "0.18"),
        ("28.0", "0.20"),
        ("28.1", "0.21"),
        ("28.2", "0.22"),
        ("28.3", "0.23"),
        ("28.4", "0.24"),
        ("28.5", "0.25"),
        ("29.0", "0.25"),
        ("29.1", "0.26"),
        ("29.2", "0.27"),
        ("29.3", "0.28"),
        ("29.4", "0.29"),
        ("29.5", "0.30"),
        ("29.6", "0.31"),
        ("29.7", "0.32"),
    )
}
"""Docker Engine ``major.minor`` -> the BuildKit ``major.minor`` its dockerd embeds (the
engine's builder, used by ``docker build`` and the buildx ``docker`` driver; BuildKit is the
default builder from 23.0, before that with ``DOCKER_BUILDKIT=1``)."""

ENGINE_START_INTERVAL = _v("25.0")
"""The first Docker Engine that applies ``HEALTHCHECK --start-interval`` (API 1.44)."""


def buildkit_frontend(buildkit: Version) -> Version | None:
    """The Dockerfile frontend built into ``buildkit``; None for a BuildKit bakepy does not know."""
    return BUILDKIT_FRONTENDS.get(Version(buildkit.major, buildkit.minor))


def builtin_frontend(engine_version: Version) -> Version | None:
    """The Dockerfile frontend of the engine's builder (``26.1.5`` -> 1.7.0); None if unknown."""
    buildkit = ENGINE_BUILDKIT.get(Version(engine_version.major, engine_version.minor))
    return None if buildkit is None else buildkit_frontend(buildkit)


_FRONTEND_IMAGES = frozenset({"docker/dockerfile", "docker/dockerfile-upstream"})
_REGISTRIES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")
_TAG = re.compile(
    r"(?P<version>\d+(?:\.\d+){0,2})?(?:-rc\d+)?-?(?P<channel>labs|experimental)?",
)
_NEWEST_TAGS = frozenset({"", "latest", "master", "labs", "master-labs"})


def _image_and_tag(syntax: str) -> tuple[str, str | None]:
    """``docker/dockerfile``, ``1.7-labs`` of a reference; tag None when only a digest pins it."""
    reference = syntax.strip().lower()
    for registry in _REGISTRIES:
        reference = reference.removeprefix(registry)
    name, _, digest = reference.partition("@")
    image, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:
        image, tag = name, ""
    if digest and not tag:
        return image, None
    return image, tag


def _tag_frontend(tag: str) -> tuple[Version | None, bool]:
    """(version, labs) a ``docker/dockerfile`` tag names; version None when not known."""
    if tag in _NEWEST_TAGS:
        return LATEST_FRONTEND, "labs" in tag
    match = _TAG.fullmatch(tag)
    if match is None or match["version"] is None:
        return None, False
    labs = match["channel"] is not None
    if "." not in match["version"]:
        return (LATEST_FRONTEND if match["version"] == "1" else None), labs
    return _v(match["version"]), labs


def frontend_for(syntax: str | None, builtin: Version | None) -> tuple[Version | None, bool]:
    """The frontend that parses a Dockerfile with this ``# syntax=`` value: (version, labs).

    No syntax: the builder's own frontend, ``builtin``. ``docker/dockerfile:1`` and
    ``latest``: the newest stable bakepy knows; ``:1.7``: 1.7.x; ``:1.7.1``: exactly that;
    ``-labs`` tags: the labs channel. None for the version: unknown, so any feature may be
    there (a digest alone, another image, an unknown tag, or no syntax and no known builtin).
    """
    if syntax is None or not syntax.strip():
        return builtin, False
    image, tag = _image_and_tag(syntax)
    if image not in _FRONTEND_IMAGES or tag is None:
        return None, False
    return _tag_frontend(tag)


__all__ = [
    "BUILDKIT_FRONTENDS",
    "ENGINE_BUILDKIT",
    "ENGINE_START_INTERVAL",
    "FEATURES",
    "FEATURE_BY_NAME",
    "LATEST_FRONTEND",
    "DockerfileFeature",
    "buildkit_frontend",
    "builtin_frontend",
    "frontend_for",
    "short_version",
]
