"""Parse HCL text with python-hcl2, cached by content hash, large files in parallel parts; a
plain file (or part) is read by ``quick.quick_parse`` instead, to the same dict.

python-hcl2 is pure Python and slow on big bake files. A file above ``PART_BYTES`` is cut
between top-level blocks (chunks.py); each part is cached by its own hash, so editing one
target re-parses only its part, and the parts not cached yet are parsed in worker processes
(one per core). The parts' results are joined in file order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from bakepy.errors import LoadError, Location
from bakepy.loaders.bake.chunks import split_top_level
from bakepy.loaders.bake.quick import quick_parse
from bakepy.support.atomic import FileWrite, write_file
from bakepy.support.cache import cache_dir, dependencies_fingerprint

CACHE_VERSION = "1"
PART_BYTES = 192 * 1024
BLOCK_TYPES = ("variable", "function", "group", "target")


def _cache_file(text: str) -> Path:
    parser = dependencies_fingerprint("hcl2", "lark")  # another python-hcl2 may parse otherwise
    digest = hashlib.sha256(f"{CACHE_VERSION}\0{parser}\0{text}".encode()).hexdigest()
    return cache_dir() / "hcl" / f"{digest}.json"


def _cached(text: str) -> dict[str, Any] | None:
    try:
        loaded: dict[str, Any] = json.loads(_cache_file(text).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded


def is_cached(path: Path) -> bool:
    """Whether ``path``'s current content needs no python-hcl2 run: it was parsed before (its
    result is cached), or it is plain enough for the quick reader."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return quick_parse(text) is not None or _cache_file(text).is_file()


def _parse_part(text: str, path: str, first_line: int) -> dict[str, Any]:
    """python-hcl2's dict for one part (lines counted from ``first_line``), then cached."""
    cached = _cached(text)
    if cached is not None:
        return cached
    return _parse_new(text, path, first_line)


def _parse_new(text: str, path: str, first_line: int) -> dict[str, Any]:
    """``_parse_part`` of a text not cached (just looked up)."""
    quick = quick_parse(text)  # a plain file: python-hcl2's dict without running it
    if quick is not None:
        return quick
    import hcl2  # imported here: it is slow to import and only HCL files need it

    try:
        parsed: dict[str, Any] = hcl2.loads(text)
    except RecursionError:
        depth, at = deepest_nesting(text)
        where = Location(Path(path), at + first_line - 1)
        raise LoadError(
            f"nested too deeply for the HCL parser ({depth} levels of brackets at the deepest)",
            where,
            hint="write the values out, or split them into variables",
        ) from None
    except Exception as exc:  # python-hcl2 raises lark's exceptions, which vary by version
        line = getattr(exc, "line", None)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        message = _readable_tokens(re.sub(r" at line \d+, column (\d+)", r" (column \1)", message))
        where = Location(Path(path), line + first_line - 1 if isinstance(line, int) else None)
        raise LoadError(f"HCL syntax error: {message}", where) from None
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs speed
        write_file(FileWrite(_cache_file(text), json.dumps(parsed).encode()))
    return parsed


def _readable_tokens(message: str) -> str:
    """lark's ``Token('RBRACE', '}')`` as the text the user wrote (``'}'``, its first line),
    and its ``Token('$END', '')`` as the end of the file: grammar token names mean nothing to a
    user."""
    message = re.sub(
        r"(?i)unexpected token Token\('\$END', ''\)", "Unexpected end of file", message
    )

    def text_of(match: re.Match[str]) -> str:
        written = match["text"].split("\\n")[0] or match["text"]
        return repr(written if len(written) <= 20 else written[:20] + "...")

    return re.sub(r"Token\('[^']*', '(?P<text>(?:[^'\\]|\\.)*)'\)", text_of, message)


def deepest_nesting(text: str) -> tuple[int, int]:
    """How deep ``text``'s brackets nest at the deepest, and on which line (1-based): quoted
    strings and comments are skipped, ``${...}`` inside a string counted as nesting."""
    depth = deepest = 0
    line = deepest_line = 1
    index, quoted = 0, False
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        elif quoted and char == "\\":
            index += 1
        elif quoted and char == '"':
            quoted = False
        elif not quoted and char == '"':
            quoted = True
        elif not quoted and (char == "#" or text.startswith("//", index)):
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif char in "([{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif char in ")]}":
            depth -= 1
        index += 1
    return deepest, deepest_line


def _join(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The parts' dicts as one: block (and comment) lists concatenated in order."""
    joined: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if (key in BLOCK_TYPES or key == "__comments__") and isinstance(value, list):
                joined.setdefault(key, []).extend(value)
            else:
                joined[key] = value
    return joined


def parse_hcl(text: str, path: Path, *, parallel: bool = True) -> dict[str, Any]:
    """python-hcl2's dict for ``text``; cached parts are free, the rest parse in parallel."""
    whole = _cached(text)
    if whole is not None:
        return whole
    pieces = split_top_level(text, max(1, round(len(text) / PART_BYTES)))
    if len(pieces) == 1:  # the whole text, just looked up
        return _parse_new(text, str(path), 1)
    starts = [1]
    for piece in pieces[:-1]:
        starts.append(starts[-1] + piece.count("\n"))
    missing = [i for i, piece in enumerate(pieces) if _cached(piece) is None]
    workers = min(len(missing), os.cpu_count() or 1)
    if parallel and workers > 1:
        # imported here: concurrent.futures.process and multiprocessing cost every load ~5 ms
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(
                pool.map(
                    _parse_part,
                    [pieces[i] for i in missing],
                    [str(path)] * len(missing),
                    [starts[i] for i in missing],
                )
            )
    return _join(
        [_parse_part(piece, str(path), start) for piece, start in zip(pieces, starts, strict=True)]
    )
