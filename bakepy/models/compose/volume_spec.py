"""Compose's short mount syntax, ``[SOURCE:]TARGET[:OPTIONS]``, read the way compose reads it.

Checked against ``docker compose config`` 2.26: the spec splits at ``:``, except inside a
``${...}`` and after a one-letter Windows drive (``C:/data:/data``); an empty part is an error
(``${UNSET}:/data`` is ``:/data``), a fourth part is too; a spec of one or two characters is
a target alone. Options are a comma list: ``ro``/``rw``, ``nocopy``, ``z``/``Z`` and the
propagation modes; compose ignores any other option (``cached``, ``delegated``). A source
starting with ``.``, ``/``, ``~``, ``\\\\`` or a drive letter is a bind mount, else a volume.
"""

from __future__ import annotations

from typing import Any

PROPAGATIONS = ("shared", "rshared", "slave", "rslave", "private", "rprivate")
_SELINUX = ("z", "Z")


def _is_drive(buffer: str, char: str) -> bool:
    """A one-letter part followed by ``:`` is a Windows drive, not a separator."""
    return char == ":" and len(buffer) == 1 and buffer.isalpha()


def split_volume_spec(spec: str) -> list[str]:
    """The parts of a short mount spec; a ValueError says what compose would say."""
    parts = spec.split(":")
    if (
        len(parts) <= 3
        and "${" not in spec
        and all(parts)
        and not any(_is_drive(part, ":") for part in parts[:-1])
    ):  # most specs: colons only between parts, none empty, no variable, no drive
        return parts
    return _split_each_char(spec)


def _split_each_char(spec: str) -> list[str]:
    """``split_volume_spec`` a character at a time: ``${...}``, drives, and the errors."""
    parts: list[str] = []
    buffer = ""
    depth = 0
    index = 0
    while index <= len(spec):
        char = spec[index] if index < len(spec) else ""
        if spec.startswith("${", index):
            depth += 1
            buffer += "${"
            index += 2
            continue
        if char == "}" and depth:
            depth -= 1
        elif (char == ":" and not depth and not _is_drive(buffer, char)) or char == "":
            if not buffer:
                raise ValueError(f"invalid spec: {spec}: empty section between colons")
            if len(parts) == 3 or (len(parts) == 2 and char == ":"):
                raise ValueError(f"invalid spec: {spec}: too many colons")
            parts.append(buffer)
            buffer = ""
            index += 1
            continue
        buffer += char
        index += 1
    return parts


def is_bind_source(source: str) -> bool:
    """Whether compose reads a short-syntax source as a host path (else a volume name)."""
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and _is_drive(source[0], source[1])


def parse_volume(spec: str) -> dict[str, Any]:
    """A short-syntax mount as the long syntax ``docker compose config`` prints for it."""
    if not spec:
        raise ValueError("invalid empty volume spec")
    if len(spec) <= 2:
        return {"type": "volume", "target": spec}
    parts = split_volume_spec(spec)
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0], "volume": {}}
    source, target = parts[0], parts[1]
    mount: dict[str, Any] = {"source": source, "target": target}
    bind: dict[str, Any] = {}
    volume: dict[str, Any] | None = None
    for option in parts[2].split(",") if len(parts) == 3 else []:
        if option == "ro":
            mount["read_only"] = True
        elif option == "rw":
            mount.pop("read_only", None)
        elif option == "nocopy":
            volume = {"nocopy": True}
        elif option in _SELINUX:
            bind["selinux"] = option
        elif option in PROPAGATIONS:
            bind["propagation"] = option
    if is_bind_source(source):
        mount["type"] = "bind"
        bind["create_host_path"] = True
    else:
        mount["type"] = "volume"
        volume = volume if volume is not None else {}
    if bind:
        mount["bind"] = bind
    if volume is not None:
        mount["volume"] = volume
    return {"type": mount.pop("type"), **mount}
