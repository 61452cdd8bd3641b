"""Credentials written into a Dockerfile: a literal value in an ARG or ENV whose name reads
like a secret (``API_TOKEN=abc``). The value would stay in the image config and history.

For a Dockerfile declared in bakepy it is an error. For one read from a file the user already
has (loaded, or imported into Python or YAML: it carries the ``IMPORTED_FROM`` annotation) it
is a warning that says what to do instead, unless the caller asks for it to be an error
(``strict``): refusing to render a file the user builds today helps nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from bakepy.errors import Diagnostic, FieldPath
from bakepy.models.bake.targets import Target
from bakepy.models.dockerfile.instructions import (
    IMPORTED_FROM,
    Arg,
    Dockerfile,
    Env,
    Instruction,
    Onbuild,
)

_SECRET_PARTS = frozenset(
    {
        "TOKEN",
        "TOKENS",
        "PASSWORD",
        "PASSWORDS",
        "PASSWD",
        "PASS",
        "PWORD",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "KEY",
        "KEYS",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "CREDS",
        "AUTH",
    }
)
_SECRET_SUFFIXES = ("TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "APIKEY")
_KEY_PREFIXES = ("ACCESS", "API", "SECRET", "PRIVATE", "SIGNING", "ENCRYPTION", "MASTER", "CLIENT")
_NOT_SECRET_LAST_PARTS = frozenset({"FILE", "PATH", "DIR", "NAME", "ID"})
_VARIABLE_ONLY = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})")
_HINT = (
    "never put a secret in a build arg or ENV (it stays in the image and its history): "
    "read it in a `RUN --mount=type=secret,id=<id>` step and pass it with a bake `secret` "
    "(e.g. `id=<id>,env=<VARIABLE>`)"
)
_IMPORTED_HINT = (
    "if it is a real credential, anyone with the image can read it (image config and "
    "history): drop the value, read it in a `RUN --mount=type=secret,id=<id>` step (the file "
    "/run/secrets/<id>) and pass it at build time (`--secret id=<id>,env=<VARIABLE>`, a bake "
    "`secret`); if it is not, ignore this warning. `--strict-credentials` makes it an error"
)


@lru_cache(maxsize=4096)
def looks_like_secret_name(name: str) -> bool:
    """Whether an ARG/ENV name reads like a credential (``API_TOKEN``, ``DB_PASSWORD``); once
    per name (thousands of targets pass the same few args)."""
    parts = [part for part in re.split(r"[_\-]+", name.upper()) if part]
    if not parts or "PUBLIC" in name.upper() or parts[-1] in _NOT_SECRET_LAST_PARTS:
        return False
    return any(_secret_part(part) for part in parts)


def _secret_part(part: str) -> bool:
    if part in _SECRET_PARTS or part.endswith(_SECRET_SUFFIXES):
        return True
    return part.endswith("KEY") and part[: -len("KEY")] in _KEY_PREFIXES


class Credentials(NamedTuple):
    """The credential findings of one Dockerfile, split by what they are for the caller."""

    errors: list[Diagnostic]
    warnings: list[Diagnostic]


def check_credentials(dockerfile: Dockerfile, *, strict: bool = False) -> Credentials:
    """Every literal credential in ``dockerfile``: errors for a Dockerfile declared in bakepy
    (or any, with ``strict``), warnings for one read from the user's own file."""
    imported = dockerfile.imported and not strict
    found = [
        Diagnostic(
            f"{keyword} {name} looks like a credential and is given a literal value",
            dockerfile.location(*path),
            _IMPORTED_HINT if imported else _HINT,
        )
        for path, keyword, name in _literal_values(dockerfile)
        if looks_like_secret_name(name)
    ]
    return Credentials([], found) if imported else Credentials(found, [])


def check_target_credentials(targets: list[Target], *, strict: bool = False) -> Credentials:
    """Every literal build arg of a Target whose name reads like a credential: buildx passes
    it to the build, where an ARG of that name keeps it in the image and its history, and
    the provenance attestation records it either way. An error for a Target declared in
    bakepy (or any, with ``strict``), a warning for one imported from the user's own file."""
    result = Credentials([], [])
    for target in targets:
        args = target.spec.args
        if not isinstance(args, dict):
            continue  # one expression yielding the map: known only once evaluated
        imported = IMPORTED_FROM in target.metadata.annotations and not strict
        found = [
            Diagnostic(
                f"build arg {name} looks like a credential and is given a literal value",
                target.location("spec", "args", name),
                _IMPORTED_HINT if imported else _HINT,
            )
            for name, value in args.items()
            if looks_like_secret_name(name) and isinstance(value, str) and _is_literal(value)
        ]
        (result.warnings if imported else result.errors).extend(found)
    return result


def _is_literal(value: str | None) -> bool:
    return bool(value and value.strip()) and not _VARIABLE_ONLY.fullmatch(str(value).strip())


def _literal_values(dockerfile: Dockerfile) -> Iterator[tuple[FieldPath, str, str]]:
    """(path, keyword, name) of every literal ARG default and ENV value, global ARGs first."""
    for k, arg in enumerate(dockerfile.spec.args):
        if _is_literal(arg.default):
            yield ("spec", "args", k, "default"), "ARG", arg.name
    for i, stage in enumerate(dockerfile.spec.stages):
        for j, item in enumerate(stage.instructions):
            yield from _instruction_values(("spec", "stages", i, "instructions", j), item)


def _instruction_values(path: FieldPath, item: Instruction) -> Iterator[tuple[FieldPath, str, str]]:
    while isinstance(item, Onbuild):
        path, item = (*path, "trigger"), item.trigger
    if isinstance(item, Arg) and _is_literal(item.default):
        yield (*path, "default"), "ARG", item.name
    if isinstance(item, Env):
        for key, value in item.env.items():
            if _is_literal(value):
                yield (*path, "env", key), "ENV", key


__all__ = [
    "Credentials",
    "check_credentials",
    "check_target_credentials",
    "looks_like_secret_name",
]
