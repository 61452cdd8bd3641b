"""Converge buildx builders to their declarations: create, replace, or leave alone."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Literal

from bakepy.engine.commands import CommandRunner
from bakepy.errors import CommandError
from bakepy.models.bake.builder import Builder

BuilderAction = Literal["create", "replace", "unchanged"]


@dataclass(frozen=True)
class BuilderState:
    """What ``docker buildx inspect`` reports about a builder's first node."""

    driver: str
    endpoint: str | None = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    fixed_platforms: tuple[str, ...] = ()


def parse_inspect(text: str) -> BuilderState:
    """Read ``docker buildx inspect`` text output (buildx has no JSON form for it)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and key == key.lstrip():
            fields.setdefault(key.strip(), value.strip())
    options: dict[str, str] = {}
    for word in shlex.split(fields.get("Driver Options", "")):
        name, _, value = word.partition("=")
        options[name] = value
    platforms = tuple(
        p.strip().rstrip("*")
        for p in fields.get("Platforms", "").split(",")
        if p.strip().endswith("*")
    )
    return BuilderState(fields.get("Driver", ""), fields.get("Endpoint"), options, platforms)


def inspect_builder(runner: CommandRunner, name: str) -> BuilderState | None:
    """The builder's current state, or None when no builder has that name."""
    result = runner.run(["docker", "buildx", "inspect", name])
    if result.returncode != 0:
        return None
    return parse_inspect(result.stdout)


def differences(builder: Builder, state: BuilderState) -> list[str]:
    """The settings in which ``state`` differs from the declaration (empty: nothing to do)."""
    spec = builder.spec
    changed: list[str] = []
    if state.driver != spec.driver:
        changed.append(f"driver: {state.driver} -> {spec.driver}")
    if spec.endpoint is not None and state.endpoint != spec.endpoint:
        changed.append(f"endpoint: {state.endpoint} -> {spec.endpoint}")
    if state.driver_opts != spec.driver_opts and spec.driver != "docker":
        changed.append("driver-opts")
    wanted = tuple(p.to_string() for p in spec.platforms)
    if sorted(state.fixed_platforms) != sorted(wanted):
        changed.append("platforms")
    return changed


def create_command(builder: Builder) -> list[str]:
    """``docker buildx create`` for the declaration."""
    spec = builder.spec
    args = ["docker", "buildx", "create", "--name", builder.name, "--driver", spec.driver]
    for key in sorted(spec.driver_opts):
        args += ["--driver-opt", f"{key}={spec.driver_opts[key]}"]
    if spec.platforms:
        args += ["--platform", ",".join(p.to_string() for p in spec.platforms)]
    if spec.buildkitd_flags:
        args += ["--buildkitd-flags", spec.buildkitd_flags]
    if spec.buildkitd_config:
        args += ["--buildkitd-config", spec.buildkitd_config]
    if spec.endpoint:
        args.append(spec.endpoint)
    return args


def plan_builder(runner: CommandRunner, builder: Builder) -> tuple[BuilderAction, list[str]]:
    """What applying ``builder`` would do, and why."""
    state = inspect_builder(runner, builder.name)
    if state is None:
        return "create", []
    changed = differences(builder, state)
    return ("replace" if changed else "unchanged"), changed


def apply_builder(runner: CommandRunner, builder: Builder) -> BuilderAction:
    """Create or replace the builder when it differs from the declaration; say which."""
    if builder.spec.driver == "docker":
        state = inspect_builder(runner, builder.name)
        if state is None:
            raise CommandError(
                f"builder {builder.name!r} uses the docker driver, which buildx creates for "
                "each Docker context; it cannot be created",
                hint="name an existing context's builder (e.g. default) or use docker-container",
            )
        return "unchanged"
    action, _ = plan_builder(runner, builder)
    if action == "unchanged":
        return action
    if action == "replace":
        _checked(runner, ["docker", "buildx", "rm", builder.name])
    _checked(runner, create_command(builder))
    return action


def _checked(runner: CommandRunner, args: list[str]) -> None:
    result = runner.run(args)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise CommandError(f"{' '.join(args[:3])} failed: {detail[-1] if detail else 'no output'}")


def delete_builder(runner: CommandRunner, builder: Builder) -> Literal["delete", "absent", "kept"]:
    """Remove the declared builder (``docker buildx rm``): ``absent`` when there is none, ``kept``
    for a docker-driver builder (buildx makes one per Docker context and cannot remove it)."""
    if builder.spec.driver == "docker":
        return "kept"
    if inspect_builder(runner, builder.name) is None:
        return "absent"
    _checked(runner, ["docker", "buildx", "rm", builder.name])
    return "delete"
