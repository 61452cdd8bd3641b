"""Why bytes are not UTF-8 text, and on which line: for the readers that must say where a file
goes wrong (a Dockerfile, an env file) instead of showing Python's decode error."""

from __future__ import annotations

import codecs
from pathlib import Path

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def not_utf8(data: bytes) -> tuple[str, int] | None:
    """What is wrong and the line it is on, when ``data`` is not UTF-8 text; else None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return f"the file is {encoding} text; bakepy reads UTF-8", 1
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}", line
    return None


def utf8_problem(path: Path) -> tuple[str, int | None]:
    """Why the file ``path`` could not be read as UTF-8 text, and the line when known."""
    try:
        found = not_utf8(path.read_bytes())
    except OSError as exc:
        return f"cannot read it: {exc.strerror}", None
    return found or ("not UTF-8 text", None)
