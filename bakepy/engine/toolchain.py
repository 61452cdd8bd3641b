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


def installed_buildx() -> Version | None:
    """The version of ``docker buildx`` on this machine, or None when there is none."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    key = _fingerprint(docker)
    cache = cache_dir() / "toolchain.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        remembered = json.loads(cache.read_text(encoding="utf-8"))
        if remembered["key"] == key:
            text = remembered["buildx"]
            return Version.parse(text) if text else None
    version = _ask_buildx(docker)
    with contextlib.suppress(OSError):
        document = {"key": key, "buildx": str(version) if version else ""}
        write_file(FileWrite(cache, json.dumps(document).encode()))
    return version


def _ask_buildx(docker: str) -> Version | None:
    return _ask(docker, ["buildx", "version"])


def _ask(docker: str, args: list[str]) -> Version | None:
    """The first version number ``docker ARGS`` prints, or None when it fails."""
    try:
        result = subprocess.run(
            [docker, *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
            env={**os.environ, "DOCKER_CLI_HINTS": "false"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    for word in result.stdout.split():
        if word[:1].isdigit() or (word[:1] == "v" and word[1:2].isdigit()):
            with contextlib.suppress(ValueError):
                return Version.parse(word)
    return None


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
    from bakepy.models.dockerfile.features import builtin_frontend

    docker = shutil.which("docker")
    if docker is None:
        return None
    key = _engine_fingerprint(docker)
    cache = cache_dir() / "engine.json"
    if key is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            remembered = json.loads(cache.read_text(encoding="utf-8"))
            if remembered["key"] == key:
                text = remembered["engine"]
                return builtin_frontend(Version.parse(text)) if text else None
    engine = _ask(docker, ["version", "--format", "{{.Server.Version}}"])
    if key is not None:
        with contextlib.suppress(OSError):
            document = {"key": key, "engine": str(engine) if engine else ""}
            write_file(FileWrite(cache, json.dumps(document).encode()))
    return builtin_frontend(engine) if engine else None


def detect_toolchain(
    buildx: str | None = None, *, dockerfile: str | None = None, engine: bool = False
) -> Toolchain:
    """The toolchain to target. buildx: ``buildx`` when given (a version or ``latest``), else
    ``$BAKEPY_BUILDX_VERSION``, else the installed buildx (no limits when there is none). The
    Dockerfile frontend: ``dockerfile`` or ``$BAKEPY_DOCKERFILE_VERSION`` when given, else, with
    ``engine``, the one built into the engine (none known without a reachable engine)."""
    given = buildx if buildx is not None else os.environ.get(ENV_VARIABLE)
    target = parse_version(given) if given is not None else installed_buildx()
    frontend_given = dockerfile if dockerfile is not None else os.environ.get(FRONTEND_VARIABLE)
    if frontend_given is not None:
        frontend = parse_version(frontend_given)
    else:
        frontend = engine_frontend() if engine else None
    return Toolchain(buildx=target, dockerfile=frontend)
