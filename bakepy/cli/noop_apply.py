"""A no-change ``bakepy apply`` of compose projects, or ``apply --stack NAME`` of a swarm
stack, answered without loading any model.

The first ``apply`` of a request records the desired state each ComposeProject (or the Stack)
was lowered to and the inputs it was read from (``bakepy.cli.apply_cache``). The next one
with the same request and unchanged inputs plans against that state: it still reads the engine
(the same list calls, through the local socket) and runs the same planner (compose's, or the
stack planner), so any drift on the engine is seen, and it checks that each secret and config
file on disk still has its content and mode. Only when that plan changes nothing and needs no
pull does it print the result, with the warnings the whole command would print; anything else
(a change, an error, an engine elsewhere than the local socket, an option this path does not
know) goes the whole way, which loads, checks, lowers, applies and records. A ``plan`` with
the options of such an apply is answered from that apply's entry by the same code, printed as
``bakepy plan`` prints it. ``BAKEPY_APPLY_CACHE=0`` turns both off.
"""

from __future__ import annotations

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
    from bakepy.engine.compose.plan import RuntimePlan
    from bakepy.engine.file_check import FileCheck
    from bakepy.engine.swarm.objects import StackState
    from bakepy.project import Project

DEFAULT_SOCKET = "/var/run/docker.sock"


@dataclass(frozen=True)
class Request:
    """An ``apply`` this path can answer: definition files, one compose project or one
    stack, prune."""

    files: tuple[str, ...] = ()
    compose: str | None = None
    prune: bool = False
    stack: str | None = None


def parse(argv: Sequence[str]) -> Request | None:
    """The request of ``apply [-f PATH]... [--compose NAME | --stack NAME] [--prune]``; None
    for any other command line (other options, targets, ``-o json``, ``--dry-run``)."""
    if not argv or argv[0] != "apply":
        return None
    files: list[str] = []
    compose: str | None = None
    stack: str | None = None
    prune = False
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        name, _, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in ("-f", "--file", "--compose", "--stack") and not value:
            if not rest:
                return None
            value = rest.pop(0)
        elif name.startswith("-f") and len(name) > 2:
            name, value = "-f", name[2:]
        if name in ("-f", "--file"):
            files.append(value)
        elif name == "--compose" and compose is None and stack is None and value:
            compose = value
        elif name == "--stack" and stack is None and compose is None and value:
            stack = value
        elif word == "--prune":
            prune = True
        else:
            return None
    return Request(tuple(files), compose, prune, stack)


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


