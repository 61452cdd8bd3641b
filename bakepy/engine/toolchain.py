"""Which buildx (and, when asked, which engine) this machine has: the versions bakepy reads,
renders and checks bake files for unless it is told others (``--buildx-version``,
``BAKEPY_BUILDX_VERSION``).

``docker buildx version`` takes tens of milliseconds, so its answer is kept in the cache folder,
keyed on the docker binary and the buildx plugin files (path, size, modification time): a new
buildx is noticed, an unchanged one costs a few ``stat`` calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from bakepy.errors import BakepyError
from bakepy.models.toolchain import Toolchain, Version
from bakepy.support.atomic import FileWrite, write_file
from bakepy.support.cache import cache_dir

ENV_VARIABLE = "BAKEPY_BUILDX_VERSION"
"""Names the buildx version to target (``0.13``, ``0.13.1``), or ``latest`` for no limits."""
FRONTEND_VARIABLE = "BAKEPY_DOCKERFILE_VERSION"
"""Names the built-in Dockerfile frontend to target (``1.7``), or ``latest`` for no limits."""

_PLUGIN_DIRS = (
    "~/.docker/cli-plugins",
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
)


def parse_version(text: str) -> Version | None:
    """A version given by the user: ``0.13``, ``0.13.1``, ``v0.13.1``; ``latest`` is None
    (the newest bakepy knows); anything else is a BakepyError."""
    if text.strip().lower() in ("latest", "newest", ""):
        return None
    try:
        return Version.parse(text)
    except ValueError:
        raise BakepyError(
            f"{text!r} is not a buildx version", hint="write it as 0.13, 0.13.1 or latest"
        ) from None


def _fingerprint(docker: str) -> str:
    """What the detected version depends on: the docker binary and every buildx plugin file."""
    digest = hashlib.sha256()
    candidates = [docker, *(str(Path(d).expanduser() / "docker-buildx") for d in _PLUGIN_DIRS)]
    for path in candidates:
        with contextlib.suppress(OSError):
            info = os.stat(path)
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


class _Question:
    """One version docker is asked for (``docker buildx version``, the engine's), with its
    answer kept in the cache folder under ``key``; asked at most once, and two questions may
    be asked at the same time (each is a docker process of tens of milliseconds)."""

    def __init__(self, docker: str, args: list[str], file: str, field: str, key: str | None):
        self.docker = docker
        self.args = args
        self.cache = cache_dir() / file
        self.field = field
        self.key = key
        self.remembered: str | None = None
        """The kept answer's text ("" for none), None when none is kept for ``key``."""
        if key is not None:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                document = json.loads(self.cache.read_text(encoding="utf-8"))
                if document["key"] == key:
                    self.remembered = str(document[field])
        self._asking: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start asking docker, unless the answer is kept."""
        if self.remembered is not None or self._asking is not None:
            return
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            self._asking = subprocess.Popen(
                [self.docker, *self.args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                env={**os.environ, "DOCKER_CLI_HINTS": "false"},
            )

    def answer(self) -> Version | None:
        """The version: kept, or docker's (kept for next time when there is a key)."""
        if self.remembered is not None:
            return Version.parse(self.remembered) if self.remembered else None
        self.start()
        version = _version_in(self._asking)
        self.remembered = str(version) if version else ""
        if self.key is not None:
            with contextlib.suppress(OSError):
                document = {"key": self.key, self.field: self.remembered}
                write_file(FileWrite(self.cache, json.dumps(document).encode()))
        return version


def _version_in(asking: subprocess.Popen[str] | None) -> Version | None:
    """The first version number a docker process prints, or None when it fails."""
    if asking is None:
        return None
    try:
        out, _ = asking.communicate(timeout=20)
    except subprocess.SubprocessError:
        asking.kill()
        asking.communicate()
        return None
    if asking.returncode != 0:
        return None
    for word in out.split():
        if word[:1].isdigit() or (word[:1] == "v" and word[1:2].isdigit()):
            with contextlib.suppress(ValueError):
                return Version.parse(word)
    return None


def _buildx_question() -> _Question | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    return _Question(
        docker, ["buildx", "version"], "toolchain.json", "buildx", _fingerprint(docker)
    )


def _engine_question() -> _Question | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    args = ["version", "--format", "{{.Server.Version}}"]
    return _Question(docker, args, "engine.json", "engine", _engine_fingerprint(docker))


def installed_buildx() -> Version | None:
    """The version of ``docker buildx`` on this machine, or None when there is none."""
    question = _buildx_question()
    return question.answer() if question is not None else None


def _engine_fingerprint(docker: str) -> str | None:
    """What the engine's version depends on: where it listens and when its socket was made
    (a restarted or upgraded dockerd makes a new one); None for a remote engine."""
    from bakepy.engine.endpoint import current_endpoint
    from bakepy.errors import EngineError

    try:
        host = current_endpoint().host  # DOCKER_HOST, a context, or the local socket
    except EngineError:
        return None
    if not host.startswith("unix://"):
        return None
    try:
        info = os.stat(host.removeprefix("unix://"))
    except OSError:
        return None
    return f"{_fingerprint(docker)}\0{host}\0{info.st_ino}\0{info.st_mtime_ns}"


def engine_frontend() -> Version | None:
    """The Dockerfile frontend built into the engine this machine talks to (from its version),
    or None when there is no engine or its version says nothing known."""
    question = _engine_question()
    return _frontend_of(question.answer()) if question is not None else None


def _frontend_of(engine: Version | None) -> Version | None:
    from bakepy.models.dockerfile.features import builtin_frontend

    return builtin_frontend(engine) if engine else None


def detect_toolchain(
    buildx: str | None = None, *, dockerfile: str | None = None, engine: bool = False
) -> Toolchain:
    """The toolchain to target. buildx: ``buildx`` when given (a version or ``latest``), else
    ``$BAKEPY_BUILDX_VERSION``, else the installed buildx (no limits when there is none). The
    Dockerfile frontend: ``dockerfile`` or ``$BAKEPY_DOCKERFILE_VERSION`` when given, else, with
    ``engine``, the one built into the engine (none known without a reachable engine)."""
    given = buildx if buildx is not None else os.environ.get(ENV_VARIABLE)
    frontend_given = dockerfile if dockerfile is not None else os.environ.get(FRONTEND_VARIABLE)
    asked = _buildx_question() if given is None else None
    engine_asked = _engine_question() if frontend_given is None and engine else None
    for question in (asked, engine_asked):  # both docker processes run at once
        if question is not None:
            question.start()
    target = parse_version(given) if given is not None else asked.answer() if asked else None
    if frontend_given is not None:
        frontend = parse_version(frontend_given)
    else:
        frontend = _frontend_of(engine_asked.answer()) if engine_asked else None
    return Toolchain(buildx=target, dockerfile=frontend)
