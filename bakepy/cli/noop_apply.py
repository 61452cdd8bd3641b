"""A no-change ``bakepy apply`` of compose projects, answered without loading any model.

The first ``apply`` of a request records the desired state each ComposeProject was lowered to
and the inputs it was read from (``bakepy.cli.apply_cache``). The next one with the same
request and unchanged inputs plans against that state: it still reads the engine (the same
list calls, through the local socket) and runs the same planner, so any drift on the engine is
seen, and it checks that each secret and config file on disk still has its content and mode.
Only when that plan changes nothing and needs no pull does it print the result, with the
warnings the whole command would print; anything else (a change, an error, an engine elsewhere
than the local socket, an option this path does not know) goes the whole way, which loads,
checks, lowers, applies and records.
``BAKEPY_APPLY_CACHE=0`` turns both off.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bakepy.cli import apply_cache

if TYPE_CHECKING:
    from bakepy.engine.compose.desired import DesiredState
    from bakepy.project import Project

DEFAULT_SOCKET = "/var/run/docker.sock"


@dataclass(frozen=True)
class Request:
    """An ``apply`` this path can answer: definition files, one compose project, prune."""

    files: tuple[str, ...] = ()
    compose: str | None = None
    prune: bool = False


def parse(argv: Sequence[str]) -> Request | None:
    """The request of ``apply [-f PATH]... [--compose NAME] [--prune]``; None for any other
    command line (other options, targets, ``-o json``, ``--dry-run``)."""
    if not argv or argv[0] != "apply":
        return None
    files: list[str] = []
    compose: str | None = None
    prune = False
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        name, _, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in ("-f", "--file", "--compose") and not value:
            if not rest:
                return None
            value = rest.pop(0)
        elif name.startswith("-f") and len(name) > 2:
            name, value = "-f", name[2:]
        if name in ("-f", "--file"):
            files.append(value)
        elif name == "--compose" and compose is None:
            compose = value
        elif word == "--prune":
            prune = True
        else:
            return None
    return Request(tuple(files), compose, prune)


def local_socket(env: Mapping[str, str]) -> str | None:
    """The engine's unix socket when the docker CLI would use one with no TLS and no context
    (``DOCKER_HOST`` first, then ``DOCKER_CONTEXT``, then ``docker context use``); None
    otherwise (that engine is reached through the docker SDK on the whole path)."""
    host = env.get("DOCKER_HOST", "")
    if host:
        return host.removeprefix("unix://") if host.startswith("unix:///") else None
    if env.get("DOCKER_CONTEXT", "default") != "default":
        return None
    folder = Path(env.get("DOCKER_CONFIG") or Path.home() / ".docker")
    try:
        text = (folder / "config.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_SOCKET
    except OSError:
        return None
    if '"currentContext"' not in text:
        return DEFAULT_SOCKET
    import json

    try:
        current = json.loads(text).get("currentContext")
    except (ValueError, AttributeError):
        return None
    return DEFAULT_SOCKET if current in (None, "", "default") else None


def _enabled(env: Mapping[str, str]) -> bool:
    return env.get("BAKEPY_APPLY_CACHE", "1") not in ("0", "false", "no", "off")


def answer(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """What a no-change apply prints (stdout), when the cache shows nothing to change; None
    when the whole command must run. Warnings are written to stderr before returning."""
    request = parse(argv)
    if request is None or not _enabled(env):
        return None
    socket = local_socket(env)
    if socket is None:
        return None
    payload, why = apply_cache.lookup(apply_cache.request_key(argv, env))
    if payload is None:
        _miss(env, why)
        return None
    try:
        return _answer(payload, socket, request)
    except _Miss as miss:
        _miss(env, str(miss))
    except Exception as error:  # any doubt: the whole command runs and reports it
        _miss(env, f"{type(error).__name__}: {error}")
    return None


class _Miss(Exception):
    """The cached state does not answer this run (the reason is the message)."""


def _miss(env: Mapping[str, str], why: str) -> None:
    """Say why the whole command runs, when ``BAKEPY_APPLY_CACHE_TRACE`` asks."""
    if env.get("BAKEPY_APPLY_CACHE_TRACE"):
        print(f"apply cache: not used: {why}", file=sys.stderr)


def _same(desired: DesiredState) -> DesiredState:
    return desired


def _answer(payload: Mapping[str, Any], socket: str, request: Request) -> str:
    from bakepy.engine.compose.apply import ApplyResult
    from bakepy.engine.compose.desired_codec import decode
    from bakepy.engine.compose.planner import plan_with
    from bakepy.engine.compose.socket_reads import SocketReads

    try:
        key: bytes | None = Path(apply_cache.digest_key_path()).read_bytes()
    except FileNotFoundError:
        key = None  # no secret or config file was ever written with a digest
    client = SocketReads(socket)
    rendered = []
    for data in payload["projects"]:
        desired, files = decode(data)
        if files and (key is None or not all(f.is_current(key) for f in files)):
            raise _Miss("a secret or config file is missing or changed on disk")
        plan = plan_with(
            client, desired.project, functools.partial(_same, desired), prune=request.prune
        )
        plan.warnings[:0] = [w for w in desired.warnings if w not in plan.warnings]
        if plan.has_changes or plan.pulls or plan.unbuilt:
            raise _Miss(f"the engine differs from project {desired.project}")
        rendered.append(ApplyResult(plan).render(actions=False))
    for warning in payload["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    return "".join(text + "\n" for text in rendered)


@dataclass
class Recording:
    """What the whole command lowers, kept as an entry when it exits (``finish``)."""

    key: str
    request: Request
    recorder: apply_cache.InputRecorder
    seen: list[tuple[Project, DesiredState]]

    def observe(self, project: Project, desired: DesiredState) -> None:
        """Called (``bakepy.engine.compose.declared``) with each state the command lowers."""
        self.seen.append((project, desired))

    def finish(self) -> None:
        """Keep the entry when the command lowered every ComposeProject of a project that
        declares nothing else (no targets, host files or stacks) and no service it builds."""
        inputs = self.recorder.inputs(self.request.files)
        if inputs is None or not self.seen:
            return
        from bakepy.engine.compose.desired_codec import encode
        from bakepy.models.compose.project import ComposeProject

        project = self.seen[0][0]
        composes = project.of_kind(ComposeProject)
        wanted = 1 if self.request.compose is not None else len(composes)
        if len(composes) != len(project) or len(self.seen) != wanted:
            return
        if any(p is not project for p, _ in self.seen):
            return
        if any(c.builds for _, desired in self.seen for c in desired.containers):
            return  # a service built from a context: its files are inputs the lowering never read
        projects = [encode(desired) for _, desired in self.seen]
        payload = {"warnings": list(project.warnings), "projects": projects}
        apply_cache.store(self.key, inputs, payload)


def record(argv: Sequence[str], env: Mapping[str, str]) -> Recording | None:
    """Start noting what the whole command reads and lowers, for a request this path can
    answer later; None for any other command."""
    request = parse(argv)
    if request is None or not _enabled(env) or local_socket(env) is None:
        return None
    from bakepy.engine.compose.declared import observing

    recording = Recording(
        apply_cache.request_key(argv, env), request, apply_cache.InputRecorder(), []
    )
    sys.addaudithook(recording.recorder.hook)
    stack = contextlib.ExitStack()
    stack.enter_context(observing(recording.observe))
    import atexit

    def done() -> None:
        stack.close()
        with contextlib.suppress(Exception):
            recording.finish()

    atexit.register(done)
    return recording


def run(argv: Sequence[str], env: Mapping[str, str] | None = None) -> int | None:
    """Answer a no-change apply from the cache (prints it, returns 0), or start recording
    for the whole command and return None."""
    environment = os.environ if env is None else env
    printed = answer(argv, environment)
    if printed is not None:
        sys.stdout.write(printed)
        return 0
    record(argv, environment)
    return None
