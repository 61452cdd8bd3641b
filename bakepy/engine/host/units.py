"""docker.service as systemd would load it under a root: the unit, its drop-ins, its ExecStart.

systemd reads ``<unit>.d/*.conf`` from /etc, /run and /usr/lib (a same-named file in /etc masks
the others), in file-name order across folders, after the unit itself. ``ExecStart=`` with no
value resets the list. ``$VAR`` words are expanded from ``Environment=`` and
``EnvironmentFile=`` (the Debian unit passes ``$DOCKER_OPTS``). Absolute symlinks are followed
inside the root, so a root folder never reads the machine's own files.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bakepy.models.host.systemd import STOCK_EXEC_START

UNIT_DIRS = (
    "etc/systemd/system",
    "run/systemd/system",
    "usr/lib/systemd/system",
    "lib/systemd/system",
)
"""Where systemd looks for units and drop-ins, most important first."""
STOCK_RELOAD = "/bin/kill -s HUP $MAINPID"
"""The stock docker.service's ExecReload."""

Setting = tuple[str, str, str]
"""``(section, key, value)`` of one assignment in a unit file."""

_PREFIXES = "-@:+!"
_WHOLE_VAR = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
_BRACED_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse_unit(text: str) -> list[Setting]:
    """Every assignment of a unit file in order; comments, blanks and continuations handled."""
    settings: list[Setting] = []
    section = ""
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif "=" in line:
            key, _, value = line.partition("=")
            settings.append((section, key.strip(), value.strip()))
    return settings


def inside(root: Path, path: Path) -> Path:
    """``path`` read under ``root``: absolute symlinks point into the root, not the machine."""
    for _ in range(8):
        if not path.is_symlink():
            return path
        target = os.readlink(path)
        path = root / target.lstrip("/") if target.startswith("/") else path.parent / target
    return path


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


@dataclass(frozen=True)
class UnitFiles:
    """A unit's main file (None when absent under the root) and its drop-ins in load order."""

    main: str | None
    drop_ins: tuple[tuple[str, str], ...]

    def settings(self, section: str, key: str) -> list[str]:
        """Values of one setting across the unit and its drop-ins, after empty-value resets."""
        values: list[str] = []
        for text in [self.main or "", *(text for _, text in self.drop_ins)]:
            for sec, name, value in parse_unit(text):
                if (sec, name) == (section, key):
                    values = [] if value == "" else [*values, value]
        return values


def unit_files(root: Path, unit: str, overlay: Mapping[str, str] | None = None) -> UnitFiles:
    """The unit under ``root``, with ``overlay`` (file name -> text) replacing /etc drop-ins."""
    main = next(
        (text for d in UNIT_DIRS if (text := _read(inside(root, root / d / unit))) is not None),
        None,
    )
    found: dict[str, str] = {}
    for folder in UNIT_DIRS:
        directory = inside(root, root / folder / f"{unit}.d")
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.conf")):
            text = _read(inside(root, path))
            if text is not None:
                found.setdefault(path.name, text)
    found.update(overlay or {})
    return UnitFiles(main, tuple(sorted(found.items())))


def _environment(root: Path, files: UnitFiles) -> dict[str, str]:
    env: dict[str, str] = {}
    for value in files.settings("Service", "Environment"):
        for word in _split(value):
            name, sep, item = word.partition("=")
            if sep:
                env[name] = item
    for value in files.settings("Service", "EnvironmentFile"):
        text = _read(inside(root, root / value.removeprefix("-").lstrip("/"))) or ""
        for line in text.splitlines():
            words = _split(line.strip(), comments=True)
            name, sep, item = (words[0] if words else "").partition("=")
            if sep:
                env[name] = item
    return env


def _split(value: str, *, comments: bool = False) -> list[str]:
    try:
        return shlex.split(value, comments=comments)
    except ValueError:
        return value.split()


def command_words(value: str, env: Mapping[str, str]) -> list[str]:
    """An Exec*= value as argv: prefixes dropped, ``%%`` unescaped, ``$VAR`` expanded."""
    value = value.lstrip(_PREFIXES).replace("%%", "%")
    words: list[str] = []
    for word in _split(value):
        whole = _WHOLE_VAR.match(word)
        if whole:
            words += env.get(whole.group(1), "").split()
        else:
            words.append(_BRACED_VAR.sub(lambda m: env.get(m.group(1), ""), word))
    return words


@dataclass(frozen=True)
class ServiceCommands:
    """What docker.service runs: its ExecStart argv, whether it can reload, and oddities."""

    exec_start: tuple[str, ...]
    can_reload: bool
    unit_found: bool
    exec_start_count: int


def docker_service(root: Path, overlay: Mapping[str, str] | None = None) -> ServiceCommands:
    """docker.service's effective ExecStart under ``root``; the stock one when no unit is there."""
    files = unit_files(root, "docker.service", overlay)
    found = files.main is not None
    if not found:
        stock = f"[Service]\nExecStart={' '.join(STOCK_EXEC_START)}\nExecReload={STOCK_RELOAD}\n"
        files = UnitFiles(stock, files.drop_ins)
    starts = files.settings("Service", "ExecStart")
    env = _environment(root, files)
    command = command_words(starts[-1], env) if starts else []
    reload = bool(files.settings("Service", "ExecReload"))
    return ServiceCommands(tuple(command), reload, found, len(starts))