def answer(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """What a no-change apply prints (stdout), when the cache shows nothing to change; None
    when the whole command must run. Warnings are written to stderr before returning. A
    ``plan`` with the options of such an apply is answered from that apply's entry, with what
    ``bakepy plan`` prints (the same plan, rendered as a plan)."""
    planning = bool(argv) and argv[0] == "plan"
    as_apply = ["apply", *argv[1:]] if planning else list(argv)
    request = parse(as_apply)
    if request is None or not apply_cache.enabled(env):
        return None
    socket = local_socket(env)
    if socket is None:
        return None
    payload, why = apply_cache.lookup(apply_cache.request_key(as_apply, env))
    if payload is None:
        _miss(env, why)
        return None
    try:
        return _answer(payload, socket, request, planning)
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


def _digest_key() -> bytes | None:
    """The host's key for secret digests; None when no file was ever digested with one."""
    try:
        return Path(apply_cache.digest_key_path()).read_bytes()
    except FileNotFoundError:
        return None


def _current(files: Sequence[FileCheck], key: bytes | None) -> None:
    """Raise _Miss unless each secret or config file still has its content and mode."""
    if files and (key is None or not all(f.is_current(key) for f in files)):
        raise _Miss("a secret or config file is missing or changed on disk")


def _answer(payload: Mapping[str, Any], socket: str, request: Request, planning: bool) -> str:
    """What ``apply`` (or, ``planning``, ``plan``) prints when the engine matches the entry."""
    if request.stack is not None:
        plans = [_stack_answer(payload["stack"], socket, request)]
    else:
        plans = _compose_answer(payload["projects"], socket, request)
    if planning:  # as ``bakepy plan`` prints a plan of compose projects (or of the stack)
        rendered = [plan.render() for plan in plans]
    else:
        from bakepy.engine.compose.result import ApplyResult

        rendered = [ApplyResult(plan).render(actions=False) for plan in plans]
    for warning in payload["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    return "".join(text + "\n" for text in rendered)


def _compose_answer(
    projects: Sequence[Mapping[str, Any]], socket: str, request: Request
) -> list[RuntimePlan]:
    """Each recorded project's plan against the engine; _Miss unless none changes anything."""
    from bakepy.engine.compose.desired_codec import decode
    from bakepy.engine.compose.planner import plan_with
    from bakepy.engine.compose.socket_reads import SocketReads

    key = _digest_key()
    client = SocketReads(socket)
    plans = []
    for data in projects:
        desired, files = decode(data)
        _current(files, key)
        plan = plan_with(
            client, desired.project, functools.partial(_same, desired), prune=request.prune
        )
        plan.owners = tuple(data.get("owners", ()))
        plan.warnings[:0] = [w for w in desired.warnings if w not in plan.warnings]
        if plan.has_changes or plan.pulls or plan.unbuilt:
            raise _Miss(f"the engine differs from project {desired.project}")
        plans.append(plan)
    return plans


def _stack_answer(data: Mapping[str, Any], socket: str, request: Request) -> RuntimePlan:
    """The no-change plan of the recorded stack, planned against the swarm's listing."""
    from bakepy.engine.swarm.plan import KINDS, plan_stack_with
    from bakepy.engine.swarm.socket_reads import SwarmSocketReads
    from bakepy.engine.swarm.state_codec import decode

    state, files = decode(data)
    _current(files, _digest_key())
    client = SwarmSocketReads(socket)
    client.prefetch(state.stack, KINDS)
    plan = plan_stack_with(client, state.stack, lambda: state, prune=request.prune)
    if plan.has_changes:
        raise _Miss(f"the swarm differs from stack {state.stack}")
    plan.owners = tuple(data.get("owners", ()))
    return plan


_PLAIN_COMPOSE = frozenset({"ComposeProject"})
_PLAIN_STACK = frozenset({"ComposeProject", "Stack"})
"""The kinds of a project whose no-change apply this path answers (nothing to build, no host
files, no swarm nodes)."""


@dataclass
class Recording:
    """What the whole command lowers, kept as an entry when it exits (``finish``)."""

    key: str
    request: Request
    recorder: apply_cache.InputRecorder
    seen: list[tuple[Project, Any]]

    def observe(self, project: Project, lowered: DesiredState | StackState) -> None:
        """Called (``bakepy.engine.compose.declared``) with each state the command lowers."""
        self.seen.append((project, lowered))

    def finish(self) -> None:
        """Keep the entry when the command lowered every ComposeProject (or the Stack asked
        for) of a project that declares nothing else to converge (no targets, host files,
        swarm nodes) and no service it builds."""
        if not self.seen or any(p is not self.seen[0][0] for p, _ in self.seen):
            return
        project = self.seen[0][0]
        kinds = {r.KIND for r in project}
        states = [lowered for _, lowered in self.seen]
        if self.request.stack is not None:
            entry = _stack_entry(states, project) if kinds <= _PLAIN_STACK else None
        else:
            wanted = 1 if self.request.compose is not None else len(project)
            entry = _compose_entry(states, wanted, project) if kinds <= _PLAIN_COMPOSE else None
        inputs = self.recorder.inputs(self.request.files)
        if entry is None or inputs is None:
            return
        apply_cache.store(self.key, inputs, {"warnings": list(project.warnings), **entry})


def _compose_entry(states: Sequence[Any], wanted: int, project: Project) -> dict[str, Any] | None:
    """The entry of a compose apply that lowered each ComposeProject it applies once (``wanted``:
    all of them, or the one ``--compose NAME`` chose), none of them built; each with its
    owners, which its plan shows."""
    from bakepy.engine.compose.desired import DesiredState
    from bakepy.engine.compose.desired_codec import encode
    from bakepy.models.compose.project import ComposeProject

    if len(states) != wanted or not all(isinstance(s, DesiredState) for s in states):
        return None
    if any(c.builds for desired in states for c in desired.containers):
        return None  # a service built from a context: its files are inputs the lowering never read
    owners = {c.project_name: project.owners_of(c) for c in project.of_kind(ComposeProject)}
    return {
        "projects": [
            {**encode(desired), "owners": list(owners.get(desired.project, ()))}
            for desired in states
        ]
    }


def _stack_entry(states: Sequence[Any], project: Project) -> dict[str, Any] | None:
    """The entry of an ``apply --stack`` that lowered that one stack once, with its owners."""
    from bakepy.engine.swarm.objects import StackState
    from bakepy.engine.swarm.state_codec import encode
    from bakepy.models.compose.project import Stack

    if len(states) != 1 or not isinstance(states[0], StackState):
        return None
    encoded = encode(states[0])
    if encoded is None:
        return None
    stacks = [s for s in project.of_kind(Stack) if s.stack_name == states[0].stack]
    return {"stack": {**encoded, "owners": list(project.owners_of(stacks[0])) if stacks else []}}


def record(argv: Sequence[str], env: Mapping[str, str]) -> Recording | None:
    """Start noting what the whole command reads and lowers, for a request this path can
    answer later; None for any other command."""
    request = parse(argv)
    if request is None or not apply_cache.enabled(env) or local_socket(env) is None:
        return None
    from bakepy.engine.compose.declared import observing

    recording = Recording(
        apply_cache.request_key(argv, env), request, apply_cache.InputRecorder(), []
    )
    apply_cache.keep_at_exit(recording.recorder, observing(recording.observe), recording.finish)
    return recording


def run(argv: Sequence[str], env: Mapping[str, str] | None = None) -> int | None:
    """Answer a no-change apply (or plan) from the cache (prints it, returns 0), or start
    recording for the whole command (an apply's) and return None."""
    environment = os.environ if env is None else env
    printed = answer(argv, environment)
    if printed is not None:
        sys.stdout.write(printed)
        return 0
    record(argv, environment)
    return None
