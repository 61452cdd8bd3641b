"""Move the local paths of native bake values from the folder they were written for to another
folder, so that a bake file rendered elsewhere builds from the same places.

bake resolves relative paths against the folder it runs in. A literal path is rewritten
(``./src`` read in ``app/`` and written to ``out/`` becomes ``../app/src``); a path that is a
template is rewritten too, where its value is only known when bake evaluates it: a template
that starts with literal text gets the prefix, one that starts with an interpolation
(``${DESTDIR}/build``, ``context = TEST_CONTEXT``) is wrapped in a conditional that leaves an
absolute path or a URL alone. Comma-separated values (``type=local,dest=...``) have only their
path fields moved, the rest is kept as written; a whole list given by one expression
(``output = outputs("x")``) is moved entry by entry by a ``for`` expression.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from bakepy.hcl.writing import hcl_string
from bakepy.models.bake.values import is_template

_REMOTE_PREFIXES = ("http://", "https://", "git@", "git://", "ssh://", "docker-image://", "cwd://")
_CONTEXT_SKIPS = ("target:", "docker-image://", "http://", "https://", "git@", "git://")
"""Named contexts that are not local folders."""
_KEEP_PATTERN = "^(/|[a-zA-Z][a-zA-Z0-9+.-]*://|git@|target:|-$)"
"""What a path's value may start with to stay as it is: absolute, a URL, ``git@``, stdout."""

PATH_FIELDS = {
    "output": ("dest",),
    "cache-from": ("src", "dest"),
    "cache-to": ("src", "dest"),
    "secret": ("src", "source"),
}
"""The fields of each comma-separated list attribute that hold local paths."""


def split_fields(text: str) -> list[str]:
    """``a=1,b=${f("x,y")}`` split at the commas outside ``${...}`` and quotes."""
    fields: list[str] = []
    depth = 0
    quoted = False
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if depth == 0 and char == '"':
            quoted = not quoted
        elif text.startswith(("${", "%{"), index):
            depth += 1
            index += 2
            continue
        elif depth and char == "{":
            depth += 1
        elif depth and char == "}":
            depth -= 1
        elif char == "," and depth == 0 and not quoted:
            fields.append(text[start:index])
            start = index + 1
        index += 1
    fields.append(text[start:])
    return fields


class Relocation(NamedTuple):
    """Paths written for ``base`` moved to ``out``."""

    base: Path
    out: Path

    @property
    def moves(self) -> bool:
        """Whether the two folders differ (else every value stays as written)."""
        return self.base.resolve() != self.out.resolve()

    @property
    def prefix(self) -> str:
        """The folder written for, seen from the new one (``../app``)."""
        return os.path.relpath(self.base.resolve(), self.out.resolve()).replace(os.sep, "/")

    def path(self, text: str, *, keep_empty: bool = True) -> str:
        """One path value (literal or template) as seen from the new folder. An empty value
        stays empty (an output or a secret that is not there), unless ``keep_empty`` is off:
        an empty context is the folder bake runs in, which moves."""
        if not self.moves or not text or text.startswith(_REMOTE_PREFIXES):
            return text
        if not is_template(text):
            if os.path.isabs(text):
                return text
            target = os.path.normpath(os.path.join(self.base.resolve(), text))
            return os.path.relpath(target, self.out.resolve()).replace(os.sep, "/")
        if text.startswith(("${", "%{")):
            value = hcl_string(text)
            moved = hcl_string(f"{self.prefix}/{text}")
            keep = _KEEP_PATTERN + ("|^$" if keep_empty else "")
            return f'${{length(regexall("{keep}", {value})) > 0 ? {value} : {moved}}}'
        if text.startswith("/"):
            return text
        return f"{self.prefix}/{text}"

    def fields(self, key: str, text: str) -> str:
        """A comma-separated value with its path fields moved (``secret`` of ``type=env``
        names a variable, not a file, and is left alone)."""
        if not self.moves:
            return text
        parts = split_fields(text)
        if text.startswith(("${", "%{")) and len(parts) == 1 and key in PATH_FIELDS:
            return self._whole_entry(key, text)  # a folder or ``type=...,dest=...``: known later
        if key == "output" and len(parts) == 1 and "=" not in text and text != "-":
            return self.path(text)  # bake's shorthand: a local folder
        if key == "secret" and any(p.strip() == "type=env" for p in parts):
            return text
        names = PATH_FIELDS.get(key, ())
        moved = []
        for part in parts:
            name, sep, value = part.partition("=")
            if sep and name.strip().lower() in names:
                moved.append(f"{name}={self.path(value)}")
            else:
                moved.append(part)
        return ",".join(moved)

    def ssh(self, text: str) -> str:
        """``id=path[,path]`` with its key files (or socket) moved."""
        ident, sep, paths = text.partition("=")
        if not self.moves or not sep:
            return text
        return ident + "=" + ",".join(self.path(p) for p in split_fields(paths))

    def context(self, value: Any) -> Any:
        """A named context with its local folder (or OCI layout's folder) moved."""
        if not isinstance(value, str) or value.startswith(_CONTEXT_SKIPS):
            return value
        if value.startswith("oci-layout://"):
            return "oci-layout://" + self.path(value.removeprefix("oci-layout://"))
        return self.path(value)

    def entries(self, key: str, value: Any) -> Any:
        """A list attribute's value: each string entry moved, or a whole-list expression
        moved entry by entry."""
        if isinstance(value, list):
            return [self.entry(key, item) if isinstance(item, str) else item for item in value]
        if isinstance(value, str) and self.moves and is_template(value) and key in PATH_FIELDS:
            return (
                "${[for e in "
                + unwrap_expression(value)
                + " : "
                + self._entry_expression(key)
                + "]}"
            )
        return value

    def entry(self, key: str, text: str) -> str:
        """One entry of a list attribute."""
        return self.ssh(text) if key == "ssh" else self.fields(key, text)

    def _whole_entry(self, key: str, text: str) -> str:
        """An entry made by one expression (``output = [out(PUSH)]``), whose value may be a
        folder or comma-separated fields: moved as bake evaluates it, as a one-entry ``for``."""
        return (
            "${[for e in ["
            + unwrap_expression(text)
            + "] : "
            + self._entry_expression(key)
            + "][0]}"
        )

    def _entry_expression(self, key: str) -> str:
        """An HCL expression of ``e`` (one entry) with its paths moved."""
        keep = f'length(regexall("{_KEEP_PATTERN}|^$", e)) > 0'
        names = "|".join(PATH_FIELDS.get(key, ()))
        pattern = f"(^|,)({names})=([^/,][^,]*)"
        replaced = f'regex_replace(e, "{pattern}", "$${{1}}$${{2}}={self.prefix}/$${{3}}")'
        if key == "secret":
            return f'length(regexall("type=env", e)) > 0 ? e : {replaced}'
        if key == "output":
            shorthand = 'length(regexall("=", e)) == 0 && e != "-"'
            moved = f'"{self.prefix}/${{e}}"'
            return f"{shorthand} ? ({keep} ? e : {moved}) : {replaced}"
        return replaced


def unwrap_expression(value: str) -> str:
    """The expression inside a whole ``${...}``, or the template as a quoted string."""
    if value.startswith("${") and value.endswith("}") and value.count("${") == 1:
        return "(" + value[2:-1] + ")"
    return hcl_string(value)
