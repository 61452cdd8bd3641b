"""Render a SystemdDropIn as a unit file fragment: escaping, quoting and section order."""

from __future__ import annotations

import re
from typing import Any

from bakepy.generators.jinja import render_template
from bakepy.models.base import BakepyModel
from bakepy.models.host.systemd import SystemdDropIn

_NEEDS_QUOTES = re.compile(r"[\s\"'\\]")
_COMMANDS = frozenset({"ExecStart", "ExecReload"})
"""Settings a drop-in replaces: an empty assignment resets the unit's list first."""


def escape_specifiers(text: str) -> str:
    """systemd expands ``%n``-style specifiers in most values; ``%%`` is a literal ``%``."""
    return text.replace("%", "%%")


def _c_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def exec_arg(arg: str) -> str:
    """One command argument: ``%`` escaped, quoted when it is empty or holds spaces/quotes."""
    arg = escape_specifiers(arg)
    return _c_quote(arg) if not arg or _NEEDS_QUOTES.search(arg) else arg


def environment_assignment(name: str, value: str) -> str:
    """``"NAME=value"``: always quoted, with ``\\``, ``"`` and ``%`` escaped."""
    return _c_quote(escape_specifiers(f"{name}={value}"))


def _values(key: str, value: Any) -> list[str]:
    """The value text of each ``key=`` line one setting renders to."""
    if key in _COMMANDS:
        return ["", " ".join(exec_arg(arg) for arg in value)]
    if key == "ExecStartPre":
        return [" ".join(exec_arg(arg) for arg in command) for command in value]
    if key == "Environment":
        return [environment_assignment(name, item) for name, item in value.items()]
    if key == "EnvironmentFile":
        return [escape_specifiers(path) for path in value]
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, list):
        return [" ".join(escape_specifiers(str(item)) for item in value)]
    return [escape_specifiers(str(value))]


def section_lines(section: BakepyModel) -> list[str]:
    """``Key=value`` lines of one section, in field order, then its raw ``extra`` lines."""
    lines: list[str] = []
    for name, field in type(section).model_fields.items():
        value = getattr(section, name)
        if name == "extra" or value is None:
            continue
        key = field.serialization_alias or field.alias or name
        lines += [f"{key}={text}" for text in _values(key, value)]
    return lines + list(getattr(section, "extra", []))


def render_drop_in(drop_in: SystemdDropIn, header: str) -> str:
    """The drop-in file: the header comment, then ``[Unit]`` and ``[Service]`` when set."""
    sections = [
        {"name": name, "lines": section_lines(section)}
        for name, section in (
            ("Unit", drop_in.spec.unit_section),
            ("Service", drop_in.spec.service),
        )
        if section is not None
    ]
    return render_template("systemd-dropin.conf.j2", header=header, sections=sections)
