"""Read a definition file's text: UTF-8 (a BOM allowed), or a located error that says what
the file is instead (UTF-16, another encoding, binary), never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

from bakepy.errors import LoadError, Location

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_text(path: Path) -> str:
    """The text of ``path``; LoadError naming the file, line and byte when it is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror}") from None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise LoadError(
                f"the file is {encoding} text; bakepy reads UTF-8",
                Location(path, 1),
                hint=f"save it as UTF-8 (iconv -f {encoding} -t UTF-8)",
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LoadError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            Location(path, line),
            hint="save the file as UTF-8",
        ) from None
